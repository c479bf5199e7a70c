"""What beat runs for the catalogue."""

from celery import shared_task

from tools.bursts import bursts_detect


@shared_task(name="tools.detect_vote_bursts")
def detect_vote_bursts() -> list[int]:
    """Hold the votes of any new burst out of the figures."""
    return [burst.pk for burst in bursts_detect()]
