"""A contributor writes and submits, an editor schedules, the clock passes."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from comparisons.beat import run_schedule
from comparisons.models import Comparison
from tests.e2e.accessibility import axe_violations
from tests.editorial.factories import PASSWORD, contributor, editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def choose_tool(page, field: str, name: str) -> None:
    """Pick a tool in the admin's autocomplete box, as a person would."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", name)
    page.click(f".select2-results__option:has-text('{name}')")
    page.wait_for_selector(
        f"#id_{field} option:checked:has-text('{name}')", state="attached"
    )


def test_contributor_writes_editor_schedules_and_it_goes_live(
    browser, live_server, panel, screenshot_dir
):
    writer = contributor(username="wanda", first_name="Wanda", last_name="Writer")
    boss = editor(username="bo", first_name="Bo", last_name="Boss")

    # The contributor writes the comparison and submits it for review.
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    log_in(page, live_server, writer.username)
    page.goto(f"{live_server.url}/admin/comparisons/comparison/add/")
    choose_tool(page, "left", "Claw Code")
    choose_tool(page, "right", "Modal GPU")
    page.fill("#id_standfirst", "Which one should you ship with this winter?")
    page.fill("#id_bottom_line", "Ship with **Modal** for inference at scale.")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    page.wait_for_selector("#workflow")
    heading = page.locator("#workflow-heading")
    expect(heading).to_contain_text("Workflow: Draft", use_inner_text=True)
    expect(page.locator("#workflow")).not_to_contain_text(
        "Publish now", use_inner_text=True
    )
    page.click("text=Submit for review")
    page.wait_for_selector(".messagelist")
    expect(heading).to_contain_text("Workflow: In review", use_inner_text=True)
    page.screenshot(
        path=screenshot_dir / "workflow-contributor-submitted.png", full_page=True
    )
    context.close()

    comparison = Comparison.objects.get()
    assert comparison.in_review

    # The editor schedules it an hour from now.
    publish_at = timezone.localtime() + timedelta(hours=1)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    log_in(page, live_server, boss.username)
    page.goto(f"{live_server.url}/admin/comparisons/comparison/{comparison.pk}/change/")
    expect(page.locator("#workflow")).to_contain_text(
        "Ready to publish", use_inner_text=True
    )
    page.fill("#id_publish_at", publish_at.strftime("%Y-%m-%dT%H:%M"))
    page.click(".schedule-form button[type=submit]")
    page.wait_for_selector(".messagelist")
    expect(page.locator("#workflow-heading")).to_contain_text(
        f"Scheduled for {publish_at:%-d %B %Y, %H:%M}", use_inner_text=True
    )
    page.screenshot(
        path=screenshot_dir / "workflow-editor-scheduled.png", full_page=True
    )
    page.goto(f"{live_server.url}/admin/comparisons/comparison/")
    expect(page.locator("#result_list")).to_contain_text(
        "Scheduled for", use_inner_text=True
    )
    context.close()

    # A reader sees nothing yet.
    reader = browser.new_context(viewport={"width": 375, "height": 800})
    page = reader.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).not_to_contain_text(
        "Claw Code vs Modal GPU Serverless Inference", use_inner_text=True
    )

    # The clock passes the publication time; beat runs the scheduler.
    with time_machine.travel(publish_at + timedelta(minutes=1)):
        assert run_schedule()["published"] == 1
        page.goto(f"{live_server.url}/")
        expect(page.locator("main")).to_contain_text(
            "Claw Code vs Modal GPU Serverless Inference", use_inner_text=True
        )
        page.screenshot(
            path=screenshot_dir / "workflow-live-on-home.png", full_page=True
        )
        page.click("text=Claw Code vs Modal GPU Serverless Inference")
        expect(page.locator("main")).to_contain_text(
            "Which one should you ship with this winter?", use_inner_text=True
        )
    reader.close()


def test_revisions_preview_links_and_update_notes_as_people_see_them(
    browser, live_server, comparison, panel, screenshot_dir
):
    """The diff, a shared preview, a dead link and the Updated note render
    for their readers (screenshots in var/screenshots)."""
    from comparisons.services import preview_link_create, preview_link_revoke

    boss = editor(username="bo", first_name="Bo", last_name="Boss")
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    log_in(page, live_server, boss.username)
    change = f"{live_server.url}/admin/comparisons/comparison/{comparison.pk}/change/"
    page.goto(change)
    page.fill("#id_standfirst", "A sharper standfirst for the winter issue.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    expect(page.locator("#workflow-heading")).to_contain_text(
        "Live with unpublished changes", use_inner_text=True
    )
    page.screenshot(
        path=screenshot_dir / "workflow-live-with-changes.png", full_page=True
    )
    page.fill("#id_bottom_line", "Ship with **Claw Code** unless you need GPUs.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.click("text=History")
    page.click("text=Compare the two revisions")
    expect(page.locator("#content-main")).to_contain_text(
        "1 field changed", use_inner_text=True
    )
    page.screenshot(path=screenshot_dir / "workflow-revision-diff.png", full_page=True)
    context.close()

    link = preview_link_create(comparison=comparison, by=boss)
    skeptic = panel["personas"][1]
    review = skeptic.reviews.get(tool=panel["left"])
    review.verdict = "ship"
    review.save()

    reader = browser.new_context(viewport={"width": 375, "height": 800})
    page = reader.new_page()
    page.goto(f"{live_server.url}{link.get_absolute_url()}")
    main = page.locator("main")
    expect(main).to_contain_text("A sharper standfirst", use_inner_text=True)
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-preview-link.png", full_page=True)
    page.goto(f"{live_server.url}{comparison.get_absolute_url()}")
    expect(main).not_to_contain_text("A sharper standfirst", use_inner_text=True)
    expect(main).to_contain_text(
        f"{skeptic.name} moved Claw Code from skip to ship", use_inner_text=True
    )
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-updated-note.png", full_page=True)
    preview_link_revoke(link=link, by=boss)
    response = page.goto(f"{live_server.url}{link.get_absolute_url()}")
    assert response.status == 404
    expect(main).to_contain_text("This preview link does not work", use_inner_text=True)
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-preview-link-revoked.png")
    reader.close()
