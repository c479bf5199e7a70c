"""What beat runs: the publication schedule, every minute."""

from celery import shared_task

from comparisons.services import comparisons_run_schedule


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
