"""Tasks of the panel: avatar renditions, made off the request."""

from celery import shared_task

from pictures.renditions import refresh_renditions
from reviewers.models import AVATAR_SIZE, Reviewer


@shared_task
def reviewer_avatar_renditions(reviewer_id: int) -> bool:
    """Draw the persona's avatar (or monogram) renditions if out of date."""
    return refresh_renditions(
        Reviewer,
        reviewer_id,
        image_field="avatar",
        renditions_field="avatar_renditions",
        size=AVATAR_SIZE,
        folder="renditions/avatars",
        crop=True,
    )
