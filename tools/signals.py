"""Enqueue a tool's logo renditions once a change to it is committed."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from tools.images import rendition_source
from tools.models import Tool
from tools.tasks import tool_logo_renditions


@receiver(post_save, sender=Tool, dispatch_uid="tool_logo_renditions")
def logo_changed(sender: type[Tool], instance: Tool, raw: bool, **kwargs) -> None:
    if raw:
        return
    made_from = (instance.logo_renditions or {}).get("source")
    if made_from != rendition_source(instance.logo, instance.name):
        tool_logo_renditions.delay_on_commit(instance.pk)
