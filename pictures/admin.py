"""What the admin shows of a picture: the rendition readers see."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from pictures.renditions import Picture


def picture_preview(picture: Picture | None, *, size: int) -> SafeString:
    """What readers see, for the editor: the rendition, or why it is missing."""
    if picture is None:
        return SafeString(
            "<p>Being drawn after saving; reload this page in a moment.</p>"
        )
    return render_to_string(
        "includes/picture.html",
        {"picture": picture, "size": size, "initials": "", "css_class": ""},
    )
