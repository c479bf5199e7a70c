"""Tasks of the catalogue: logo renditions, made off the request."""

from celery import shared_task

from pictures.renditions import refresh_renditions
from tools.models import LOGO_SIZE, Tool


@shared_task
def tool_logo_renditions(tool_id: int) -> bool:
    """Draw the tool's logo (or monogram) renditions if they are out of date."""
    return refresh_renditions(
        Tool,
        tool_id,
        image_field="logo",
        renditions_field="logo_renditions",
        size=LOGO_SIZE,
        folder="renditions/logos",
        crop=False,
    )
