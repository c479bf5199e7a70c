"""Workflow buttons act on what is in the form: the typed text is saved,
with the same checks, revision and audit entry as Save, and then the step
is taken; a form that cannot be saved keeps its input and takes no step."""

import pytest
from django.utils import timezone
from reversion.models import Version

from comparisons.models import Comparison
from editorial.models import AuditEntry
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import change_url, messages_of, opened_form
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def press(client, comparison, step: str, **changes: str):
    """Edit the change form as opened, then press a workflow button."""
    data = {**opened_form(client, comparison), **changes, "_workflow": step}
    return client.post(change_url(comparison), data, follow=True)


@pytest.fixture
def draft(panel):
    return ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)


def test_publish_now_publishes_the_text_just_typed(client, draft):
    client.force_login(editor())
    response = press(client, draft, "publish", standfirst="Typed, then published.")
    said = " ".join(messages_of(response))
    assert "Your changes were saved. Published: readers see it now." in said

    draft.refresh_from_db()
    assert draft.status == Comparison.Status.PUBLISHED
    assert draft.standfirst == "Typed, then published."
    edits = AuditEntry.objects.for_object(draft).values_list("action", "detail")
    assert ("edited", "Changed Standfirst") in list(edits)
    assert Version.objects.get_for_object(draft).count() >= 1
    client.logout()
    assert "Typed, then published." in text_of(client.get(draft.get_absolute_url()))


def test_on_a_live_comparison_the_changes_are_published_with_the_button(
    client, comparison
):
    client.force_login(editor())
    press(client, comparison, "publish", bottom_line="A new bottom line, live now.")
    comparison.refresh_from_db()
    assert comparison.bottom_line == "A new bottom line, live now."
    assert comparison.pending_changes is None


def test_schedule_and_its_cancelling_save_first(client, draft):
    client.force_login(editor())
    later = (timezone.localtime() + timezone.timedelta(days=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    press(client, draft, "schedule", standfirst="Scheduled words.", publish_at=later)
    draft.refresh_from_db()
    assert (draft.standfirst, draft.scheduled_at is not None) == (
        "Scheduled words.",
        True,
    )
    press(client, draft, "unschedule", standfirst="Unscheduled words.")
    draft.refresh_from_db()
    assert (draft.standfirst, draft.scheduled_at) == ("Unscheduled words.", None)


def test_preview_links_and_unpublishing_save_first(client, comparison):
    client.force_login(editor())
    response = press(client, comparison, "preview-link", standfirst="For the link.")
    link = comparison.preview_links.get()
    client.logout()
    assert "For the link." in text_of(client.get(link.get_absolute_url()))
    assert "For the link." not in text_of(client.get(comparison.get_absolute_url()))

    client.force_login(editor())
    response = press(
        client, comparison, f"revoke-link:{link.pk}", standfirst="After the link."
    )
    assert "Preview link revoked" in " ".join(messages_of(response))
    link.refresh_from_db()
    assert link.revoked_at is not None
    comparison.refresh_from_db()
    assert comparison.pending_changes["standfirst"] == "After the link."

    press(client, comparison, "unpublish", standfirst="Kept as the draft.")
    comparison.refresh_from_db()
    assert comparison.status == Comparison.Status.DRAFT
    assert "Kept as the draft." in (
        comparison.standfirst,
        (comparison.pending_changes or {}).get("standfirst"),
    )


def test_a_contributor_submits_what_was_typed(client, draft):
    client.force_login(contributor())
    press(client, draft, "submit", standfirst="Ready for an editor.")
    draft.refresh_from_db()
    assert draft.in_review
    assert draft.standfirst == "Ready for an editor."


def test_a_refused_step_still_keeps_the_saved_text(client, draft):
    """A contributor may save but not publish: the text is saved and the
    refusal says why."""
    client.force_login(contributor())
    response = press(client, draft, "publish", standfirst="Saved, not published.")
    said = " ".join(messages_of(response))
    assert "Your changes were saved." in said
    draft.refresh_from_db()
    assert draft.standfirst == "Saved, not published."
    assert draft.status == Comparison.Status.DRAFT


def test_a_form_that_cannot_be_saved_keeps_its_input_and_takes_no_step(client, draft):
    """Someone else saved after this editor opened the form: the edit guard
    refuses, the typed text stays in the form, nothing is published."""
    client.force_login(editor())
    data = opened_form(client, draft)
    draft.bottom_line = "Someone else's bottom line."
    draft.save()
    data.update(standfirst="Mine, typed meanwhile.", _workflow="publish")
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "after you opened it" in response.text
    assert "Mine, typed meanwhile." in response.text  # still in the form
    draft.refresh_from_db()
    assert draft.status == Comparison.Status.DRAFT
    assert draft.standfirst != "Mine, typed meanwhile."


def test_a_button_pressed_with_nothing_typed_records_no_edit(client, draft):
    client.force_login(editor())
    press(client, draft, "publish")
    draft.refresh_from_db()
    assert draft.status == Comparison.Status.PUBLISHED
    actions = list(
        AuditEntry.objects.for_object(draft).values_list("action", flat=True)
    )
    assert "edited" not in actions and "published" in actions


def test_save_and_publish_now_on_the_add_form(client, panel):
    client.force_login(editor())
    page = client.get("/admin/comparisons/comparison/add/").content.decode()
    assert "Save and publish now" in page
    data = {
        "left": panel["left"].pk,
        "right": panel["right"].pk,
        "standfirst": "New and published.",
        "bottom_line": "Ship it.",
        "_workflow": "publish",
    }
    response = client.post("/admin/comparisons/comparison/add/", data, follow=True)
    assert "Published: readers see it now." in " ".join(messages_of(response))
    comparison = Comparison.objects.get()
    assert comparison.is_live and comparison.standfirst == "New and published."


def test_save_and_publish_now_with_verdicts_missing_saves_a_draft(client):
    from tests.reviewers.factories import ReviewerFactory
    from tests.tools.factories import ToolFactory

    ReviewerFactory()
    client.force_login(editor())
    data = {
        "left": ToolFactory().pk,
        "right": ToolFactory().pk,
        "standfirst": "Not ready.",
        "bottom_line": "Soon.",
        "_workflow": "publish",
    }
    response = client.post("/admin/comparisons/comparison/add/", data, follow=True)
    said = " ".join(messages_of(response))
    assert "Your changes were saved." in said and "has no verdict" in said
    comparison = Comparison.objects.get()
    assert comparison.status == Comparison.Status.DRAFT
    assert comparison.standfirst == "Not ready."


def test_a_contributor_is_not_offered_publishing_on_the_add_form(client):
    client.force_login(contributor())
    page = client.get("/admin/comparisons/comparison/add/").content.decode()
    assert "Save and publish now" not in page
