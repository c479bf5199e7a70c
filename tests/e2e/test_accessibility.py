import pytest

from tests.comparisons.factories import ComparisonFactory
from tests.e2e.accessibility import axe_violations
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    comparison = ComparisonFactory()
    for index, persona in enumerate(ReviewerFactory.create_batch(4)):
        ReviewFactory(
            reviewer=persona, tool=comparison.left, verdict="skip" if index else "ship"
        )
        ReviewFactory(reviewer=persona, tool=comparison.right)
    return comparison


@pytest.mark.parametrize("width", [1280, 375])
def test_reader_pages_have_no_wcag_aa_violations(browser, live_server, site, width):
    """axe-core finds no WCAG 2.2 A/AA problem on any reader page."""
    persona = site.left.reviews.first().reviewer
    quick = ToolFactory(name="Quick Pick", category=site.left.category)
    paths = [
        "/",
        site.get_absolute_url(),
        site.left.get_absolute_url(),
        persona.get_absolute_url(),
        "/reviewers/",
        site.left.category.get_absolute_url(),
        "/categories/",
        "/compare/missing-vs-page/",
        # Finding and browsing.
        f"/search/?q={site.left.name}",
        "/search/?q=nothing+like+this",
        "/search/",
        "/tools/",
        f"/tools/?category={site.left.category.slug}&stance=ship&sort=name",
        f"{site.left.get_absolute_url()}alternatives/",
        f"/compare/?tool={site.left.slug}&with=zz",
        f"/compare/{quick.slug}-vs-{site.left.slug}/",
        f"/compare/{quick.slug}-vs-{site.left.slug}/ask/",
        "/methodology/",
    ]
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == (404 if "missing" in path else 200), path
        violations = axe_violations(page)
        if violations:
            problems[path] = violations
    page.close()
    assert problems == {}
