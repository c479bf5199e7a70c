import re

import pytest
from playwright.sync_api import expect

from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import PASSWORD
from tests.reviewers.factories import ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_editor_publishes_the_draft_and_finds_it_on_the_home_page(
    browser, live_server, screenshot_dir, editor
):
    left, right = ToolFactory(name="Quillmate"), ToolFactory(name="Citable")
    # Publishing needs every active persona's verdict on both tools.
    review = ReviewFactory(tool=left)
    ReviewFactory(tool=right, reviewer=review.reviewer)
    ComparisonFactory(left=left, right=right, draft=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Quillmate vs Citable")).to_have_count(0)

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Comparisons", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"/admin/comparisons/comparison/$"))
    row = page.locator("#result_list tbody tr", has_text="Quillmate vs Citable")
    expect(row).to_contain_text("Draft", use_inner_text=True)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    expect(page.get_by_text("Published 1 comparison.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "admin-published.png")

    page.goto(live_server.url + "/")
    link = page.get_by_role("link", name="Quillmate vs Citable")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1")).to_have_text("Quillmate vs Citable", use_inner_text=True)
    page.screenshot(path=screenshot_dir / "published-comparison.png", full_page=True)
    page.close()


def test_every_workflow_button_acts_on_what_was_just_typed(
    browser, live_server, screenshot_dir, editor
):
    """Type, press a workflow button, and find the typed words where the
    step puts them; no button drops an edit."""
    left, right = ToolFactory(name="Quillmate"), ToolFactory(name="Citable")
    review = ReviewFactory(tool=left)
    ReviewFactory(tool=right, reviewer=review.reviewer)
    comparison = ComparisonFactory(left=left, right=right, draft=True)
    change = f"{live_server.url}/admin/comparisons/comparison/{comparison.pk}/change/"
    reader = browser.new_page()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    def type_and_press(button: str, standfirst: str) -> None:
        page.goto(change)
        page.fill("#id_standfirst", standfirst)
        page.get_by_role("button", name=button, exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("Your changes were saved.")

    type_and_press("Publish now", "Typed, then published.")
    reader.goto(live_server.url + comparison.get_absolute_url())
    expect(reader.locator(".standfirst")).to_have_text("Typed, then published.")
    page.screenshot(path=screenshot_dir / "workflow-saved-then-published.png")

    type_and_press("Create a preview link", "Only in the preview.")
    preview = page.locator(".preview-links a").first.get_attribute("href")
    reader.goto(preview)
    expect(reader.locator(".standfirst")).to_have_text("Only in the preview.")
    reader.goto(live_server.url + comparison.get_absolute_url())
    expect(reader.locator(".standfirst")).to_have_text("Typed, then published.")

    type_and_press("Publish the changes now", "Published as changes.")
    reader.goto(live_server.url + comparison.get_absolute_url())
    expect(reader.locator(".standfirst")).to_have_text("Published as changes.")

    type_and_press("Unpublish", "Back to the draft.")
    page.goto(change)
    expect(page.locator("#id_standfirst")).to_have_value("Back to the draft.")
    expect(page.locator("#workflow-heading")).to_contain_text("Unpublished")
    reader.goto(live_server.url + comparison.get_absolute_url())
    expect(reader.locator("main")).to_contain_text(
        "The editors have not compared these yet"
    )
    page.close()
    reader.close()


def test_length_limited_fields_count_their_characters_as_you_type(
    browser, live_server, screenshot_dir, editor
):
    comparison = ComparisonFactory(draft=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/comparisons/comparison/{comparison.pk}/change/")
    count = page.locator("#id_standfirst-count")
    page.fill("#id_standfirst", "x" * 150)
    expect(count).to_have_text("150 of 160 characters")
    page.fill("#id_standfirst", "x" * 170)
    expect(count).to_have_text(
        "170 of 160 characters: longer than search results and link previews show"
    )
    expect(count).to_have_class(re.compile("char-count-over"))
    page.locator("#id_standfirst").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "standfirst-count.png")

    page.goto(f"{live_server.url}/admin/tools/tool/{comparison.left.pk}/change/")
    page.fill("#id_name", "Quillmate Pro")
    expect(page.locator("#id_name-count")).to_have_text("13 of 120 characters")
    page.close()


def test_enter_in_the_schedule_field_saves_and_publishes_nothing(
    browser, live_server, editor, panel
):
    """A comparison in review, ready to publish: the first workflow button
    is "Publish now", which Enter must not press."""
    comparison = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    comparison.review_requested_at = comparison.created_at
    comparison.save()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/comparisons/comparison/{comparison.pk}/change/")
    page.fill("#id_standfirst", "Typed before pressing Enter.")
    page.press("#id_publish_at", "Enter")
    page.wait_for_load_state()
    expect(page.locator("#id_standfirst")).to_have_value("Typed before pressing Enter.")
    comparison.refresh_from_db()
    assert comparison.status == "draft"
    assert comparison.standfirst == "Typed before pressing Enter."
    page.close()
