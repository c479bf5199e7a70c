"""A comparison's address is made from its tools' slugs, so renaming a tool
moves the address of every comparison it is in. The old address stays
alive because the tool's old slug does (`editorial/slugs.py`,
`pages.moved.moved_pair`)."""

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from comparisons.models import Comparison
from editorial.slugs import slug_changed
from tools.models import Tool


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
