import datetime

import pytest
import time_machine
from django.utils import timezone

from comparisons.beat import run_schedule
from comparisons.services import comparison_schedule
from newsletter.models import Issue
from newsletter.services.issues import (
    issue_assemble,
    issue_assemble_now,
    next_send_time,
)
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import editor

pytestmark = pytest.mark.django_db

MONDAY_0900 = "2026-11-23 09:00 +0000"  # Monday of ISO week 48


def published(when: str, **kwargs):
    return ComparisonFactory(
        published_at=datetime.datetime.fromisoformat(when), **kwargs
    )


@time_machine.travel(MONDAY_0900, tick=False)
def test_the_monday_issue_holds_the_comparisons_published_the_week_before():
    inside = [
        published("2026-11-16T00:00+00:00"),
        published("2026-11-22T23:59+00:00"),
    ]
    published("2026-11-15T23:59+00:00")  # week 46
    published("2026-11-23T08:00+00:00")  # this week
    ComparisonFactory(draft=True)

    issue = issue_assemble()

    assert (issue.iso_year, issue.iso_week) == (2026, 47)
    assert list(issue.ordered_comparisons()) == inside
    assert issue.status == Issue.Status.SCHEDULED
    assert issue.send_at == datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)
    assert inside[0].title in issue.subject


@time_machine.travel(MONDAY_0900, tick=False)
def test_a_week_with_nothing_published_gets_no_issue():
    published("2026-11-10T12:00+00:00")
    assert issue_assemble() is None
    assert not Issue.objects.exists()


@time_machine.travel(MONDAY_0900, tick=False)
def test_assembling_twice_keeps_one_issue_per_week():
    published("2026-11-18T12:00+00:00")
    first = issue_assemble()
    first.subject = "Edited by an editor"
    first.save()
    again = issue_assemble()
    assert again.pk == first.pk
    assert Issue.objects.get().subject == "Edited by an editor"


def test_the_send_slot_is_read_in_the_site_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    settings.NEWSLETTER_SEND_AT = (1, 10, 0)
    with timezone.override("Europe/Paris"):
        slot = next_send_time(
            datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.UTC)
        )
    assert slot == datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)


def test_celery_consumes_every_queue_and_beat_runs_the_weekly_schedule(settings):
    """A worker started with no -Q flag consumes every queue a task goes to."""
    from config.celery import app

    app.loader.import_default_modules()
    consumed = set(app.amqp.queues.consume_from)  # before routing adds any
    project_tasks = [name for name in app.tasks if not name.startswith("celery.")]
    assert "newsletter.deliver_chunk" in project_tasks
    routed = {
        name: app.amqp.router.route({}, name)["queue"].name for name in project_tasks
    }
    assert set(routed.values()) <= consumed
    assert routed["newsletter.deliver_chunk"] == "sending"
    assert routed["newsletter.send_confirmation"] == "celery"
    schedule = settings.CELERY_BEAT_SCHEDULE
    assemble = schedule["newsletter-assemble"]["schedule"]
    assert (assemble.day_of_week, assemble.hour, assemble.minute) == ({1}, {9}, {0})
    assert {entry["task"] for entry in schedule.values()} == {
        "comparisons.run_schedule",
        "newsletter.assemble_weekly_issue",
        "newsletter.dispatch_due_issues",
        "newsletter.forget_unconfirmed",
        "newsletter.reconcile_deliveries",
        "newsletter.send_follow_alerts",
        "tools.detect_vote_bursts",
    }
    assert {entry["task"] for entry in schedule.values()} <= set(project_tasks)
    forget = schedule["newsletter-forget-unconfirmed"]["schedule"]
    assert (forget.hour, forget.minute) == ({4}, {30})
    assert schedule["newsletter-follow-alerts"]["schedule"] == (
        settings.NEWSLETTER_ALERT_POLL_SECONDS
    )
    assert routed["newsletter.send_follow_alert_chunk"] == "celery"


def test_a_comparison_published_by_the_schedule_lands_in_that_weeks_issue(panel):
    """The scheduler's publication counts for the newsletter like any other."""
    thursday = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(thursday, tick=False) as clock:
        draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
        comparison_schedule(
            comparison=draft,
            by=editor(),
            publish_at=thursday + datetime.timedelta(hours=1),
        )
        assert issue_assemble(schedule=False) is None  # nothing published yet
        clock.shift(datetime.timedelta(hours=1, minutes=1))
        assert run_schedule()["published"] == 1
        clock.move_to(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC))
        issue = issue_assemble()
    assert [comparison.pk for comparison in issue.ordered_comparisons()] == [draft.pk]
    assert "Claw Code vs Modal GPU Serverless Inference" in issue.subject


def test_an_issue_assembled_early_gets_the_rest_of_its_week_from_beat():
    """An editor assembles the next issue on Wednesday; beat, the next
    Monday, adds what was published since (not the comparison the editor
    took out) and schedules it for Tuesday."""
    with time_machine.travel("2026-11-25 12:00 +0000", tick=False) as clock:
        monday = published("2026-11-23T10:00+00:00")
        taken_out = published("2026-11-24T10:00+00:00")
        early = issue_assemble_now()
        assert (early.iso_year, early.iso_week) == (2026, 48)
        assert early.status == Issue.Status.DRAFT and early.send_at is None
        assert list(early.ordered_comparisons()) == [monday, taken_out]
        early.issuecomparison_set.filter(comparison=taken_out).delete()
        early.subject = "The editor's subject"
        early.save()

        clock.move_to(datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC))
        friday = published("2026-11-27T12:00+00:00")
        clock.move_to(datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC))
        issue = issue_assemble()

    assert issue.pk == early.pk
    assert list(issue.ordered_comparisons()) == [monday, friday]
    assert issue.subject == "The editor's subject"
    # Beat sends it like any week's issue: no week is missed.
    assert issue.status == Issue.Status.SCHEDULED
    assert issue.send_at == datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel("2026-11-25 12:00 +0000", tick=False)
def test_nothing_published_this_week_assembles_nothing_now():
    published("2026-11-18T12:00+00:00")  # last week
    assert issue_assemble_now() is None
    assert not Issue.objects.exists()
