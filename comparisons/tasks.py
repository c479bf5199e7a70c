"""Share cards, drawn off the request after the change that stales them.

Signals and services queue these tasks; a task never imports a service, and
what beat runs is in `beat.py`.
"""

from celery import shared_task

from comparisons.cards import comparison_card_refresh, tool_card_refresh
from comparisons.models import Comparison
from tools.models import Tool


@shared_task
def comparison_share_card(comparison_id: int) -> bool:
    return comparison_card_refresh(comparison_id=comparison_id)


@shared_task
def tool_share_card(tool_id: int) -> bool:
    return tool_card_refresh(tool_id=tool_id)


@shared_task
def share_cards_refresh() -> int:
    """One task per card, for a change that moves every panel figure."""
    count = 0
    for tool_id in Tool.objects.values_list("pk", flat=True).iterator():
        tool_share_card.delay(tool_id)
        count += 1
    published = Comparison.objects.filter(status=Comparison.Status.PUBLISHED)
    for comparison_id in published.values_list("pk", flat=True).iterator():
        comparison_share_card.delay(comparison_id)
        count += 1
    return count
