import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.comparisons.factories import ComparisonFactory
from tests.reviewers.factories import ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def seat_personas(count: int, *tools) -> None:
    for persona in ReviewerFactory.create_batch(count):
        for tool in tools:
            ReviewFactory(reviewer=persona, tool=tool)


def count_queries(client, url: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="persona-cell"') == rows
    return len(captured)


def test_comparison_page_query_count_does_not_grow_with_the_panel(client):
    """The comparison page runs the same queries with 4 personas as with 20."""
    comparison = ComparisonFactory()
    url = comparison.get_absolute_url()
    seat_personas(4, comparison.left, comparison.right)
    with_four = count_queries(client, url, rows=4)
    seat_personas(16, comparison.left, comparison.right)
    with_twenty = count_queries(client, url, rows=20)
    assert with_four == with_twenty
    assert with_four <= 10


def test_tool_page_query_count_does_not_grow_with_the_panel(client):
    comparison = ComparisonFactory()
    url = comparison.left.get_absolute_url()
    seat_personas(4, comparison.left)
    with_four = count_queries(client, url, rows=4)
    seat_personas(16, comparison.left)
    assert count_queries(client, url, rows=20) == with_four <= 10
