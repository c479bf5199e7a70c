import pytest
from django.core.files.base import ContentFile

from demo.images import persona_avatar, tool_logo
from tests.comparisons.factories import ComparisonFactory
from tests.e2e.accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture
def illustrated(panel, settings):
    """The panel's tools and personas with logos and avatars uploaded."""
    settings.ROOT_URLCONF = "tests.e2e.media_urls"
    for tool in (panel["left"], panel["right"]):
        data, alt = tool_logo(tool.slug, tool.name)
        tool.logo = ContentFile(data, name="logo.png")
        tool.logo_alt = alt
        tool.save()
    for persona in panel["personas"][:2]:
        data, alt = persona_avatar(persona.slug, persona.name)
        persona.avatar = ContentFile(data, name="avatar.png")
        persona.avatar_alt = alt
        persona.save()
    return ComparisonFactory(left=panel["left"], right=panel["right"])


LOADED = """
(selector) => Array.from(document.querySelectorAll(selector)).map((img) => ({
  alt: img.alt,
  src: img.currentSrc,
  natural: img.naturalWidth,
  width: img.getBoundingClientRect().width,
  height: img.getBoundingClientRect().height,
}))
"""


@pytest.mark.parametrize("width", [1280, 375])
def test_comparison_page_shows_both_logos(
    live_server, browser, screenshot_dir, illustrated, width
):
    """Both logos load as WebP at their set size, on wide and narrow screens,
    and the page stays free of WCAG AA problems with its pictures in place."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(live_server.url + illustrated.get_absolute_url())
        page.wait_for_load_state("networkidle")
        logos = page.evaluate(LOADED, ".tool-card picture img")
        avatars = page.evaluate(LOADED, ".scorecard picture img")
        page.screenshot(
            path=screenshot_dir / f"comparison-with-logos-{width}.png", full_page=False
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth"
        )
        violations = axe_violations(page)
    finally:
        page.close()
    assert [logo["alt"] for logo in logos] == [
        illustrated.left.logo_alt,
        illustrated.right.logo_alt,
    ]
    for picture in logos + avatars:
        assert picture["natural"] > 0, f"{picture['src']} did not load"
        assert picture["src"].endswith(".webp")
    assert {(logo["width"], logo["height"]) for logo in logos} == {(64, 64)}
    assert {(a["width"], a["height"]) for a in avatars} == {(48, 48)}
    assert len(avatars) == 4  # two uploads, two monograms
    assert not overflow
    assert violations == []
