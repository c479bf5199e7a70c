from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.comparisons.factories import ComparisonFactory
from tests.reviewers.factories import ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_a_verdict_changed_after_publication_is_noted_on_the_page(client, panel):
    """'<persona> moved <tool> from skip to ship on 3 December', and the
    panel figure follows (3 of 4 becomes 4 of 4)."""
    with time_machine.travel(PUBLISHED, tick=False) as clock:
        comparison = ComparisonFactory(left=panel["left"], right=panel["right"])
        skeptic = panel["personas"][1]
        page = client.get(comparison.get_absolute_url()).text
        assert "Updated" not in page
        assert "3 of 4" in page

        clock.move_to(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
        review = skeptic.reviews.get(tool=panel["left"])
        review.verdict = "ship"
        review.save()
        clock.shift(timedelta(hours=1))
        page = client.get(comparison.get_absolute_url()).text
    assert (
        f"{skeptic.name} moved Claw Code from skip to ship on "
        '<time datetime="2026-12-03T10:00:00+00:00">3 December</time>.'
    ) in page
    assert "Updated" in page
    assert "4 of 4" in page


def test_changes_before_publication_are_not_news(client, panel):
    review = panel["personas"][1].reviews.get(tool=panel["left"])
    review.verdict = "ship"
    review.save()
    comparison = ComparisonFactory(left=panel["left"], right=panel["right"])
    page = client.get(comparison.get_absolute_url()).text
    assert "moved Claw Code" not in page
    assert "Updated" not in page


def test_saving_the_same_verdict_is_not_a_change(panel):
    review = panel["personas"][0].reviews.get(tool=panel["left"])
    review.quote = "New words, same verdict."
    review.save()
    assert not review.tool.verdict_changes.exists()


def page_queries(client, comparison) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_whatever_the_panel_size(client, panel):
    """At most 10 queries, with 4 personas or 12, with or without notes."""
    comparison = ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        published_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    small = page_queries(client, comparison)
    for persona in ReviewerFactory.create_batch(8):
        for tool in (panel["left"], panel["right"]):
            review = ReviewFactory(reviewer=persona, tool=tool, verdict="skip")
            review.verdict = "ship"
            review.save()
    large = page_queries(client, comparison)
    assert small == large
    assert large <= 10
    assert (
        "moved Claw Code from skip to ship"
        in client.get(comparison.get_absolute_url()).text
    )
