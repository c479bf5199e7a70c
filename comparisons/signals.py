"""Redraw share cards after commit when what they show has changed.

A card shows tool names, categories, taglines, logos and panel figures, so
saving any of those enqueues the cards that may show it; the tasks draw only
when the card's fingerprint really changed.
"""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from comparisons.models import Comparison
from comparisons.tasks import (
    comparison_share_card,
    share_cards_refresh,
    tool_share_card,
)
from pictures.renditions import delete_files_on_commit
from reviewers.models import Review, Reviewer
from tools.models import Category, Tool


def cards_of_tools(tool_ids: set[int]) -> None:
    """Enqueue the cards of these tools and of their published comparisons."""
    tool_ids.discard(None)
    if not tool_ids:
        return
    for tool_id in sorted(tool_ids):
        tool_share_card.delay_on_commit(tool_id)
    comparisons = Comparison.objects.filter(
        Q(left__in=tool_ids) | Q(right__in=tool_ids),
        status=Comparison.Status.PUBLISHED,
    ).values_list("pk", flat=True)
    for comparison_id in comparisons:
        comparison_share_card.delay_on_commit(comparison_id)


@receiver(post_save, sender=Comparison, dispatch_uid="comparison_card_on_save")
def comparison_saved(instance: Comparison, raw: bool, **kwargs) -> None:
    if not raw and instance.status == Comparison.Status.PUBLISHED:
        comparison_share_card.delay_on_commit(instance.pk)


@receiver(post_save, sender=Tool, dispatch_uid="tool_cards_on_save")
def tool_saved(instance: Tool, raw: bool, **kwargs) -> None:
    if not raw:
        cards_of_tools({instance.pk})


@receiver(post_save, sender=Category, dispatch_uid="category_cards_on_save")
def category_saved(instance: Category, raw: bool, created: bool, **kwargs) -> None:
    if not raw and not created:
        cards_of_tools(set(instance.tools.values_list("pk", flat=True)))


@receiver(pre_save, sender=Review, dispatch_uid="review_remember_tool")
def review_saving(instance: Review, raw: bool, **kwargs) -> None:
    """Remember the tool a verdict was on, in case an editor moves it."""
    if not raw and instance.pk:
        instance._tool_before = (
            Review.objects.filter(pk=instance.pk)
            .values_list("tool_id", flat=True)
            .first()
        )


@receiver(post_save, sender=Review, dispatch_uid="review_cards_on_save")
@receiver(post_delete, sender=Review, dispatch_uid="review_cards_on_delete")
def review_changed(instance: Review, raw: bool = False, **kwargs) -> None:
    if not raw:
        cards_of_tools({instance.tool_id, getattr(instance, "_tool_before", None)})


@receiver(pre_save, sender=Reviewer, dispatch_uid="reviewer_remember_active")
def reviewer_saving(instance: Reviewer, raw: bool, **kwargs) -> None:
    if not raw and instance.pk:
        instance._active_before = (
            Reviewer.objects.filter(pk=instance.pk)
            .values_list("active", flat=True)
            .first()
        )


@receiver(post_save, sender=Reviewer, dispatch_uid="reviewer_cards_on_save")
def reviewer_saved(instance: Reviewer, raw: bool, created: bool, **kwargs) -> None:
    """Seating or standing down a persona moves every figure it had a say in."""
    if raw or created:
        return
    before = getattr(instance, "_active_before", instance.active)
    if before != instance.active and instance.reviews.exists():
        share_cards_refresh.delay_on_commit()


@receiver(post_delete, sender=Comparison, dispatch_uid="comparison_delete_card")
def comparison_deleted(instance: Comparison, **kwargs) -> None:
    delete_files_on_commit(instance.share_card.name)
