"""What the admin shows of a picture: the rendition readers see."""

from django.utils.safestring import SafeString

from pictures.html import picture_html
from pictures.renditions import Picture


def picture_preview(picture: Picture | None, *, size: int) -> SafeString:
    """What readers see, for the editor: the rendition, or why it is missing."""
    if picture is None:
        return SafeString(
            "<p>Being drawn after saving; reload this page in a moment.</p>"
        )
    return picture_html(picture, initials="", size=size)
