"""Keep a tool's stored pictures in step with it, once changes are committed."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tools.images import delete_files_on_commit, rendition_source
from tools.models import Tool
from tools.tasks import tool_logo_renditions


@receiver(pre_save, sender=Tool, dispatch_uid="tool_remember_logo")
def logo_saving(sender: type[Tool], instance: Tool, raw: bool, **kwargs) -> None:
    if not raw and instance.pk:
        instance._logo_before = (
            Tool.objects.filter(pk=instance.pk).values_list("logo", flat=True).first()
        )


@receiver(post_save, sender=Tool, dispatch_uid="tool_logo_renditions")
def logo_changed(sender: type[Tool], instance: Tool, raw: bool, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_logo_before", None)
    if before and before != instance.logo.name:
        delete_files_on_commit(before)  # the replaced or cleared upload
    made_from = (instance.logo_renditions or {}).get("source")
    if made_from != rendition_source(instance.logo, instance.name):
        tool_logo_renditions.delay_on_commit(instance.pk)


@receiver(post_delete, sender=Tool, dispatch_uid="tool_delete_pictures")
def tool_deleted(sender: type[Tool], instance: Tool, **kwargs) -> None:
    renditions = instance.logo_renditions or {}
    delete_files_on_commit(
        instance.logo.name,
        instance.share_card.name,
        *renditions.get("webp", []),
        *renditions.get("fallback", []),
    )
