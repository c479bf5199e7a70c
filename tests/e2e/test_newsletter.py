"""A reader signs up from a comparison page and confirms, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from newsletter.models import Subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_a_reader_signs_up_from_a_comparison_page_and_confirms(
    browser,
    live_server,
    comparison,
    smtp_sink,
    eager_tasks,
    screenshot_dir,
    width,  # noqa: F811
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + comparison.get_absolute_url())
    cta = page.get_by_role(
        "heading",
        name="Weekly AI Tool Verdicts: get the next comparison in your inbox",
    )
    cta.scroll_into_view_if_needed()
    expect(cta).to_be_visible()
    # The honeypot is out of sight and out of the tab order.
    assert not page.locator("input[name=website]").is_visible() or (
        page.locator("input[name=website]").bounding_box()["x"] < 0
    )
    page.screenshot(path=screenshot_dir / f"newsletter-cta-{width}.png", full_page=True)

    page.get_by_label("Your email address").fill(f"Reader{width}@Example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    [message] = smtp_sink.to(f"Reader{width}@example.com")
    path = re.search(
        r"https?://[^/\s]+(/newsletter/confirm/\S+/)",
        message.get_body(("plain",)).get_content(),
    ).group(1)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()
    page.screenshot(path=screenshot_dir / f"newsletter-confirmed-{width}.png")
    assert Subscriber.objects.get().status == "active"
    page.close()


def test_an_editor_changes_the_subject_and_sends_a_test_of_it(
    browser, live_server, comparison, smtp_sink, screenshot_dir
):
    from newsletter.models import Issue, IssueComparison
    from tests.editorial.factories import PASSWORD, newsletter_editor

    person = newsletter_editor(username="nell", email="nell@verdicts.example")
    issue = Issue.objects.create(
        iso_year=2026,
        iso_week=48,
        subject="Weekly AI Tool Verdicts: this week",
        status="draft",
    )
    IssueComparison.objects.create(issue=issue, comparison=comparison, position=0)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", person.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/newsletter/issue/{issue.pk}/change/")
    page.screenshot(path=screenshot_dir / "issue-change-1280.png")
    page.fill("#id_subject", "Typed just before the test")
    page.get_by_role("button", name="Send a test to me").click()
    expect(page.locator(".messagelist")).to_contain_text("Your changes were saved.")
    expect(page.locator(".messagelist")).to_contain_text("A test copy went to")
    assert [m["Subject"] for m in smtp_sink.messages] == [
        "[Test] Typed just before the test"
    ]
    expect(page.locator("#id_subject")).to_have_value("Typed just before the test")
    page.close()


def test_the_issue_list_explains_itself_and_assembles_the_next_issue(
    browser, live_server, comparison, screenshot_dir
):
    from tests.editorial.factories import PASSWORD, newsletter_editor

    person = newsletter_editor(username="nora", email="nora@verdicts.example")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/newsletter/issue/")
    page.fill("#id_username", person.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator(".issue-schedule-note")).to_contain_text("beat assembles")
    page.screenshot(path=screenshot_dir / "issue-list-empty-1280.png")
    page.get_by_role("button", name="Assemble the next issue now").click()
    expect(page.locator(".messagelist")).to_contain_text("This is the next issue")
    preview = page.frame_locator("iframe[title='Preview of the email']")
    expect(preview.locator("body")).to_contain_text(comparison.title)
    page.screenshot(path=screenshot_dir / "issue-assembled-1280.png", full_page=True)
    page.close()
