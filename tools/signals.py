"""Keep a tool's stored pictures in step with it, once changes are committed,
and the old addresses of renamed tools and categories alive."""

from editorial.slugs import keep_former_slugs
from pictures.sync import keep_pictures_in_step
from tools.models import Category, Tool
from tools.tasks import tool_logo_renditions

keep_pictures_in_step(
    Tool,
    image_field="logo",
    renditions_field="logo_renditions",
    task=tool_logo_renditions,
    also_delete=("share_card",),
)

keep_former_slugs(Tool)
keep_former_slugs(Category)
