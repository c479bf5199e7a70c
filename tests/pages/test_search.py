"""Search finds tools, comparisons and personas; on PostgreSQL with weighted
full-text vectors and trigram similarity, on SQLite plainly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import search
from tests.comparisons.factories import ComparisonFactory
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("full-text and trigram search need PostgreSQL")


@pytest.fixture
def catalogue(db):
    agents = CategoryFactory(name="Coding agents", slug="coding-agents")
    gpus = CategoryFactory(name="GPU clouds", slug="gpu-clouds")
    claude = ToolFactory(
        name="Claude Code",
        slug="claude-code",
        category=agents,
        tagline="An agent that edits your repository from the terminal",
        description="Reads the codebase, runs the tests and proposes patches.",
    )
    modal = ToolFactory(
        name="Modal GPU Serverless Inference",
        slug="modal-gpu-serverless-inference",
        category=gpus,
        tagline="Functions on GPUs that scale to zero",
        description="Deploy inference endpoints without managing machines.",
    )
    ToolFactory(
        name="Quillmate",
        category=CategoryFactory(name="Writing", slug="writing"),
        tagline="Drafts newsletters in your voice",
        description="A writing assistant that mentions Claude Code once.",
    )
    written = ComparisonFactory(
        left=claude,
        right=modal,
        standfirst="An agent on your laptop against inference on rented GPUs.",
    )
    ReviewerFactory(name="The Budget Founder", lens="Counts every dollar")
    return {"claude": claude, "modal": modal, "comparison": written}


def found(client, query: str, **extra) -> str:
    response = client.get("/search/", {"q": query, **extra})
    assert response.status_code == 200
    return text_of(response)


def test_a_tool_is_found_by_name_tagline_description_and_category(client, catalogue):
    assert "Claude Code" in found(client, "claude")
    assert "Claude Code" in found(client, "terminal")
    assert "Modal GPU Serverless Inference" in found(client, "endpoints")
    assert "Modal GPU Serverless Inference" in found(client, "gpu clouds")


def test_results_are_grouped_with_counts(client, catalogue):
    text = found(client, "gpu")
    assert "Tools (1)" in text
    assert "Comparisons (1)" in text
    assert "Claude Code vs Modal GPU Serverless Inference" in text
    assert "Personas" not in text.split("Comparisons (1)")[1]


def test_a_persona_is_found(client, catalogue):
    text = found(client, "budget")
    assert "Personas (1)" in text and "The Budget Founder" in text


def test_a_draft_comparison_is_never_found(client, catalogue):
    ComparisonFactory(
        left=catalogue["modal"],
        right=ToolFactory(name="Zephyr Rack"),
        standfirst="A secret draft about xylophones.",
        draft=True,
    )
    assert "Nothing found for “xylophones”" in found(client, "xylophones")


def test_an_empty_query_gets_a_page_that_helps(client, db):
    text = found(client, "")
    assert "Search tools, comparisons and personas" in text
    assert "every tool" in text


def test_a_query_that_finds_nothing_says_what_to_try(client, catalogue):
    text = found(client, "qwzxv")
    assert "Nothing found for “qwzxv”" in text
    assert "Check the spelling" in text


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "'; DROP TABLE tools_tool; --",
        '"unclosed quote',
        "-",
        "or or or",
        "a & b | !c <-> d:*",
        "100%_\\",
        "\x00\x01 nul",
        "\ue000marker\ue001",
        "<script>alert(1)</script>",
    ],
)
def test_any_query_is_safe(client, catalogue, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_one_group_pages_through_its_results_keeping_the_query(client, db):
    category = CategoryFactory(name="Agents", slug="agents")
    for n in range(search.PER_PAGE["tools"] + 3):
        ToolFactory(name=f"Agent {n:02d}", category=category)
    summary = client.get("/search/", {"q": "agent"})
    assert summary.content.decode().count('class="search-result"') == (
        search.BEST_OF_EACH
    )
    assert "All 27 tools for “agent”" in text_of(summary)
    first = client.get("/search/", {"q": "agent", "type": "tools"})
    assert first.content.decode().count('class="search-result"') == 24
    assert 'href="?q=agent&amp;type=tools&amp;page=2"' in first.content.decode()
    second = client.get("/search/", {"q": "agent", "type": "tools", "page": 2})
    assert second.content.decode().count('class="search-result"') == 3


def test_a_search_costs_the_same_few_queries_however_much_it_finds(client, db):
    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", {"q": query}).status_code == 200
        return len(captured)

    category = CategoryFactory(name="Agents", slug="agents")
    ToolFactory(name="Agent One", category=category)
    few = queries("agent")
    for n in range(30):
        ToolFactory(name=f"Agent {n}", category=category)
    ComparisonFactory.create_batch(3)
    assert queries("agent") == few <= 10


def test_the_header_of_every_page_has_a_search_box(client, comparison):
    html = client.get(comparison.get_absolute_url()).content.decode()
    assert 'role="search" action="/search/"' in html
    assert 'name="q"' in html


def test_a_search_is_stored_apart_for_each_query(client, catalogue, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert "Claude Code" in found(client, "claude")
    assert "Claude Code" not in found(client, "budget")


def test_an_excerpt_escapes_what_editors_wrote(client, db, postgresql):
    ToolFactory(
        name="Sneaky",
        tagline="Tags <img src=x onerror=alert(1)> inside",
        description="The word sneaky again",
    )
    html = client.get("/search/", {"q": "sneaky"}).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# PostgreSQL: the stored vectors, ranking, snippets and trigrams.


def test_half_a_word_still_finds_the_tool(client, catalogue, postgresql):
    assert "Claude Code" in found(client, "claude cod")
    assert "Modal GPU Serverless Inference" in found(client, "modal gpu")
    assert "Modal GPU Serverless Inference" in found(client, "serverles")


def test_a_name_match_ranks_above_a_mention(client, catalogue, postgresql):
    text = found(client, "claude code", type="tools")
    assert text.index("Claude Code Coding agents") < text.index("Quillmate")


def test_the_snippet_marks_what_matched(client, catalogue, postgresql):
    html = client.get("/search/", {"q": "patches"}).content.decode()
    assert "<mark>patches</mark>" in html


def test_websearch_syntax_is_understood(client, catalogue, postgresql):
    assert "Quillmate" not in found(client, "claude -newsletters", type="tools")
    assert "Quillmate" in found(client, '"writing assistant"')


def test_the_vectors_follow_renames(client, catalogue, postgresql):
    category = catalogue["modal"].category
    category.name = "Accelerators"
    category.save()
    assert "Modal GPU Serverless Inference" in found(client, "accelerators")
    claude = catalogue["claude"]
    claude.name = "Claude Terminal Agent"
    claude.save()
    text = found(client, "terminal agent")
    assert "Claude Terminal Agent vs Modal GPU Serverless Inference" in text


def test_a_draft_edit_of_a_live_comparison_is_not_searchable(
    client, catalogue, postgresql
):
    from comparisons.services import comparison_save_edit
    from tests.editorial.factories import editor

    live = catalogue["comparison"]
    live.standfirst = "Unpublished words about marmalade."
    comparison_save_edit(comparison=live, by=editor())
    assert "Nothing found" in found(client, "marmalade")
