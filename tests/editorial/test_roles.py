"""The role matrix: each role tries each action of the workflow."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from comparisons.models import Comparison
from comparisons.services import comparison_save_edit
from editorial.models import AuditEntry
from reviewers.models import Review, Reviewer, VerdictProposal
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import UserFactory, contributor, editor, superuser
from tests.editorial.helpers import change_url, messages_of, save_form, workflow_url

pytestmark = pytest.mark.django_db

ROLES = {
    "staff without a role": lambda: UserFactory(),
    "Contributor": contributor,
    "Editor": editor,
    "superuser": superuser,
}

# Which roles may do each action.
MATRIX = {
    "edit": {"Contributor", "Editor", "superuser"},
    "submit": {"Contributor", "Editor", "superuser"},
    "publish": {"Editor", "superuser"},
    "schedule": {"Editor", "superuser"},
    "unpublish": {"Editor", "superuser"},
    "restore": {"Editor", "superuser"},
    "delete": {"Editor", "superuser"},
    "read the audit log": {"Editor", "superuser"},
    "propose a verdict change": {"Contributor", "Editor", "superuser"},
    "publish a verdict change": {"Editor", "superuser"},
    "change a verdict directly": {"Editor", "superuser"},
}


@pytest.fixture
def draft(panel):
    return ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)


def try_edit(client, comparison):
    response = client.get(change_url(comparison))
    if response.status_code != 200 or "edit_token" not in response.text:
        return False
    save_form(client, comparison, standfirst="Edited by this role.")
    comparison.refresh_from_db()
    return comparison.standfirst == "Edited by this role."


def try_submit(client, comparison):
    response = client.post(workflow_url(comparison, "submit"), follow=True)
    comparison.refresh_from_db()
    if comparison.in_review:
        return True
    if response.status_code == 200 and response.redirect_chain:
        assert (
            "You cannot submit for review: submitting for review needs the "
            "Contributor or Editor role." in " ".join(messages_of(response))
        )
    return False


def try_publish(client, comparison):
    response = client.post(workflow_url(comparison, "publish"), follow=True)
    comparison.refresh_from_db()
    if comparison.is_live:
        return True
    if response.status_code == 200 and response.redirect_chain:
        assert (
            "You cannot publish: publishing, scheduling and unpublishing need "
            "the Editor role." in " ".join(messages_of(response))
        )
    return False


def assert_refused_as_not_an_editor(response, verb):
    """A refused role that may open the comparison is told which role it
    needs; one that may not open it gets the 403 page."""
    if response.status_code == 403:
        assert "The workflow of a comparison needs the Contributor or Editor role." in (
            response.text
        )
        return
    assert response.redirect_chain
    assert (
        f"You cannot {verb}: publishing, scheduling and unpublishing need "
        "the Editor role." in " ".join(messages_of(response))
    )


def try_schedule(client, comparison):
    when = timezone.localtime() + timedelta(days=1)
    response = client.post(
        workflow_url(comparison, "schedule"),
        {"publish_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    comparison.refresh_from_db()
    if comparison.scheduled_at is not None:
        return True
    assert_refused_as_not_an_editor(response, "schedule")
    return False


def try_unpublish(client, comparison):
    comparison.status = Comparison.Status.PUBLISHED
    comparison.published_at = timezone.now()
    comparison.save()
    response = client.post(workflow_url(comparison, "unpublish"), follow=True)
    comparison.refresh_from_db()
    if comparison.status == Comparison.Status.DRAFT:
        return True
    assert_refused_as_not_an_editor(response, "unpublish")
    return False


def try_restore(client, comparison):
    comparison_save_edit(comparison=comparison, by=None)
    comparison.standfirst = "Second version."
    comparison_save_edit(comparison=comparison, by=None)
    oldest = Version.objects.get_for_object(comparison).last()
    url = reverse(
        "admin:comparisons_comparison_restore", args=[comparison.pk, oldest.pk]
    )
    response = client.post(url, follow=True)
    comparison.refresh_from_db()
    restored = comparison.standfirst != "Second version."
    if not restored and response.status_code == 200 and response.redirect_chain:
        assert "restoring a revision needs the Editor role" in response.text
    return restored


def try_delete(client, comparison):
    url = reverse("admin:comparisons_comparison_delete", args=[comparison.pk])
    client.post(url, {"post": "yes"})
    return not Comparison.objects.filter(pk=comparison.pk).exists()


def try_read_audit_log(client, comparison):
    return (
        client.get(reverse("admin:editorial_auditentry_changelist")).status_code == 200
    )


def try_propose_a_verdict_change(client, comparison):
    persona = Reviewer.objects.filter(active=True).first()
    response = client.post(
        reverse("admin:reviewers_verdictproposal_add"),
        {
            "reviewer": persona.pk,
            "tool": comparison.left.pk,
            "verdict": "skip",
            "quote": "Proposed by this role.",
        },
    )
    proposed = VerdictProposal.objects.filter(quote="Proposed by this role.")
    if proposed.exists():
        assert proposed.get().is_pending
        return True
    assert response.status_code == 403
    return False


def try_publish_a_verdict_change(client, comparison):
    persona = Reviewer.objects.filter(active=True).first()
    proposal = VerdictProposal.objects.create(
        reviewer=persona, tool=comparison.left, verdict="skip", quote="Waiting."
    )
    url = reverse("admin:reviewers_verdictproposal_change", args=[proposal.pk])
    client.post(url, {"verdict": "skip", "quote": "Waiting.", "_decision": "publish"})
    proposal.refresh_from_db()
    published = proposal.decision == "published"
    review = Review.objects.get(reviewer=persona, tool=comparison.left)
    assert (review.verdict == "skip") is published
    return published


def try_change_a_verdict_directly(client, comparison):
    review = Review.objects.filter(tool=comparison.left).first()
    url = reverse("admin:reviewers_review_change", args=[review.pk])
    form = client.get(url)
    if form.status_code != 200 or "edit_token" not in form.text:
        return False
    data = {
        "reviewer": review.reviewer_id,
        "tool": review.tool_id,
        "verdict": "skip" if review.verdict == "ship" else "ship",
        "quote": review.quote,
        "edit_token": form.context["adminform"].form["edit_token"].value(),
    }
    client.post(url, data)
    changed = Review.objects.get(pk=review.pk).verdict != review.verdict
    return changed


ATTEMPTS = {
    "edit": try_edit,
    "submit": try_submit,
    "publish": try_publish,
    "schedule": try_schedule,
    "unpublish": try_unpublish,
    "restore": try_restore,
    "delete": try_delete,
    "read the audit log": try_read_audit_log,
    "propose a verdict change": try_propose_a_verdict_change,
    "publish a verdict change": try_publish_a_verdict_change,
    "change a verdict directly": try_change_a_verdict_directly,
}


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize("role", list(ROLES))
def test_role_matrix(client, draft, role, action):
    """Each role may do exactly what the matrix says; nothing else moves."""
    client.force_login(ROLES[role]())
    assert ATTEMPTS[action](client, draft) is (role in MATRIX[action])


def test_roles_are_made_by_the_migrations():
    contributor_perms = set(
        Group.objects.get(name="Contributor").permissions.values_list(
            "codename", flat=True
        )
    )
    assert "submit_comparison" in contributor_perms
    assert "publish_comparison" not in contributor_perms
    assert "delete_comparison" not in contributor_perms
    assert "view_requestedpair" in contributor_perms
    assert "delete_requestedpair" not in contributor_perms
    editor_perms = set(
        Group.objects.get(name="Editor").permissions.values_list("codename", flat=True)
    )
    assert {"publish_comparison", "restore_comparison", "view_auditentry"} <= (
        editor_perms
    )


def test_editor_group_holds_the_content_permissions_and_nothing_else():
    group = Group.objects.get(name="Editor")
    codenames = set(
        group.permissions.values_list("content_type__app_label", "codename")
    )
    expected = {
        (app, f"{action}_{model}")
        for app, models in {
            "tools": ["category", "tool"],
            "reviewers": ["reviewer", "review"],
            "comparisons": ["comparison"],
        }.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    # Readers' votes: editors see them and clean up review-bombing, but
    # never cast or change one.
    expected |= {("tools", "view_vote"), ("tools", "delete_vote")}
    # Vote bursts: read, and judged (their votes accepted or removed).
    expected |= {("tools", "view_voteburst"), ("tools", "change_voteburst")}
    # Pairs readers asked for: read, and cleared when they will never be
    # written; readers make them, editors never add or change one.
    expected |= {
        ("comparisons", "view_requestedpair"),
        ("comparisons", "delete_requestedpair"),
    }
    # The editorial workflow: submit, publish (and schedule, unpublish),
    # restore revisions, read the audit log.
    # Verdict changes for review: proposed, and published or rejected.
    expected |= {
        ("reviewers", f"{action}_verdictproposal")
        for action in ("add", "change", "view", "publish")
    }
    expected |= {
        ("comparisons", "submit_comparison"),
        ("comparisons", "publish_comparison"),
        ("comparisons", "restore_comparison"),
        ("editorial", "view_auditentry"),
    }
    assert codenames == expected


def test_editor_cannot_reach_users(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403


def test_a_contributor_does_not_see_the_publishing_buttons(client, draft):
    """The page says which role publishing needs instead of offering it."""
    client.force_login(contributor())
    page = client.get(change_url(draft)).text
    assert "Submit for review" in page
    assert "Publish now" not in page
    assert "Publishing, scheduling and unpublishing need the Editor role." in page


def test_a_contributor_cannot_use_the_bulk_publish_action(client, draft):
    """The action is not offered, and posting it anyway publishes nothing."""
    client.force_login(contributor())
    changelist = client.get(reverse("admin:comparisons_comparison_changelist"))
    assert "Publish the selected comparisons" not in changelist.text
    client.post(
        reverse("admin:comparisons_comparison_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status_label == "Draft"
    assert not AuditEntry.objects.filter(action="published").exists()


def test_unpublishing_a_draft_is_refused_with_the_reason(client, draft):
    """Nothing to take down: the editor is told so and no entry is logged."""
    client.force_login(editor())
    response = client.post(workflow_url(draft, "unpublish"), follow=True)
    assert "Claw Code vs Modal GPU Serverless Inference is not published." in (
        " ".join(messages_of(response))
    )
    assert not AuditEntry.objects.filter(action="unpublished").exists()
