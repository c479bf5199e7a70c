import pytest
from playwright.sync_api import expect

from tests.comparisons.factories import ComparisonFactory
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def seeded_comparison():
    category = CategoryFactory(name="Developer Tools", slug="developer-tools")
    left = ToolFactory(name="Claw Code", slug="claw-code", category=category)
    right = ToolFactory(
        name="Modal GPU Serverless Inference",
        slug="modal-gpu-serverless-inference",
        category=category,
    )
    for index, persona in enumerate(ReviewerFactory.create_batch(4)):
        ReviewFactory(reviewer=persona, tool=left, verdict="skip" if index else "ship")
        ReviewFactory(reviewer=persona, tool=right)
    return ComparisonFactory(left=left, right=right)


@pytest.mark.parametrize("width", [1280, 375])
def test_comparison_page_layout(
    browser, live_server, seeded_comparison, width, screenshot_dir
):
    """Cards sit side by side on a desktop and stack on a phone, never scrolling
    sideways."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + seeded_comparison.get_absolute_url())
    expect(page.locator("h1")).to_have_text(
        "Claw Code vs Modal GPU Serverless Inference", use_inner_text=True
    )
    cards = page.locator(".contenders .tool-card")
    expect(cards).to_have_count(2)
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    if width >= 768:
        assert abs(first["y"] - second["y"]) < 1
        assert second["x"] >= first["x"] + first["width"]
    else:
        assert abs(first["x"] - second["x"]) < 1
        assert second["y"] >= first["y"] + first["height"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    expect(page.get_by_text("25%", exact=True)).to_be_visible()
    expect(page.locator(".scorecard caption")).to_be_visible()
    page.screenshot(path=screenshot_dir / f"comparison-{width}.png", full_page=True)
    page.close()
