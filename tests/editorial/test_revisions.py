import re

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from comparisons.services import comparison_save_edit
from editorial.revisions import OUTSIDE_THE_ADMIN
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import save_form, tool_form
from tests.reviewers.factories import ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def versions(obj):
    """Revisions kept by the admin and the workflow, newest first (the
    factory that made the object kept one of its own, left out here)."""
    return list(
        Version.objects.get_for_object(obj)
        .exclude(revision__comment=OUTSIDE_THE_ADMIN)
        .select_related("revision__user")
    )


def test_a_save_outside_the_admin_keeps_a_revision_too(client, panel):
    """A verdict changed by a script is in the history, marked as such."""
    review = panel["personas"][1].reviews.get(tool=panel["left"])
    review.verdict = "ship"
    review.save()
    kept = list(Version.objects.get_for_object(review))
    assert len(kept) == 2
    assert kept[0].field_dict["verdict"] == "ship"
    assert kept[1].field_dict["verdict"] == "skip"
    assert kept[0].revision.user is None
    client.force_login(editor())
    history = client.get(reverse("admin:reviewers_review_history", args=[review.pk]))
    assert history.text.count(f"<td>{OUTSIDE_THE_ADMIN}</td>") == 2
    assert history.text.count("<td>a script</td>") == 2
    assert "the scheduler" not in history.text


def test_every_admin_save_keeps_a_revision_with_author_and_time(client, comparison):
    writer = contributor(first_name="Ada", last_name="Lovelace")
    client.force_login(writer)
    save_form(client, comparison, standfirst="First rewrite.")
    save_form(client, comparison, standfirst="Second rewrite.")
    kept = versions(comparison)
    assert len(kept) == 2
    assert {version.revision.user for version in kept} == {writer}

    history = client.get(
        reverse("admin:comparisons_comparison_history", args=[comparison.pk])
    )
    assert history.text.count("Ada Lovelace") == 2
    assert "Changed Standfirst." in history.text


def test_the_diff_shows_what_changed_field_by_field(client, comparison):
    client.force_login(editor())
    save_form(client, comparison, standfirst="Rewritten standfirst.")
    save_form(
        client,
        comparison,
        standfirst="Rewritten standfirst.",
        bottom_line="A new bottom line.",
    )
    newer, older = versions(comparison)
    response = client.get(
        reverse("admin:comparisons_comparison_compare", args=[comparison.pk]),
        {"from": older.pk, "to": newer.pk},
    )
    assert response.status_code == 200
    rows = {change.label: change for change in response.context["changes"]}
    assert rows["Bottom line (unpublished change)"].after == "A new bottom line."
    assert rows["Standfirst (unpublished change)"].changed is False
    assert rows["Standfirst"].before == rows["Standfirst"].after
    assert response.context["changed_count"] == 1
    assert "1 field changed" in response.text
    assert re.search(r"<strong>Changed</strong>", response.text)


def test_restoring_brings_a_revision_back_as_a_new_draft(client, comparison):
    """After confirmation the old text returns as unpublished changes;
    readers keep the live text."""
    client.force_login(editor())
    save_form(client, comparison, standfirst="Version two.")
    client.post(
        reverse(
            "admin:comparisons_comparison_workflow", args=[comparison.pk, "publish"]
        )
    )
    save_form(client, comparison, standfirst="Version three, unpublished.")
    save_form(client, comparison, standfirst="Version four, unpublished.")
    third = versions(comparison)[1]
    assert (
        third.field_dict["pending_changes"]["standfirst"]
        == "Version three, unpublished."
    )
    url = reverse(
        "admin:comparisons_comparison_restore", args=[comparison.pk, third.pk]
    )

    confirm = client.get(url)
    assert "Restore this revision?" in confirm.text
    assert "Yes, restore it" in confirm.text
    assert "Version three, unpublished." in confirm.text
    comparison.refresh_from_db()
    assert comparison.pending_changes["standfirst"] == "Version four, unpublished."

    response = client.post(url, follow=True)
    assert "back as unpublished changes" in response.text
    comparison.refresh_from_db()
    assert comparison.standfirst == "Version two."
    assert comparison.pending_changes["standfirst"] == "Version three, unpublished."
    assert comparison.status_label == "Live with unpublished changes"
    client.logout()
    page = client.get(comparison.get_absolute_url()).text
    assert "Version two." in page
    assert "Version three" not in page
    assert (
        versions(comparison)[0]
        .revision.get_comment()
        .startswith("Restored the revision of")
    )


