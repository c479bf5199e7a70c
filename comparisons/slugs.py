"""A comparison's address is made from its tools' slugs, so renaming a tool
moves the address of every comparison it is in; the old addresses stay
alive as redirects (`editorial/slugs.py`)."""

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from comparisons.models import Comparison
from editorial.slugs import keep_former_slugs, slug_changed
from tools.models import Tool

keep_former_slugs(Comparison)


@receiver(post_save, sender=Tool, dispatch_uid="comparison_slugs_follow_tool")
def tool_renamed(instance: Tool, raw: bool, **kwargs) -> None:
    if raw or slug_changed(instance) is None:
        return
    comparisons = Comparison.objects.filter(
        Q(left=instance) | Q(right=instance)
    ).select_related("left", "right")
    for comparison in comparisons:
        # Saving makes the slug from the tools again and records the old one.
        comparison.save(update_fields=["slug", "updated_at"])
