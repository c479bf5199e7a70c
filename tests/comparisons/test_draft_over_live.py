import pytest

from comparisons.models import Comparison
from comparisons.services import comparison_save_edit
from comparisons.workflow import WorkflowRefused
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import change_url, messages_of, save_form, workflow_url
from tests.pages import shows_no_written_comparison
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def test_editing_a_live_comparison_keeps_readers_on_the_published_text(
    client, comparison
):
    """An edit to a live comparison waits as unpublished changes; readers
    see the old standfirst until an editor publishes, then the new one."""
    client.force_login(contributor())
    response = save_form(client, comparison, standfirst="A brand new standfirst.")
    assert "Saved as unpublished changes" in " ".join(messages_of(response))

    comparison.refresh_from_db()
    assert comparison.status_label == "Live with unpublished changes"
    assert comparison.standfirst == "Which one should you ship with? The panel decides."
    assert comparison.pending_changes["standfirst"] == "A brand new standfirst."

    client.logout()
    page = client.get(comparison.get_absolute_url())
    assert "The panel decides." in page.text
    assert "A brand new standfirst." not in page.text

    client.force_login(editor())
    staff_view = client.get(comparison.get_absolute_url() + "?preview=draft")
    assert "A brand new standfirst." in staff_view.text
    assert "Readers see the published version, not these changes." in staff_view.text
    assert staff_view["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in staff_view["Cache-Control"]

    client.post(workflow_url(comparison, "publish"))
    client.logout()
    page = client.get(comparison.get_absolute_url())
    assert "A brand new standfirst." in page.text
    assert "The panel decides." not in page.text
    comparison.refresh_from_db()
    assert comparison.pending_changes is None
    assert comparison.status_label == "Live"


def test_the_edit_form_opens_with_the_unpublished_changes(client, comparison):
    """Reopening a comparison shows the draft text, not the live text."""
    comparison.pending_changes = {
        "standfirst": "Pending words.",
        "bottom_line": "Pending.",
    }
    comparison.save()
    client.force_login(editor())
    response = client.get(f"/admin/comparisons/comparison/{comparison.pk}/change/")
    assert "Pending words." in response.text
    assert "Readers see the published version" in response.text


def test_saving_the_published_text_again_leaves_no_draft(client, comparison):
    """Saving without changes does not create unpublished changes."""
    client.force_login(editor())
    save_form(client, comparison)
    comparison.refresh_from_db()
    assert comparison.pending_changes is None
    assert comparison.status_label == "Live"


def test_a_draft_is_saved_straight_to_the_row_and_may_be_incomplete(client, panel):
    """A never-published draft may be saved without standfirst or bottom
    line; readers get not found."""
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], draft=True, standfirst=""
    )
    client.force_login(contributor())
    response = save_form(client, draft, bottom_line="")
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.bottom_line == ""
    assert draft.pending_changes is None
    assert draft.status_label == "Draft"
    client.logout()
    assert shows_no_written_comparison(client.get(draft.get_absolute_url()), draft)


def test_status_labels(panel, settings):
    """One label for each state an editor needs to tell apart."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    c = ComparisonFactory.build(left=panel["left"], right=panel["right"], draft=True)
    assert c.status_label == "Draft"
    c.review_requested_at = now
    assert c.status_label == "In review"
    c.scheduled_at = now + timedelta(hours=2)
    assert c.status_label.startswith("Scheduled for ")
    c.scheduled_at = None
    c.review_requested_at = None
    c.status = Comparison.Status.PUBLISHED
    c.published_at = now - timedelta(days=1)
    assert c.status_label == "Live"
    c.pending_changes = {"standfirst": "x"}
    assert c.status_label == "Live with unpublished changes"
    c.status = Comparison.Status.DRAFT
    c.pending_changes = None
    assert c.status_label == "Unpublished"
    c.status = Comparison.Status.PUBLISHED
    c.expires_at = now - timedelta(minutes=1)
    assert c.status_label == "Unpublished"


def test_the_admin_list_filters_by_status(client, comparison, panel):
    """Editors find the live comparisons with unpublished changes."""
    from django.urls import reverse

    from tests.tools.factories import ToolFactory

    comparison.pending_changes = {"standfirst": "Pending.", "bottom_line": "Pending."}
    comparison.save()
    ComparisonFactory(left=ToolFactory(), right=ToolFactory())
    client.force_login(editor())
    url = reverse("admin:comparisons_comparison_changelist")
    response = client.get(url, {"state": "changes"})
    assert list(response.context["cl"].result_list) == [comparison]
    assert "Live with unpublished changes" in response.text
    assert len(client.get(url, {"state": "live"}).context["cl"].result_list) == 1


def test_the_pair_of_a_published_comparison_stays_put(client, comparison):
    """The two tools are the page's address: the admin shows them read-only
    once published, and the service refuses a change made some other way."""
    client.force_login(editor())
    form = client.get(change_url(comparison)).context["adminform"].form
    assert "left" not in form.fields and "right" not in form.fields

    other = ToolFactory(name="Other Tool")
    comparison.left = other
    with pytest.raises(WorkflowRefused, match="cannot change: its address"):
        comparison_save_edit(comparison=comparison, by=editor())
    comparison.refresh_from_db()
    assert comparison.left.name == "Claw Code"
    assert comparison.slug == "claw-code-vs-modal-gpu-serverless-inference"


def test_the_pair_of_an_unpublished_draft_can_change(panel):
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    draft.left = ToolFactory(name="Other Tool", slug="other-tool")
    comparison_save_edit(comparison=draft, by=editor())
    draft.refresh_from_db()
    assert draft.slug == "other-tool-vs-modal-gpu-serverless-inference"