def test_a_tool_keeps_revisions_and_can_be_restored(client):
    """Tools have the same history, diff and confirmed restore."""
    tool = ToolFactory(tagline="The first tagline")
    client.force_login(editor())
    url = reverse("admin:tools_tool_change", args=[tool.pk])
    client.post(url, tool_form(client, url))
    client.post(url, {**tool_form(client, url), "tagline": "The second tagline"})
    tool.refresh_from_db()
    assert tool.tagline == "The second tagline"
    newer, older = versions(tool)
    diff = client.get(
        reverse("admin:tools_tool_compare", args=[tool.pk]),
        {"from": older.pk, "to": newer.pk},
    )
    tagline = next(c for c in diff.context["changes"] if c.label == "Tagline")
    assert (tagline.before, tagline.after) == (
        "The first tagline",
        "The second tagline",
    )
    client.post(reverse("admin:tools_tool_restore", args=[tool.pk, older.pk]))
    tool.refresh_from_db()
    assert tool.tagline == "The first tagline"


def test_reversions_own_revert_screens_are_closed(client, comparison):
    """The only way back is the confirmed restore."""
    client.force_login(editor())
    save_form(client, comparison, standfirst="Changed.")
    version = versions(comparison)[0]
    url = f"/admin/comparisons/comparison/{comparison.pk}/history/{version.pk}/"
    response = client.get(url, follow=True)
    assert "to revert to this version" not in response.text
    assert (
        "Recover deleted"
        not in client.get(reverse("admin:comparisons_comparison_changelist")).text
    )


def test_a_draft_comparison_restores_straight_into_the_draft(client, panel):
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], draft=True, standfirst="One."
    )
    client.force_login(editor())
    save_form(client, draft, standfirst="One.")
    save_form(client, draft, standfirst="Two.")
    oldest = versions(draft)[-1]
    client.post(
        reverse("admin:comparisons_comparison_restore", args=[draft.pk, oldest.pk])
    )
    draft.refresh_from_db()
    assert draft.standfirst == "One."
    assert draft.pending_changes is None


def test_a_verdict_edit_keeps_a_revision_and_a_public_change(client, panel):
    """Editing a persona's verdict in the admin keeps a revision and records
    the move from skip to ship."""
    review = panel["personas"][1].reviews.get(tool=panel["left"])
    client.force_login(editor(first_name="Vera", last_name="Verdict"))
    url = reverse("admin:reviewers_review_change", args=[review.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    response = client.post(url, {**data, "verdict": "ship"})
    assert response.status_code == 302
    (version,) = versions(review)
    assert version.revision.user.get_full_name() == "Vera Verdict"
    assert version.field_dict["verdict"] == "ship"
    change = review.tool.verdict_changes.get()
    assert (change.from_verdict, change.to_verdict) == ("skip", "ship")


def test_a_tampered_comparison_of_revisions_is_a_404(client, comparison):
    """Revision ids that are not numbers, or not this object's, find nothing."""
    client.force_login(editor())
    save_form(client, comparison, standfirst="Changed.")
    (version,) = versions(comparison)
    url = reverse("admin:comparisons_comparison_compare", args=[comparison.pk])
    for query in (
        {"from": "abc", "to": version.pk},
        {"from": version.pk, "to": "1 OR 1=1"},
        {"from": version.pk},
        {"from": version.pk, "to": version.pk + 1000},
    ):
        assert client.get(url, query).status_code == 404


def test_restoring_a_verdict_on_a_deleted_tool_is_refused_with_the_reason(
    client, panel
):
    """A verdict moved to another tool, whose first tool was then deleted,
    cannot go back to it: the editor is told why and nothing changes."""
    gone = ToolFactory(name="Gone Tool")
    persona = panel["personas"][0]
    review = ReviewFactory(reviewer=persona, tool=gone, verdict="ship")
    with reversion.create_revision():
        review.save()
    moved_to = ToolFactory(name="Kept Tool")
    review.tool = moved_to
    with reversion.create_revision():
        review.save()
    gone.delete()
    oldest = versions(review)[-1]
    client.force_login(editor())
    url = reverse("admin:reviewers_review_restore", args=[review.pk, oldest.pk])

    response = client.post(url, follow=True)

    assert response.status_code == 200
    assert "This revision cannot be restored as it is" in response.text
    assert "Tool: tool instance with id" in response.text
    assert "is not a valid choice" in response.text
    review.refresh_from_db()
    assert review.tool == moved_to


def test_a_comparison_revision_naming_a_deleted_tool_restores_its_text(client, panel):
    """The confirmation names the deleted tool as such; restoring brings the
    text back and keeps today's pair, since the pair is not restored."""
    gone = ToolFactory(name="Gone Tool", slug="gone-tool")
    draft = ComparisonFactory(
        left=gone, right=panel["right"], draft=True, standfirst="About Gone Tool."
    )
    comparison_save_edit(comparison=draft, by=None)
    draft.left = panel["left"]
    draft.standfirst = "About Claw Code."
    comparison_save_edit(comparison=draft, by=None)
    gone_id = gone.pk
    gone.delete()
    oldest = versions(draft)[-1]
    client.force_login(editor())
    url = reverse("admin:comparisons_comparison_restore", args=[draft.pk, oldest.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert f"(deleted, id {gone_id})" in confirm.text
    response = client.post(url, follow=True)

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.standfirst == "About Gone Tool."
    assert draft.left == panel["left"]
