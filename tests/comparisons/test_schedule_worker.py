"""The scheduler task, sent through Redis to a real Celery worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from comparisons.beat import run_schedule
from comparisons.models import Comparison
from comparisons.services import comparison_schedule
from tests.comparisons.factories import ComparisonFactory
from tests.conftest import missing_service
from tests.editorial.factories import superuser

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    if not settings.REDIS_URL:
        missing_service("REDIS_URL is not set: no broker for a real worker")
    import redis
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    try:
        redis.Redis.from_url(settings.REDIS_URL).ping()
    except redis.ConnectionError:
        missing_service(f"Redis is not reachable at {settings.REDIS_URL}")
    if app.conf.task_always_eager:
        pytest.fail("tasks are eager although REDIS_URL is set")
    # Whatever earlier tests left in the queue for a worker that never came.
    # (The worker consumes the default queue: choosing queues would change
    # the app's queue set for every later worker in this process.)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        yield app


def wait_until(check, limit: float = 30.0) -> bool:
    """Poll for an outcome; the limit only stops a broken run from hanging."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_the_worker_publishes_a_due_comparison(worker, panel):
    boss = superuser()
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    comparison_schedule(
        comparison=draft, by=boss, publish_at=timezone.now() + timedelta(hours=1)
    )
    # The hour passes.
    Comparison.objects.filter(pk=draft.pk).update(
        scheduled_at=timezone.now() - timedelta(minutes=1)
    )
    run_schedule.delay()
    assert wait_until(
        lambda: Comparison.objects.published().filter(pk=draft.pk).exists()
    )
    draft.refresh_from_db()
    assert draft.status_label == "Live"
