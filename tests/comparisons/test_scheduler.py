import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from comparisons.beat import run_schedule
from comparisons.models import Comparison
from comparisons.services import comparison_schedule
from editorial.models import AuditEntry
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import editor
from tests.editorial.helpers import messages_of, workflow_url
from tests.reviewers.factories import ReviewerFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def home_text() -> str:
    return Client().get("/").text


def test_a_scheduled_comparison_goes_live_in_the_first_run_after_its_time(
    panel, caplog
):
    """Before its time it is Scheduled and off the home page; the run after
    its time publishes it, logs the count and dates it at the scheduled
    time."""
    with time_machine.travel(START, tick=False) as clock:
        draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
        comparison_schedule(
            comparison=draft, by=editor(), publish_at=START + timedelta(hours=1)
        )
        draft.refresh_from_db()
        assert draft.status_label == "Scheduled for 3 December 2026, 09:00"

        clock.shift(timedelta(minutes=59))
        assert run_schedule() == {"published": 0, "unpublished": 0, "held": 0}
        assert "Claw Code vs" not in home_text()

        clock.shift(timedelta(minutes=1, seconds=30))
        with caplog.at_level(logging.INFO, logger="comparisons.services"):
            assert run_schedule() == {"published": 1, "unpublished": 0, "held": 0}
        assert "Schedule run: published 1, unpublished 0, held back 0" in caplog.text
        assert "Claw Code vs Modal GPU Serverless Inference" in home_text()
        draft.refresh_from_db()
        assert draft.status_label == "Live"
        assert draft.published_at == START + timedelta(hours=1)
        assert AuditEntry.objects.filter(
            action="published", actor_name="schedule", object_id=str(draft.pk)
        ).exists()

        assert run_schedule() == {"published": 0, "unpublished": 0, "held": 0}


def test_expiry_takes_a_comparison_off_the_site(panel):
    """Readers stop seeing it at the expiry time; the next run marks it
    unpublished and counts it."""
    with time_machine.travel(START, tick=False) as clock:
        draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
        comparison_schedule(
            comparison=draft,
            by=editor(),
            publish_at=START + timedelta(minutes=10),
            expires_at=START + timedelta(days=2),
        )
        clock.shift(timedelta(minutes=11))
        run_schedule()
        assert "Claw Code vs" in home_text()

        clock.shift(timedelta(days=2))
        assert "Claw Code vs" not in home_text()
        assert run_schedule() == {"published": 0, "unpublished": 1, "held": 0}
        draft.refresh_from_db()
        assert draft.status == Comparison.Status.DRAFT
        assert draft.status_label == "Unpublished"


def test_scheduled_changes_to_a_live_comparison_replace_it_on_time(comparison):
    """Pending changes scheduled for later reach readers at that time."""
    with time_machine.travel(START, tick=False) as clock:
        comparison.pending_changes = {
            "standfirst": "Rewritten for December.",
            "bottom_line": comparison.bottom_line,
        }
        comparison.save()
        comparison_schedule(
            comparison=comparison, by=editor(), publish_at=START + timedelta(hours=2)
        )
        comparison.refresh_from_db()
        assert comparison.status_label.startswith(
            "Live with unpublished changes, scheduled for"
        )
        page = Client().get(comparison.get_absolute_url())
        assert "Rewritten for December." not in page.text

        clock.shift(timedelta(hours=2, minutes=1))
        run_schedule()
        page = Client().get(comparison.get_absolute_url())
        assert "Rewritten for December." in page.text


def test_a_due_comparison_that_fails_the_checks_is_held_back(panel):
    """If a persona joined the panel after scheduling, the run does not
    publish a comparison with a gap; it cancels the schedule and says why."""
    with time_machine.travel(START, tick=False) as clock:
        draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
        comparison_schedule(
            comparison=draft, by=editor(), publish_at=START + timedelta(minutes=5)
        )
        ReviewerFactory(name="The Latecomer")
        clock.shift(timedelta(minutes=6))
        assert run_schedule() == {"published": 0, "unpublished": 0, "held": 1}
        draft.refresh_from_db()
        assert draft.status_label == "Draft"
        entry = AuditEntry.objects.get(action="unscheduled")
        assert "The Latecomer has no verdict on Claw Code yet." in entry.detail


def test_a_time_in_the_past_is_refused(client, panel):
    """Scheduling for a past time asks for a future one instead."""
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    client.force_login(editor())
    response = client.post(
        workflow_url(draft, "schedule"), {"publish_at": "2001-01-01T09:00"}, follow=True
    )
    assert "Choose a publication time in the future" in response.text
    response = client.post(
        workflow_url(draft, "schedule"), {"publish_at": "next tuesday"}, follow=True
    )
    assert "Enter the publication time as a date and a time." in response.text
    draft.refresh_from_db()
    assert draft.scheduled_at is None


def test_the_beat_schedule_runs_the_task_every_minute(settings):
    """celery beat is told to run the scheduler every 60 seconds."""
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["comparisons-run-schedule"]
    assert entry["schedule"] == 60.0
    assert entry["task"] in app.tasks


def test_a_contributors_edit_sends_a_scheduled_comparison_back_to_review(client, panel):
    """What the editor scheduled is what goes out: a contributor's change
    cancels the schedule and puts the comparison back in review."""
    from tests.editorial.factories import contributor
    from tests.editorial.helpers import messages_of, save_form

    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    comparison_schedule(
        comparison=draft, by=editor(), publish_at=START.replace(year=2099)
    )
    client.force_login(contributor())
    save_form(client, draft)
    draft.refresh_from_db()
    assert draft.status_label.startswith("Scheduled for")

    response = save_form(client, draft, standfirst="A late change.")
    draft.refresh_from_db()
    assert draft.status_label == "In review"
    assert draft.scheduled_at is None
    assert AuditEntry.objects.filter(action="unscheduled").count() == 1
    assert "your change cancelled the schedule and sent it back to review" in (
        " ".join(messages_of(response))
    )


def test_an_editors_edit_keeps_the_schedule(client, panel):
    from tests.editorial.helpers import save_form

    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    boss = editor()
    comparison_schedule(comparison=draft, by=boss, publish_at=START.replace(year=2099))
    client.force_login(boss)
    save_form(client, draft, standfirst="The editor's own polish.")
    draft.refresh_from_db()
    assert draft.status_label.startswith("Scheduled for")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "publish_at",
            "9999-12-31T23:59",
            "Choose a time within the next hundred years.",
        ),
        (
            "expires_at",
            "9999-12-31T23:59",
            "Choose a time within the next hundred years.",
        ),
        ("expires_at", "2030-02-30T10:00", "Enter the expiry as a date and a time."),
        ("publish_at", "2030-03-31T01:30", "couldn’t be interpreted in time zone"),
    ],
)
def test_an_impossible_time_is_refused_with_the_reason(
    client, panel, settings, field, value, message
):
    """Far future, a day that does not exist, an hour skipped by the change
    to summer time: each gets the reason, never a server error."""
    settings.TIME_ZONE = "Europe/London"
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    client.force_login(editor())
    response = client.post(
        workflow_url(draft, "schedule"),
        {"publish_at": "2030-01-01T10:00", field: value},
        follow=True,
    )
    assert response.status_code == 200
    assert message in " ".join(messages_of(response))
    draft.refresh_from_db()
    assert draft.scheduled_at is None and draft.expires_at is None
