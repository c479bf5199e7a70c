"""Every list on a reader page comes a page at a time, at a fixed cost."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages import sitemaps, views
from tests.comparisons.factories import ComparisonFactory
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), text_of(response)


def test_a_category_page_shows_its_tools_a_page_at_a_time(client):
    category = CategoryFactory(name="Agents", slug="agents")
    for n in range(views.TOOLS_PER_PAGE + 6):
        ToolFactory(category=category, name=f"Agent {n:02d}")
    url = category.get_absolute_url()

    first = client.get(url)
    assert first.content.decode().count('class="tool-card') == views.TOOLS_PER_PAGE
    assert "Agent 00" in text_of(first) and "Agent 24" not in text_of(first)
    assert "Page 1 of 2" in text_of(first)
    assert 'href="?page=2" rel="next"' in first.content.decode()

    second = client.get(url, {"page": 2})
    assert second.content.decode().count('class="tool-card') == 6
    assert "Agent 29" in text_of(second)


def test_a_category_page_costs_the_same_with_ten_times_the_tools(client):
    small, large = CategoryFactory(), CategoryFactory()
    ToolFactory.create_batch(30, category=small)
    ToolFactory.create_batch(300, category=large)
    with_thirty, _ = queries_for(client, small.get_absolute_url())
    with_three_hundred, _ = queries_for(client, large.get_absolute_url())
    assert with_thirty == with_three_hundred <= 10


def test_page_numbers_that_are_not_there_give_the_nearest_page(client):
    category = CategoryFactory()
    ToolFactory.create_batch(views.TOOLS_PER_PAGE + 1, category=category)
    url = category.get_absolute_url()
    assert "Page 1 of 2" in text_of(client.get(url, {"page": "abc"}))
    assert "Page 2 of 2" in text_of(client.get(url, {"page": 999}))
    assert "Page 1 of 2" in text_of(client.get(url, {"page": -3}))


def test_the_category_list_names_a_few_tools_each_and_counts_the_rest(client):
    agents = CategoryFactory(name="Agents", slug="agents")
    for n in range(12):
        ToolFactory(category=agents, name=f"Agent {n:02d}")
    CategoryFactory(name="Empty", slug="empty")
    queries, page = queries_for(client, "/categories/")
    assert "Agents · 12 tools" in page
    assert "Agent 07" in page and "Agent 08" not in page
    assert "all 12 Agents tools" in page
    assert "Empty · 0 tools No tools yet." in page
    ToolFactory.create_batch(100, category=agents)
    assert queries_for(client, "/categories/")[0] == queries <= 10


def test_the_category_list_is_paginated(client):
    for n in range(views.CATEGORIES_PER_PAGE + 2):
        CategoryFactory(name=f"Kind {n:02d}", slug=f"kind-{n}")
    page = text_of(client.get("/categories/"))
    assert "Kind 29" in page and "Kind 30" not in page and "Page 1 of 2" in page
    assert "Kind 31" in text_of(client.get("/categories/", {"page": 2}))


def test_a_persona_page_pages_its_verdicts_and_counts_them_all(client):
    persona = ReviewerFactory(name="The Skeptic")
    tools = [ToolFactory(name=f"Tool {n:02d}") for n in range(25)]
    for index, tool in enumerate(tools):
        ReviewFactory(
            reviewer=persona, tool=tool, verdict="ship" if index < 15 else "skip"
        )
    url = persona.get_absolute_url()
    queries, first = queries_for(client, url)
    assert "Ship on 15 of 25 tools." in first
    # Newest first: the last five verdicts given are on the first page.
    assert "Tool 24" in first and "Tool 05" in first and "Tool 04" not in first
    assert "Page 1 of 2" in first
    assert "Tool 00" in text_of(client.get(url, {"page": 2}))
    for n in range(25, 60):
        ReviewFactory(reviewer=persona, tool=ToolFactory(name=f"Tool {n:02d}"))
    assert queries_for(client, url)[0] == queries <= 10


def test_the_home_page_costs_the_same_with_many_more_comparisons(client, settings):
    settings.COMPARISONS_PER_PAGE = 4
    ComparisonFactory.create_batch(5)
    with_five, page = queries_for(client, "/")
    assert "Page 1 of 2" in page
    ComparisonFactory.create_batch(40)
    assert queries_for(client, "/")[0] == with_five <= 10


def test_a_tool_page_pages_its_comparisons(client, monkeypatch):
    monkeypatch.setattr(views, "COMPARISONS_PER_TOOL_PAGE", 3)
    tool = ToolFactory(name="Hub Tool")
    for n in range(5):
        ComparisonFactory(left=tool, right=ToolFactory(name=f"Rival {n}"))
    queries, first = queries_for(client, tool.get_absolute_url())
    assert first.count("Hub Tool vs Rival") == 3
    assert "Page 1 of 2" in first
    assert (
        text_of(client.get(tool.get_absolute_url(), {"page": 2})).count(
            "Hub Tool vs Rival"
        )
        == 2
    )
    for n in range(5, 30):
        ComparisonFactory(left=tool, right=ToolFactory(name=f"Rival {n}"))
    assert queries_for(client, tool.get_absolute_url())[0] == queries <= 10


def test_the_sitemap_is_an_index_of_sections_split_into_pages(client, monkeypatch):
    for sitemap in sitemaps.sitemaps.values():
        monkeypatch.setattr(sitemap, "limit", 2)
    ToolFactory.create_batch(5)
    ComparisonFactory(status="draft", published_at=None)
    index = client.get("/sitemap.xml").content.decode()
    sections = re.findall(
        r"<loc>http://testserver(/sitemap-[a-z]+\.xml(?:\?p=\d)?)</loc>", index
    )
    # 5 tools plus the draft's 2 tools: 7 tools, so 4 pages of 2.
    assert sections.count("/sitemap-tools.xml") == 1
    assert "/sitemap-tools.xml?p=4" in sections
    assert "/sitemap-comparisons.xml" in sections
    last = client.get("/sitemap-tools.xml", {"p": 4}).content.decode()
    assert last.count("<url>") == 1
    assert client.get("/sitemap-tools.xml", {"p": 5}).status_code == 404
    comparisons = client.get("/sitemap-comparisons.xml").content.decode()
    assert comparisons.count("<url>") == 0


def test_every_sitemap_address_carries_its_lastmod(client):
    """Each entry of each section, and each section in the index, is dated;
    the index costs the same few queries however large the catalogue."""
    persona = ReviewerFactory()
    comparison = ComparisonFactory()
    ReviewFactory(reviewer=persona, tool=comparison.left)
    queries, _ = queries_for(client, "/sitemap.xml")
    index = client.get("/sitemap.xml").content.decode()
    assert index.count("<sitemap>") == index.count("<lastmod>") == 5
    for section in ["pages", "comparisons", "tools", "personas", "categories"]:
        xml = client.get(f"/sitemap-{section}.xml").content.decode()
        assert xml.count("<url>") == xml.count("<lastmod>") > 0, section
    pages = client.get("/sitemap-pages.xml").content.decode()
    for path in ["/", "/tools/", "/categories/", "/reviewers/", "/methodology/"]:
        assert f"<loc>http://testserver{path}</loc>" in pages
    assert "<lastmod>2026-12-01</lastmod>" in pages  # the methodology's revision
    tools = client.get("/sitemap-tools.xml").content.decode()
    assert (
        f"<lastmod>{comparison.left.updated_at.date().isoformat()}</lastmod>" in tools
    )

    ToolFactory.create_batch(30)
    assert queries_for(client, "/sitemap.xml")[0] == queries


def test_a_persona_verdict_links_the_comparisons_its_tool_appears_in(client):
    persona = ReviewerFactory(name="The Skeptic")
    tool = ToolFactory(name="Alpha")
    ReviewFactory(reviewer=persona, tool=tool)
    ComparisonFactory(left=tool, right=ToolFactory(name="Bravo"))
    ComparisonFactory(left=ToolFactory(name="Charlie"), right=tool)
    ComparisonFactory(left=tool, right=ToolFactory(name="Delta"), draft=True)
    queries, text = queries_for(client, persona.get_absolute_url())
    appears = text.split("Quote number")[1].split(" In ")[1]
    assert "Charlie vs Alpha" in appears and "Alpha vs Bravo" in appears
    assert "Delta" not in text
    for n in range(5):
        other = ToolFactory(name=f"Other {n}")
        ReviewFactory(reviewer=persona, tool=other)
        ComparisonFactory(left=other, right=ToolFactory(name=f"Rival {n}"))
    assert queries_for(client, persona.get_absolute_url())[0] == queries <= 10


def test_a_category_page_lists_its_comparisons_and_sorts_its_tools(client):
    category = CategoryFactory(name="Agents", slug="agents")
    alpha = ToolFactory(name="Alpha", category=category)
    zulu = ToolFactory(name="Zulu", category=category)
    persona = ReviewerFactory()
    ReviewFactory(reviewer=persona, tool=alpha, verdict="skip")
    ReviewFactory(reviewer=persona, tool=zulu, verdict="ship")
    ComparisonFactory(left=zulu, right=ToolFactory(name="Outsider"))
    ComparisonFactory(left=alpha, right=zulu, draft=True)
    by_name = text_of(client.get("/categories/agents/"))
    assert "Latest comparisons Zulu vs Outsider" in by_name
    assert "Alpha vs Zulu" not in by_name
    assert by_name.index("Alpha Alpha does") < by_name.index("Zulu Zulu does")
    by_panel = text_of(client.get("/categories/agents/", {"sort": "panel"}))
    assert by_panel.index("Zulu Zulu does") < by_panel.index("Alpha Alpha does")
    html = client.get("/categories/agents/").content.decode()
    assert 'href="/categories/agents/?sort=panel"' in html


def test_each_category_has_its_own_feed(client):
    agents = CategoryFactory(name="Agents", slug="agents")
    inside = ComparisonFactory(
        left=ToolFactory(name="Alpha", category=agents),
        right=ToolFactory(name="Bravo"),
        standfirst='Fast <script>alert("x")</script> & <img src=x onerror=alert(1)>',
    )
    ComparisonFactory(left=ToolFactory(name="Outsider"), right=ToolFactory())
    ComparisonFactory(left=ToolFactory(category=agents), draft=True)

    page = client.get("/categories/agents/").content.decode()
    assert 'type="application/rss+xml" title="Verdicts: Agents comparisons"' in page
    assert 'href="/categories/agents/feed/"' in page
    response = client.get("/categories/agents/feed/")
    assert response.status_code == 200
    feed = response.content.decode()
    assert "<title>Verdicts: Agents comparisons</title>" in feed
    assert feed.count("<item>") == 1
    assert f"<title>{inside.title}</title>" in feed
    # Escaped for HTML and again for XML: a feed reader shows the text.
    assert "&lt;script&gt;" not in feed and "<script>" not in feed
    assert "&amp;lt;script&amp;gt;alert" in feed
    assert "&amp;lt;img src=x onerror" in feed
    assert client.get("/categories/nothing/feed/").status_code == 404


def test_a_renamed_categorys_feed_redirects(client):
    category = CategoryFactory(slug="agents")
    category.slug = "coding-agents"
    category.save()
    response = client.get("/categories/agents/feed/")
    assert response.status_code == 301
    assert response["Location"] == "/categories/coding-agents/feed/"
