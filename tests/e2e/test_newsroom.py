"""An editor logs in and the admin opens on the newsroom."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comparisons.models import RequestedPair
from tests.comparisons.factories import ComparisonFactory
from tests.e2e.test_editorial_journey import log_in
from tests.editorial.factories import contributor, superuser
from tests.tools.factories import ToolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_editor_lands_on_the_newsroom_and_opens_what_waits(
    browser, live_server, screenshot_dir
):
    wanda = contributor(username="wanda", first_name="Wanda", last_name="Writer")
    waiting = ComparisonFactory(
        draft=True,
        left=ToolFactory(name="Quillmate"),
        right=ToolFactory(name="Citable"),
        author=wanda,
        review_requested_at=timezone.now(),
        review_requested_by=wanda,
    )
    ComparisonFactory(draft=True, author=wanda)
    RequestedPair.objects.create(
        left=ToolFactory(name="Patchwise"),
        right=ToolFactory(name="Claw Code"),
        requests=3,
    )
    boss = superuser(username="bo")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, boss.username)
    expect(page.locator("#newsroom-part-review")).to_contain_text(
        "Quillmate vs Citable"
    )
    expect(page.locator("#newsroom-part-asked")).to_contain_text(
        "Patchwise vs Claw Code · 3 readers"
    )
    page.screenshot(path=screenshot_dir / "newsroom-1280.png", full_page=True)
    page.locator("#newsroom-part-review a", has_text="Quillmate vs Citable").click()
    page.wait_for_url(f"**/admin/comparisons/comparison/{waiting.pk}/change/")
    page.close()
