"""The guarantee, end to end: real Redis broker, real worker processes, real
SMTP server, and a worker killed with SIGKILL in the middle of an issue."""

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from newsletter.emails import message_id_for
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.services.dispatch import issue_dispatch
from newsletter.services.subscribers import subscriber_unsubscribe
from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]
AUDIENCE = 2000

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_worker]


def require_services() -> None:
    if connection.vendor != "postgresql":
        missing_service("The worker test needs PostgreSQL (set DATABASE_URL)")
    if not settings.REDIS_URL:
        missing_service("The worker test needs Redis (set REDIS_URL)")
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001 - any broker failure means absent
        missing_service(f"Redis is not reachable at {settings.REDIS_URL}: {error}")


def _service_env(smtp_port: int) -> dict[str, str]:
    """The workers' and beat's environment: this test's database, broker and
    SMTP sink, and every recovery setting at its default."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SITE_URL": settings.SITE_URL,
        "LOG_LEVEL": "WARNING",
    }
    for name in list(env):
        if name.startswith("NEWSLETTER_"):
            del env[name]
    return env


def start_worker(smtp_port: int, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker",
         "--concurrency=2", "--loglevel=WARNING", f"--hostname={name}@%h"],
        cwd=ROOT, env=_service_env(smtp_port), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def start_beat(smtp_port: int, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat",
         "--loglevel=WARNING", f"--schedule={folder / 'beat-schedule'}",
         f"--pidfile={folder / 'beat.pid'}"],
        cwd=ROOT, env=_service_env(smtp_port), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(worker: subprocess.Popen, sig: int) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    worker.wait(timeout=60)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.05)


def unsubscribe_pending(count: int) -> set[str]:
    """Unsubscribe readers whose email has not been claimed yet."""
    rows = (
        Delivery.objects.filter(status="pending")
        .select_related("subscriber")
        .order_by("-pk")[:count]
    )
    gone = set()
    for row in rows:
        assert subscriber_unsubscribe(subscriber=row.subscriber) == 1
        gone.add(row.subscriber.email)
    return gone


def test_a_killed_worker_doubles_one_email_per_process_and_is_replaced_in_a_minute(
    issue, smtp_sink, settings, tmp_path
):
    """Two pool processes are SIGKILLed mid-send with beat running and every
    recovery setting at its default: a replacement worker and beat put the
    dead claims' rows back within 60 s, nothing is lost, and each killed
    process doubled at most the one email it was handing over."""
    require_services()
    settings.NEWSLETTER_CHUNK_SIZE = 100
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status="active")
        for n in range(AUDIENCE)
    )
    assert issue_dispatch(issue_id=issue.pk)
    unsubscribed = unsubscribe_pending(20)

    beat = start_beat(smtp_sink.port, tmp_path)
    first = start_worker(smtp_sink.port, "first")
    second = None
    try:
        wait_for(
            lambda: (
                len(smtp_sink.messages) >= 300
                and Delivery.objects.filter(status="sending").exists()
            ),
            180,
            "300 emails and a chunk in flight",
        )
        stop(first, signal.SIGKILL)
        killed_at = time.monotonic()
        received_at_kill = len(smtp_sink.messages)
        held = Delivery.objects.filter(status="sending")
        dead_claims = set(held.values_list("claim_id", flat=True))
        in_flight = set(held.values_list("subscriber__email", flat=True))
        assert dead_claims and None not in dead_claims
        assert 0 < received_at_kill < AUDIENCE - len(unsubscribed)
        unsubscribed |= unsubscribe_pending(20)

        second = start_worker(smtp_sink.port, "second")
        # Nothing here runs the reconciler: beat and the new worker must.
        wait_for(
            lambda: (
                not Delivery.objects.filter(
                    claim_id__in=dead_claims, status="sending"
                ).exists()
            ),
            90,
            "the dead worker's rows to be put back",
        )
        recovered_after = time.monotonic() - killed_at
        print(
            f"rows of the killed worker back in the queue after {recovered_after:.1f} s"
        )
        assert recovered_after <= 60

        wait_for(
            lambda: not Delivery.objects.filter(issue=issue).unsettled().exists(),
            300,
            "every delivery to settle",
        )
        assert issue_dispatch(issue_id=issue.pk) is False  # a second dispatch
        time.sleep(1)
    finally:
        for process in (first, second, beat):
            if process is not None:
                stop(process, signal.SIGTERM)

    by_address = collections.defaultdict(list)
    for message in smtp_sink.messages:
        by_address[message["To"]].append(message["Message-ID"])
    active = set(
        Subscriber.objects.filter(status="active").values_list("email", flat=True)
    )
    assert len(active) == AUDIENCE - 40
    assert set(by_address) == active
    assert not unsubscribed & set(by_address)

    doubled = {address for address, ids in by_address.items() if len(ids) > 1}
    print(f"in flight at the kill: {len(in_flight)}, arrived twice: {len(doubled)}")
    assert doubled <= in_flight
    # Each email is recorded before the next is handed over: each of the two
    # killed pool processes can have sent one email it had not recorded.
    assert len(doubled) <= 2
    assert all(len(ids) <= 2 for ids in by_address.values())
    subscriber_ids = dict(Subscriber.objects.values_list("email", "pk"))
    for address, ids in by_address.items():
        expected = message_id_for(
            issue_id=issue.pk, subscriber_id=subscriber_ids[address]
        )
        assert set(ids) == {expected}

    counts = Delivery.objects.filter(issue=issue).counts()
    assert counts == {
        "pending": 0,
        "sending": 0,
        "sent": AUDIENCE - 40,
        "failed": 0,
        "cancelled": 40,
    }
    assert Issue.objects.get(pk=issue.pk).status == "sent"
