"""A reader searches, filters the tools index, opens a tool's alternatives
and asks for a comparison nobody wrote; an editor then finds the request
in the admin and starts writing it."""

import pytest
from playwright.sync_api import expect

from comparisons.models import RequestedPair
from tests.comparisons.factories import ComparisonFactory
from tests.e2e.test_editorial_journey import log_in
from tests.editorial.factories import editor
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelf():
    """Three coding agents the panel of three ships 3/3, 1/3 and 2/3, a GPU
    cloud, and one written comparison (Alpha vs Charlie)."""
    agents = CategoryFactory(name="Coding agents", slug="coding-agents")
    personas = ReviewerFactory.create_batch(3)
    tools = {}
    for name, ships in [("Alpha", 3), ("Bravo", 1), ("Charlie", 2)]:
        tool = ToolFactory(
            name=f"{name} Agent",
            slug=f"{name.lower()}-agent",
            category=agents,
            description=f"The long story of {name} Agent. " * 30,
        )
        for index, persona in enumerate(personas):
            verdict = "ship" if index < ships else "skip"
            ReviewFactory(reviewer=persona, tool=tool, verdict=verdict)
        tools[name] = tool
    ToolFactory(
        name="Delta GPU",
        category=CategoryFactory(name="GPU clouds", slug="gpu-clouds"),
        pricing_tier="paid",
    )
    comparison = ComparisonFactory(
        left=tools["Alpha"],
        right=tools["Charlie"],
        bottom_line="Ship with **Alpha Agent** unless you need Charlie's plugins. "
        "The rest is taste.",
    )
    return {**tools, "comparison": comparison}


def test_a_reader_finds_filters_and_asks_and_an_editor_sees_the_request(
    browser, live_server, shelf, screenshot_dir
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Search from the header box of the home page.
    page.goto(live_server.url + "/")
    page.fill("#site-search-q", "bravo")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/?q=bravo")
    expect(page.locator("h1")).to_contain_text("for “bravo”")
    page.screenshot(path=screenshot_dir / "search-1280.png", full_page=True)
    page.click(".search-result a:text('Bravo Agent')")
    page.wait_for_url("**/tools/bravo-agent/")

    # Its alternatives, the panel's favourite first; no comparison with
    # Alpha is written, so the link is the quick comparison.
    page.click("text=Alternatives to Bravo Agent in Coding agents")
    page.wait_for_url("**/tools/bravo-agent/alternatives/")
    names = page.locator("main h2 a").all_inner_texts()
    assert names == ["Alpha Agent", "Charlie Agent"]
    page.screenshot(path=screenshot_dir / "alternatives-1280.png", full_page=True)
    page.click("text=Bravo Agent and Alpha Agent side by side")
    page.wait_for_url("**/compare/bravo-agent-vs-alpha-agent/")
    expect(page.locator("main")).to_contain_text(
        "The editors have not compared these yet"
    )

    # Ask for it: a confirmation page, then the request.
    page.click("text=Ask the editors to compare these")
    page.wait_for_url("**/compare/bravo-agent-vs-alpha-agent/ask/")
    page.click("button:text('Ask for this comparison')")
    expect(page.locator("main")).to_contain_text("the editors now know you want")
    assert RequestedPair.objects.get().requests == 1

    # The tools index, filtered with the form: one canonical address.
    page.goto(live_server.url + "/tools/")
    expect(page.locator("main")).to_contain_text("4 tools")
    page.select_option("#filter-category", "coding-agents")
    page.select_option("#filter-sort", "name")
    page.click("button:text('Show tools')")
    page.wait_for_url("**/tools/?category=coding-agents&sort=name")
    rows = page.locator("table.tool-index tbody th a").all_inner_texts()
    assert rows == ["Alpha Agent", "Bravo Agent", "Charlie Agent"]
    page.click(".filter-links a:text('The panel skips')")
    page.wait_for_url("**/tools/?category=coding-agents&stance=skip&sort=name")
    rows = page.locator("table.tool-index tbody th a").all_inner_texts()
    assert rows == ["Bravo Agent"]
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert canonical.endswith("/tools/?category=coding-agents&stance=skip&sort=name")
    page.screenshot(path=screenshot_dir / "tools-index-1280.png", full_page=True)
    context.close()

    # The editor finds the request and starts writing the comparison.
    boss = editor(username="bo", first_name="Bo", last_name="Boss")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, boss.username)
    page.goto(live_server.url + "/admin/comparisons/requestedpair/")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Bravo Agent")
    expect(row).to_contain_text("Alpha Agent")
    page.screenshot(path=screenshot_dir / "requested-pairs-admin.png", full_page=True)
    row.locator("text=Write this comparison").click()
    page.wait_for_url("**/admin/comparisons/comparison/add/**")
    selected = [
        page.locator(f"#id_{side} option:checked").inner_text()
        for side in ("left", "right")
    ]
    assert sorted(selected) == ["Alpha Agent", "Bravo Agent"]
    context.close()


def test_on_a_phone_the_verdict_comes_before_the_descriptions(
    browser, live_server, shelf, screenshot_dir
):
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(live_server.url + shelf["comparison"].get_absolute_url())
    glance = page.locator(".verdict-glance")
    expect(glance).to_contain_text(
        "Ship with Alpha Agent unless you need Charlie's plugins."
    )
    figures = page.locator(".contenders .figures").all()
    description = page.locator(".tool-description").first
    bottoms = [figure.bounding_box() for figure in figures]
    top_of_description = description.bounding_box()["y"]
    glance_box = glance.bounding_box()
    assert len(bottoms) == 2
    assert all(box["y"] + box["height"] <= glance_box["y"] for box in bottoms)
    assert glance_box["y"] + glance_box["height"] <= top_of_description
    page.screenshot(path=screenshot_dir / "comparison-glance-375.png", full_page=True)
    page.close()
