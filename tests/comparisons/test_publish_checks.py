import pytest

from comparisons.workflow import comparison_publish_check
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import editor
from tests.editorial.helpers import change_url, messages_of, workflow_url
from tests.pages import shows_no_written_comparison
from tests.reviewers.factories import ReviewerFactory

pytestmark = pytest.mark.django_db


def test_publishing_is_refused_with_the_list_of_what_is_missing(client, panel):
    """No standfirst, no bottom line and a persona without verdicts: the
    editor is told all three and the comparison stays unpublished."""
    newcomer = ReviewerFactory(name="The Newcomer")
    draft = ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        draft=True,
        standfirst="",
        bottom_line="  ",
    )
    client.force_login(editor())
    response = client.post(workflow_url(draft, "publish"), follow=True)
    text = " ".join(messages_of(response))
    assert "cannot be published yet" in text
    assert "The standfirst is empty." in text
    assert "The bottom line is empty." in text
    assert f"{newcomer.name} has no verdict on Claw Code yet." in text
    assert f"{newcomer.name} has no verdict on Modal GPU Serverless" in text
    draft.refresh_from_db()
    assert draft.status_label == "Draft"
    client.logout()
    assert shows_no_written_comparison(client.get(draft.get_absolute_url()), draft)


def test_scheduling_is_refused_too_when_something_is_missing(client, panel):
    """The same checks guard a schedule."""
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], draft=True, bottom_line=""
    )
    client.force_login(editor())
    response = client.post(
        workflow_url(draft, "schedule"),
        {"publish_at": "2099-01-01T09:00"},
        follow=True,
    )
    assert "The bottom line is empty." in " ".join(messages_of(response))
    draft.refresh_from_db()
    assert draft.scheduled_at is None


def test_optional_gaps_are_warnings_that_do_not_block(client, panel):
    """A long standfirst and a logo without alt text warn; publishing goes
    ahead."""
    panel["left"].logo = "logos/claw.png"
    panel["left"].save()
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], draft=True, standfirst="x" * 200
    )
    check = comparison_publish_check(comparison=draft)
    assert check.ok
    assert any("200 characters" in warning for warning in check.warnings)
    assert "Claw Code's logo has no alt text." in check.warnings

    client.force_login(editor())
    page = client.get(change_url(draft))
    assert "Worth fixing (does not block publishing)" in page.text
    assert "Claw Code&#x27;s logo has no alt text." in page.text
    client.post(workflow_url(draft, "publish"))
    draft.refresh_from_db()
    assert draft.is_live


def test_the_checks_read_the_unpublished_changes(comparison):
    """Pending changes that empty the bottom line cannot be published."""
    comparison.pending_changes = {
        "standfirst": comparison.standfirst,
        "bottom_line": "",
    }
    check = comparison_publish_check(comparison=comparison)
    assert check.problems == ["The bottom line is empty."]
