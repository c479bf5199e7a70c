import time

import pytest
from django.conf import settings

from tests.comparisons.factories import ComparisonFactory
from tests.conftest import missing_service
from tools.models import Tool


def wait_for(check, attempts: int = 300) -> bool:
    """Poll until `check()` is true; the worker runs in another thread."""
    for _ in range(attempts):
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_draws_the_card_and_renditions_after_commit(panel):
    """With Redis as the broker, publishing enqueues work that a worker does."""
    if not settings.REDIS_URL:
        missing_service("REDIS_URL is not set, so there is no broker to test")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    if app.conf.task_always_eager:
        pytest.fail("tasks are eager although REDIS_URL is set")
    app.control.purge()  # what earlier tests left for a worker that never came
    with start_worker(app, pool="solo", perform_ping_check=False):
        comparison = ComparisonFactory(left=panel["left"], right=panel["right"])
        comparison.left.save()

        def drawn() -> bool:
            comparison.refresh_from_db()
            left = Tool.objects.get(pk=comparison.left_id)
            return bool(comparison.share_card) and bool(left.logo_renditions)

        assert wait_for(drawn), "the worker drew nothing"
    assert comparison.share_card.name.startswith("cards/comparisons/claw-code-vs-")
