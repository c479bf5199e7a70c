"""A contributor's change to a verdict waits for an editor, who sees it
beside the current one and publishes or rejects it."""

import pytest
from django.urls import reverse

from editorial.models import AuditEntry
from reviewers.models import Review, VerdictChange, VerdictProposal
from reviewers.panel import panel_figures
from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import messages_of
from tests.pages import text_of

pytestmark = pytest.mark.django_db

ADD = "/admin/reviewers/verdictproposal/add/"


def change_url(proposal) -> str:
    return reverse("admin:reviewers_verdictproposal_change", args=[proposal.pk])


@pytest.fixture
def proposal(client, panel):
    """Wanda proposes that the first persona skips Claw Code (3 of 4 ship)."""
    client.force_login(contributor(username="wanda"))
    persona = panel["personas"][0]
    response = client.post(
        ADD,
        {
            "reviewer": persona.pk,
            "tool": panel["left"].pk,
            "verdict": "skip",
            "quote": "On reflection, too early for a team.",
        },
        follow=True,
    )
    assert "waits for an editor" in " ".join(messages_of(response))
    return VerdictProposal.objects.get()


def test_a_proposal_changes_nothing_readers_see(client, proposal, panel, comparison):
    assert proposal.is_pending and proposal.proposed_by.username == "wanda"
    figure = panel_figures([panel["left"].pk])[panel["left"].pk]
    assert (figure.ship, figure.total) == (3, 4)
    review = Review.objects.get(reviewer=proposal.reviewer, tool=panel["left"])
    assert review.verdict == "ship"
    assert not VerdictChange.objects.exists()
    client.logout()
    assert "On reflection" not in text_of(client.get(comparison.get_absolute_url()))
    entry = AuditEntry.objects.for_object(proposal).get()
    assert entry.action == "submitted"


def test_the_editor_sees_it_beside_the_current_verdict_and_publishes(
    client, proposal, panel, comparison
):
    client.force_login(editor())
    page = text_of(client.get(change_url(proposal)))
    assert "Now Proposed Verdict Ship Skip" in page
    assert "On reflection, too early for a team." in page
    data = {"reason": "", "_decision": "publish"}
    response = client.post(change_url(proposal), data, follow=True)
    assert "now says skip on Claw Code" in " ".join(messages_of(response))

    proposal.refresh_from_db()
    assert proposal.decision == "published" and proposal.decided_by is not None
    figure = panel_figures([panel["left"].pk])[panel["left"].pk]
    assert (figure.ship, figure.total) == (2, 4)
    (change,) = VerdictChange.objects.all()
    assert (change.from_verdict, change.to_verdict) == ("ship", "skip")
    client.logout()
    page = text_of(client.get(comparison.get_absolute_url()))
    assert "moved Claw Code from ship to skip" in page
    assert "On reflection, too early for a team." in page


def test_the_editor_rejects_it_with_a_reason(client, proposal, panel):
    client.force_login(editor())
    data = {"reason": "The persona would not say this.", "_decision": "reject"}
    response = client.post(change_url(proposal), data, follow=True)
    assert "Rejected: the verdict stays as it was." in " ".join(messages_of(response))
    proposal.refresh_from_db()
    assert proposal.decision == "rejected"
    assert proposal.reason == "The persona would not say this."
    review = Review.objects.get(reviewer=proposal.reviewer, tool=panel["left"])
    assert review.verdict == "ship"
    # Decided once: publishing it afterwards changes nothing.
    client.post(change_url(proposal), {"_decision": "publish"})
    assert Review.objects.get(pk=review.pk).verdict == "ship"


def test_a_contributor_cannot_publish_their_own_change(client, proposal):
    page = client.get(change_url(proposal)).content.decode()
    assert "Publish this change" not in page
    client.post(
        change_url(proposal),
        {"verdict": "skip", "quote": proposal.quote, "_decision": "publish"},
    )
    proposal.refresh_from_db()
    assert proposal.is_pending


def test_one_change_waits_per_verdict_and_it_must_change_something(
    client, proposal, panel
):
    persona = panel["personas"][0]
    again = client.post(
        ADD,
        {
            "reviewer": persona.pk,
            "tool": panel["left"].pk,
            "verdict": "ship",
            "quote": "x",
        },
    )
    assert "already waiting for an editor" in again.content.decode()
    review = Review.objects.get(reviewer=panel["personas"][1], tool=panel["left"])
    same = client.post(
        ADD,
        {
            "reviewer": review.reviewer_id,
            "tool": review.tool_id,
            "verdict": review.verdict,
            "quote": review.quote,
        },
    )
    assert "there is nothing to change" in same.content.decode()
    assert VerdictProposal.objects.count() == 1


def test_the_list_costs_the_same_queries_however_many_wait(client, proposal, panel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(editor())

    def listing() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/admin/reviewers/verdictproposal/")
        assert (
            "No verdict yet" in page.content.decode() or "Ship" in page.content.decode()
        )
        return len(captured)

    one = listing()
    for persona in panel["personas"][1:]:
        VerdictProposal.objects.create(
            reviewer=persona, tool=panel["right"], verdict="skip", quote="More."
        )
    assert listing() == one


def test_a_change_decided_meanwhile_is_not_written_back(client, proposal):
    """The contributor saves while an editor has just published it."""
    data = {"verdict": "ship", "quote": "Changed my mind."}
    from reviewers.proposals import verdict_proposal_publish

    verdict_proposal_publish(proposal=proposal, by=editor())
    client.post(change_url(proposal), data)
    proposal.refresh_from_db()
    assert proposal.decision == "published"
    assert proposal.quote == "On reflection, too early for a team."
