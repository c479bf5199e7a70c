"""Share cards, drawn off the request after the change that stales them."""

from celery import shared_task

from comparisons.cards import comparison_card_refresh, tool_card_refresh
from comparisons.models import Comparison
from comparisons.services import comparisons_run_schedule
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


@shared_task(name="comparisons.run_schedule", ignore_result=True)
def run_schedule() -> dict[str, int]:
    """Every minute (beat): publish what is due, unpublish what expired.

    Idempotent and short: the schedule lives in the database, so a missed or
    repeated run only moves the work to the next minute.
    """
    run = comparisons_run_schedule()
    return {
        "published": run.published,
        "unpublished": run.unpublished,
        "held": run.held,
    }
