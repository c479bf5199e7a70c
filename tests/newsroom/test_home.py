"""The admin opens on the newsroom: what needs an editor today."""

from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comparisons.models import RequestedPair
from newsletter.models import Issue, IssueComparison
from reviewers.models import VerdictChange, VerdictProposal
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor, newsletter_editor
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def part(page_html: str, key: str) -> str:
    start = page_html.index(f'id="newsroom-part-{key}"')
    end = page_html.index("</section>", start)
    return page_html[start:end]


def newsroom(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode(), len(captured)


@pytest.fixture
def day(db):
    """A newsroom with something in every part."""
    wanda = contributor(username="wanda", first_name="Wanda", last_name="Writer")
    now = timezone.now()
    waiting = ComparisonFactory(
        draft=True,
        left=ToolFactory(name="Alpha"),
        right=ToolFactory(name="Bravo"),
        review_requested_at=now - timedelta(hours=3),
        review_requested_by=wanda,
    )
    soon = ComparisonFactory(
        draft=True,
        left=ToolFactory(name="Charlie"),
        right=ToolFactory(name="Delta"),
        scheduled_at=now + timedelta(days=2),
    )
    ComparisonFactory(
        draft=True, left=ToolFactory(name="Far"), scheduled_at=now + timedelta(days=30)
    )
    for name in ("Echo", "Foxtrot"):
        ComparisonFactory(draft=True, left=ToolFactory(name=name), author=wanda)
    live = ComparisonFactory(
        left=ToolFactory(name="Golf"), right=ToolFactory(name="Hotel")
    )
    issue = Issue.objects.create(
        iso_year=2026, iso_week=49, subject="This week", status="draft"
    )
    IssueComparison.objects.create(issue=issue, comparison=live)
    review = ReviewFactory(
        reviewer=ReviewerFactory(name="The Skeptic"), tool=live.left, verdict="ship"
    )
    VerdictChange.objects.create(
        reviewer=review.reviewer, tool=live.left, from_verdict="skip", to_verdict="ship"
    )
    RequestedPair.objects.create(
        left=ToolFactory(name="India"), right=ToolFactory(name="Juliett"), requests=7
    )
    VerdictProposal.objects.create(
        reviewer=review.reviewer,
        tool=live.right,
        verdict="skip",
        quote="Not for us.",
        proposed_by=wanda,
    )
    return {"waiting": waiting, "soon": soon, "issue": issue, "wanda": wanda}


def test_the_admin_home_shows_what_needs_an_editor_today(client, day, admin_user):
    client.force_login(admin_user)
    page, queries = newsroom(client)

    review = part(page, "review")
    assert "Alpha vs Bravo" in review and "from Wanda Writer" in review
    assert f"/admin/comparisons/comparison/{day['waiting'].pk}/change/" in review
    scheduled = part(page, "scheduled")
    assert "Charlie vs Delta" in scheduled and "Far vs" not in scheduled
    drafts = text_of_part(part(page, "drafts"))
    assert "Wanda Writer · 2 drafts" in drafts
    assert f"author__id__exact={day['wanda'].pk}" in part(page, "drafts")
    issue = text_of_part(part(page, "issue"))
    assert "Week 49, 2026: This week · Draft, no send time yet" in issue
    verdicts = text_of_part(part(page, "verdicts"))
    assert "The Skeptic moved Golf from skip to ship" in verdicts
    proposals = text_of_part(part(page, "proposals"))
    assert (
        "The Skeptic on Hotel: Skip" in proposals and "from Wanda Writer" in proposals
    )
    asked = text_of_part(part(page, "asked"))
    assert "India vs Juliett · 7 readers" in asked
    assert "left=" in part(page, "asked")  # "write it" opens the add form filled in

    # The same number of queries with more of everything.
    for n in range(10):
        ComparisonFactory(
            draft=True,
            left=ToolFactory(name=f"More {n}"),
            review_requested_at=timezone.now(),
        )
        RequestedPair.objects.create(
            left=ToolFactory(), right=ToolFactory(), requests=1
        )
    assert newsroom(client)[1] == queries


def text_of_part(html: str) -> str:
    return text_of(HttpResponse(html))


def test_the_drafts_link_opens_that_authors_drafts(client, day):
    client.force_login(editor())
    response = client.get(
        f"/admin/comparisons/comparison/?state=draft&author__id__exact={day['wanda'].pk}"
    )
    assert response.status_code == 200
    assert "2 comparisons" in response.content.decode()


def test_an_empty_newsroom_says_so_and_offers_the_next_issue(client, admin_user):
    client.force_login(admin_user)
    page, _ = newsroom(client)
    assert "Nothing is waiting for an editor." in page
    assert "No issue is waiting to go out." in page
    assert "Assemble the next issue now" in part(page, "issue")


def test_each_part_shows_only_to_those_who_may_open_it(client, day):
    client.force_login(editor())
    page, _ = newsroom(client)
    assert 'id="newsroom-part-review"' in page
    assert 'id="newsroom-part-issue"' not in page  # the newsletter's own role
    client.force_login(newsletter_editor())
    page, _ = newsroom(client)
    assert 'id="newsroom-part-issue"' in page
    assert 'id="newsroom-part-review"' not in page
