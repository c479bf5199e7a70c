"""The weekly email as a subscriber's mail client shows it, in Chromium."""

import email
from email import policy

import pytest
from django.core.files.base import ContentFile

from demo.images import tool_logo
from newsletter import emails
from newsletter.models import IssueComparison
from tests.comparisons.factories import ComparisonFactory
from tests.newsletter.factories import IssueFactory, SubscriberFactory
from tests.tools.factories import ToolFactory
from tools.models import Tool

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]

IMAGES = """
() => Array.from(document.images).map((img) => ({
  alt: img.alt,
  src: img.currentSrc,
  natural: img.naturalWidth,
  width: img.getBoundingClientRect().width,
}))
"""


@pytest.fixture
def received_html(panel, live_server, settings) -> str:
    """An issue of two comparisons, one pair with logos and one without, as
    the HTML part of the MIME message a subscriber gets."""
    settings.ROOT_URLCONF = "tests.e2e.media_urls"
    settings.SITE_URL = live_server.url
    for tool in (panel["left"], panel["right"]):
        data, alt = tool_logo(tool.slug, tool.name)
        tool.logo = ContentFile(data, name="logo.png")
        tool.logo_alt = alt
        tool.save()
    first = ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        bottom_line="Ship with **Claw Code** when speed matters most. Modal "
        "wins when the GPUs do the work.",
    )
    second = ComparisonFactory(
        left=ToolFactory(name="Patchwise"), right=ToolFactory(name="Agendly")
    )
    issue = IssueFactory(subject="Weekly AI Tool Verdicts: Claw Code vs Modal")
    for position, comparison in enumerate((first, second)):
        IssueComparison.objects.create(
            issue=issue, comparison=comparison, position=position
        )
    reader = SubscriberFactory(email="ada@example.com")
    emails._rendered.cache_clear()
    message = emails.issue_email(
        rendered=emails.rendered_issue(issue),
        subscriber_id=reader.pk,
        email=reader.email,
        unsubscribe_url=emails.unsubscribe_link_maker()(reader.token),
        preferences_url=emails.preferences_link_maker()(reader.token),
    )
    received = email.message_from_bytes(
        message.message().as_bytes(linesep="\r\n"), policy=policy.default
    )
    return received.get_body(("html",)).get_content()


@pytest.mark.parametrize("width", [600, 375])
def test_the_issue_email_reads_well_at_600_and_375_pixels(
    browser, received_html, screenshot_dir, width
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.set_content(received_html, wait_until="load")
    page.screenshot(path=screenshot_dir / f"issue-email-{width}.png", full_page=True)
    text = page.inner_text("body")
    for name in ("Claw Code", "Modal GPU Serverless Inference", "Patchwise", "Agendly"):
        assert name in text
    assert "75% (3 of 4)" in text and "100% (4 of 4)" in text
    assert "Ship with Claw Code when speed matters most." in text
    assert "GPUs do the work" not in text
    assert "This week: 2 new comparisons" in text
    assert "Unsubscribe" in text
    assert "one click on the link below: no login, and no confirmation" in text
    assert "email preferences" in text

    logos = page.evaluate(IMAGES)
    # The second pair has no logos: initials stand in, with no image.
    assert [logo["alt"] for logo in logos] == list(
        Tool.objects.filter(slug__in=["claw-code", "modal-gpu-serverless-inference"])
        .order_by("name")
        .values_list("logo_alt", flat=True)
    )
    for logo in logos:
        assert logo["natural"] > 0, f"{logo['src']} did not load"
        assert logo["width"] == 48
        assert logo["src"].startswith("http")
    assert page.get_by_text("P", exact=True).is_visible()

    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width
    page.close()
