"""From login to a published comparison of two new tools, each with a
verdict from all four personas, in a handful of admin page loads."""

import pytest
from playwright.sync_api import expect

from comparisons.models import Comparison
from tests.e2e.test_editorial_journey import choose_tool, log_in
from tests.editorial.factories import editor
from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_PAGE_LOADS = 8


def fill_tool(page, name: str, verdicts: list[str]) -> None:
    page.fill("#id_name", name)
    page.select_option("#id_category", label="Coding agents")
    page.fill("#id_tagline", f"{name} does one thing well")
    page.fill("#id_description", f"What {name} is for, in a paragraph.")
    page.select_option("#id_pricing_tier", "freemium")
    for index, verdict in enumerate(verdicts):
        page.select_option(f"#id_reviews-{index}-verdict", verdict)
        page.fill(f"#id_reviews-{index}-quote", f"Persona {index} on {name}.")


def test_an_editor_publishes_a_new_pair_in_at_most_eight_page_loads(
    browser, live_server, screenshot_dir
):
    CategoryFactory(name="Coding agents")
    ReviewerFactory.create_batch(4)
    boss = editor(username="bo", first_name="Bo", last_name="Boss")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loads = []
    page.on("load", lambda: loads.append(page.url))

    log_in(page, live_server, boss.username)  # the login page, then the newsroom
    page.click("a.addlink[href$='/admin/tools/tool/add/']")
    fill_tool(page, "Quillmate", ["ship", "ship", "skip", "ship"])
    page.get_by_role("button", name="Save and add another").click()
    expect(page.locator(".messagelist")).to_contain_text("Quillmate")
    fill_tool(page, "Citable", ["ship", "skip", "skip", "ship"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Citable")

    page.goto(f"{live_server.url}/admin/comparisons/comparison/add/")
    choose_tool(page, "left", "Quillmate")
    choose_tool(page, "right", "Citable")
    page.fill("#id_standfirst", "Two writing tools, one verdict.")
    page.fill(
        "#id_bottom_line", "Ship with **Quillmate** unless you cite for a living."
    )
    page.get_by_role("button", name="Save and publish now").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Published: readers see it now."
    )
    page.screenshot(path=screenshot_dir / "editor-day-published.png")

    comparison = Comparison.objects.get()
    assert comparison.is_live
    # Counted: every page the browser loaded, redirects landing included.
    assert 6 <= len(loads) <= MOST_PAGE_LOADS, loads
    page.goto(live_server.url + comparison.get_absolute_url())
    expect(page.locator(".standfirst")).to_have_text("Two writing tools, one verdict.")
    expect(page.locator(".contenders")).to_contain_text("75%")
    page.close()
