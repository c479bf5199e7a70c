"""Keep a tool's stored pictures in step with it, once changes are committed."""

from pictures.sync import keep_pictures_in_step
from tools.models import Tool
from tools.tasks import tool_logo_renditions

keep_pictures_in_step(
    Tool,
    image_field="logo",
    renditions_field="logo_renditions",
    task=tool_logo_renditions,
    also_delete=("share_card",),
)
