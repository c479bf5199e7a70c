"""Every admin list fits a 1280 px screen with the demo's content."""

import pytest
from django.core.management import call_command

from tests.e2e.test_editorial_journey import log_in
from tests.editorial.factories import superuser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTS = [
    "/admin/tools/tool/",
    "/admin/tools/category/",
    "/admin/reviewers/reviewer/",
    "/admin/reviewers/review/",
    "/admin/comparisons/comparison/",
    "/admin/comparisons/requestedpair/",
    "/admin/newsletter/issue/",
    "/admin/newsletter/subscriber/",
    "/admin/editorial/auditentry/",
    "/admin/",
]


def test_admin_lists_fit_1280_pixels(browser, live_server, screenshot_dir):
    call_command("seed_demo", verbosity=0)
    boss = superuser(username="bo")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, boss.username)
    too_wide = {}
    for path in LISTS:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        # The page itself, and the results table inside its own scroller.
        width = page.evaluate(
            "Math.max(document.documentElement.scrollWidth, ...Array.from("
            "document.querySelectorAll('.results'), e => e.scrollWidth - e.clientWidth"
            " + 1280))"
        )
        if width > 1280:
            too_wide[path] = width
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=screenshot_dir / f"too-wide-{name}.png")
    page.close()
    assert too_wide == {}
