"""A contributor writes and submits, an editor schedules, the clock passes."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone

from comparisons.beat import run_schedule
from comparisons.models import Comparison
from tests.e2e.accessibility import axe_violations
from tests.editorial.factories import contributor, editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def roles(transactional_db):
    """The groups the migrations make, made again by the migrations' own
    code: a browser test starts from a flushed database."""
    editor_group = importlib.import_module("comparisons.migrations.0002_editor_group")
    workflow_roles = importlib.import_module(
        "comparisons.migrations.0005_workflow_roles"
    )
    if not Group.objects.filter(name=editor_group.EDITOR_GROUP).exists():
        editor_group.create_editor_group(apps, None)
    if not Group.objects.filter(name=workflow_roles.CONTRIBUTOR_GROUP).exists():
        workflow_roles.create_roles(apps, None)


PASSWORD = "correct horse 42"


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
    assert "Workflow: Draft" in page.inner_text("#workflow-heading")
    assert "Publish now" not in page.inner_text("#workflow")
    page.click("text=Submit for review")
    page.wait_for_selector(".messagelist")
    assert "Workflow: In review" in page.inner_text("#workflow-heading")
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
    assert "Ready to publish" in page.inner_text("#workflow")
    page.fill("#id_publish_at", publish_at.strftime("%Y-%m-%dT%H:%M"))
    page.click(".schedule-form button[type=submit]")
    page.wait_for_selector(".messagelist")
    heading = page.inner_text("#workflow-heading")
    assert f"Scheduled for {publish_at:%-d %B %Y, %H:%M}" in heading
    page.screenshot(
        path=screenshot_dir / "workflow-editor-scheduled.png", full_page=True
    )
    page.goto(f"{live_server.url}/admin/comparisons/comparison/")
    assert "Scheduled for" in page.inner_text("#result_list")
    context.close()

    # A reader sees nothing yet.
    reader = browser.new_context(viewport={"width": 375, "height": 800})
    page = reader.new_page()
    page.goto(f"{live_server.url}/")
    assert "Claw Code vs Modal GPU Serverless Inference" not in page.inner_text("main")

    # The clock passes the publication time; beat runs the scheduler.
    with time_machine.travel(publish_at + timedelta(minutes=1)):
        assert run_schedule()["published"] == 1
        page.goto(f"{live_server.url}/")
        assert "Claw Code vs Modal GPU Serverless Inference" in page.inner_text("main")
        page.screenshot(
            path=screenshot_dir / "workflow-live-on-home.png", full_page=True
        )
        page.click("text=Claw Code vs Modal GPU Serverless Inference")
        assert "Which one should you ship with this winter?" in page.inner_text("main")
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
    assert "Live with unpublished changes" in page.inner_text("#workflow-heading")
    page.screenshot(
        path=screenshot_dir / "workflow-live-with-changes.png", full_page=True
    )
    page.fill("#id_bottom_line", "Ship with **Claw Code** unless you need GPUs.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.click("text=History")
    page.click("text=Compare the two revisions")
    assert "1 field changed" in page.inner_text("#content-main")
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
    assert "A sharper standfirst" in page.inner_text("main")
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-preview-link.png", full_page=True)
    page.goto(f"{live_server.url}{comparison.get_absolute_url()}")
    assert "A sharper standfirst" not in page.inner_text("main")
    assert f"{skeptic.name} moved Claw Code from skip to ship" in page.inner_text(
        "main"
    )
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-updated-note.png", full_page=True)
    preview_link_revoke(link=link, by=boss)
    response = page.goto(f"{live_server.url}{link.get_absolute_url()}")
    assert response.status == 404
    assert "This preview link does not work" in page.inner_text("main")
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_dir / "workflow-preview-link-revoked.png")
    reader.close()
