"""The tools index, a tool's alternatives, the pair picker and the
methodology page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import browse
from tests.comparisons.factories import ComparisonFactory
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory, VoteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db):
    """Three agents the panel of three judges 3/3, 1/3 and 2/3 ship, and a
    paid GPU cloud nobody judged."""
    agents = CategoryFactory(name="Coding agents", slug="coding-agents")
    personas = ReviewerFactory.create_batch(3)
    tools = {}
    for name, ships in [("Alpha", 3), ("Bravo", 1), ("Charlie", 2)]:
        tool = ToolFactory(name=name, slug=name.lower(), category=agents)
        for index, persona in enumerate(personas):
            verdict = "ship" if index < ships else "skip"
            ReviewFactory(reviewer=persona, tool=tool, verdict=verdict)
        tools[name] = tool
    tools["Delta"] = ToolFactory(
        name="Delta",
        slug="delta",
        category=CategoryFactory(name="GPU clouds", slug="gpu-clouds"),
        pricing_tier="paid",
    )
    return tools


def names_in_order(text: str, names) -> list[str]:
    return sorted(names, key=text.index)


def test_the_index_lists_every_tool_with_both_figures(client, shelf):
    text = text_of(client.get("/tools/"))
    assert "4 tools" in text
    assert "Alpha Alpha does one thing well Coding agents Freemium 100% 3 of 3" in text
    assert "Delta" in text and "No verdicts yet" in text


def test_the_index_sorts_by_panel_ship_by_default(client, shelf):
    text = text_of(client.get("/tools/"))
    assert names_in_order(text, ["Alpha", "Bravo", "Charlie", "Delta"]) == [
        "Alpha",
        "Charlie",
        "Bravo",
        "Delta",
    ]


def test_the_index_sorts_by_name_newest_and_community(client, shelf, settings):
    settings.COMMUNITY_MIN_VOTES = 2
    text = text_of(client.get("/tools/", {"sort": "name"}))
    assert names_in_order(text, ["Delta", "Alpha", "Charlie"]) == [
        "Alpha",
        "Charlie",
        "Delta",
    ]
    text = text_of(client.get("/tools/", {"sort": "newest"}))
    assert names_in_order(text, ["Alpha", "Delta"]) == ["Delta", "Alpha"]
    VoteFactory.create_batch(2, tool=shelf["Bravo"], verdict="ship")
    VoteFactory.create_batch(2, tool=shelf["Alpha"], verdict="skip")
    VoteFactory(tool=shelf["Charlie"], verdict="ship")  # below the minimum
    text = text_of(client.get("/tools/", {"sort": "community"}))
    assert names_in_order(text, ["Alpha", "Bravo", "Charlie"]) == [
        "Bravo",
        "Alpha",
        "Charlie",
    ]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"stance": "ship"}, ["Alpha", "Charlie"], ["Bravo", "Delta"]),
        ({"stance": "skip"}, ["Bravo"], ["Alpha", "Charlie", "Delta"]),
        ({"stance": "split"}, [], ["Alpha", "Bravo", "Charlie", "Delta"]),
        ({"category": "gpu-clouds"}, ["Delta"], ["Alpha", "Bravo"]),
        ({"tier": "paid"}, ["Delta"], ["Alpha", "Charlie"]),
    ],
)
def test_the_index_filters(client, shelf, query, shown, hidden):
    rows = text_of(client.get("/tools/", query)).split("Community")[-1]
    for name in shown:
        assert f"{name} {name} does one thing well" in rows
    for name in hidden:
        assert f"{name} {name} does one thing well" not in rows


def test_a_split_panel_is_found_under_split(client, db):
    personas = ReviewerFactory.create_batch(2)
    tool = ToolFactory(name="Echo")
    ReviewFactory(reviewer=personas[0], tool=tool, verdict="ship")
    ReviewFactory(reviewer=personas[1], tool=tool, verdict="skip")
    assert "Echo Echo does one thing well" in text_of(
        client.get("/tools/", {"stance": "split"})
    )


def test_a_submitted_form_lands_on_the_one_canonical_address(client, shelf, settings):
    response = client.get(
        "/tools/",
        {"category": "gpu-clouds", "tier": "", "stance": "", "sort": "panel"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/tools/?category=gpu-clouds"
    unknown = client.get("/tools/", {"stance": "maybe", "sort": "price"})
    assert unknown["Location"] == "/tools/"
    html = client.get("/tools/", {"category": "gpu-clouds"}).content.decode()
    canonical = f"{settings.SITE_URL}/tools/?category=gpu-clouds"
    assert f'<link rel="canonical" href="{canonical}">' in html


def test_plain_links_keep_the_other_choices(client, shelf):
    html = client.get("/tools/", {"category": "coding-agents"}).content.decode()
    assert 'href="/tools/?category=coding-agents&amp;stance=ship"' in html
    assert 'href="/tools/?category=coding-agents&amp;sort=name"' in html


def test_the_index_pages_keep_the_filters(client, db):
    category = CategoryFactory(name="Agents", slug="agents")
    for n in range(browse.TOOLS_PER_INDEX_PAGE + 2):
        ToolFactory(name=f"Agent {n:02d}", category=category)
    html = client.get("/tools/", {"category": "agents", "sort": "name"}).content
    assert 'href="?category=agents&amp;sort=name&amp;page=2"' in html.decode()
    second = text_of(
        client.get("/tools/", {"category": "agents", "sort": "name", "page": 2})
    )
    assert "Agent 31" in second and "Agent 00" not in second


def test_the_index_costs_the_same_queries_at_any_size(client, shelf):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/tools/", {"category": "coding-agents", "sort": "community"})
        return len(captured)

    few = queries()
    for n in range(20):
        ToolFactory(name=f"More {n}", category=shelf["Alpha"].category)
    assert queries() == few <= 10


def test_alternatives_rank_the_category_and_link_each_pair(client, shelf):
    ComparisonFactory(left=shelf["Charlie"], right=shelf["Alpha"])
    response = client.get("/tools/alpha/alternatives/")
    text, html = text_of(response), response.content.decode()
    assert "Alternatives to Alpha" in text
    assert names_in_order(text.split("Back to Alpha")[1], ["Bravo", "Charlie"]) == [
        "Charlie",
        "Bravo",
    ]
    assert "Delta" not in text
    assert 'href="/compare/charlie-vs-alpha/"' in html
    assert 'href="/compare/alpha-vs-bravo/"' in html
    assert "(not written up yet)" in text


def test_every_tool_page_links_its_alternatives_and_a_pair_picker(client, shelf):
    html = client.get("/tools/alpha/").content.decode()
    assert 'href="/tools/alpha/alternatives/"' in html
    assert 'action="/compare/"' in html and 'name="with"' in html


def test_the_picker_goes_straight_to_a_pair_named_exactly(client, shelf):
    response = client.get("/compare/", {"tool": "alpha", "with": "bravo"})
    assert response["Location"] == "/compare/alpha-vs-bravo/"
    response = client.get("/compare/", {"tool": "alpha", "with": "Delta"})
    assert response["Location"] == "/compare/alpha-vs-delta/"


def test_the_picker_offers_the_closest_names(client, shelf):
    text = text_of(client.get("/compare/", {"tool": "alpha", "with": "charli"}))
    assert "No tool is called exactly “charli”" in text
    assert "Alpha vs Charlie" in text
    text = text_of(client.get("/compare/", {"tool": "alpha", "with": "qqq"}))
    assert "No tool in the catalogue matches “qqq”" in text


def test_the_methodology_explains_the_figures(client, db, settings):
    settings.COMMUNITY_MIN_VOTES = 7
    text = text_of(client.get("/methodology/"))
    assert "The personas are lenses, not people" in text
    assert "“75% · 3 of 4” means three of four personas say ship" in text
    assert "The figure shows from 7 votes on" in text
    assert "moved from skip to ship" in text


def test_every_figure_label_links_to_the_methodology(client, comparison):
    html = client.get(comparison.get_absolute_url()).content.decode()
    assert html.count('href="/methodology/#panel-ship"') >= 2
    assert html.count('href="/methodology/#community"') >= 2
