"""A reader votes on the comparison page in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import axe_violations
from tests.tools.factories import VoteFactory
from tools.models import Vote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def voting(settings, comparison, panel):
    """Four readers already said skip to Claw Code: one vote short of a figure."""
    settings.VOTE_RATE_LIMIT = 1000
    VoteFactory.create_batch(4, tool=panel["left"], verdict="skip")
    return comparison


def community(page, slug: str):
    return page.locator(f'[data-community-figure="{slug}"]')


def test_clicking_ship_updates_the_figure_and_announces_it(
    browser, live_server, voting, panel, screenshot_dir
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + voting.get_absolute_url())
    card = page.locator("#vote-claw-code")
    ship = card.get_by_role("button", name="Ship")
    status = card.get_by_role("status")

    expect(community(page, "claw-code")).to_have_text("— 4 votes so far")
    expect(ship).to_have_attribute("aria-pressed", "false")
    expect(status).to_have_text("")
    page.screenshot(path=screenshot_dir / "vote-before.png", full_page=True)

    ship.click()

    expect(status).to_have_text("Vote recorded")
    expect(community(page, "claw-code")).to_have_text("20% 5 votes")
    expect(ship).to_have_attribute("aria-pressed", "true")
    expect(card).to_contain_text("You vote ship.")
    page.locator(".contenders").screenshot(path=screenshot_dir / "vote-after.png")
    assert axe_violations(page) == []
    assert Vote.objects.filter(tool=panel["left"], verdict="ship").count() == 1

    # The reader's own vote comes back on the next visit, from the endpoint.
    page.reload()
    expect(card.get_by_role("button", name="Ship")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(community(page, "claw-code")).to_have_text("20% 5 votes")

    # Pressing it again withdraws the vote.
    card.get_by_role("button", name="Ship").click()
    expect(status).to_have_text("Vote withdrawn")
    expect(community(page, "claw-code")).to_have_text("— 4 votes so far")
    expect(ship).to_have_attribute("aria-pressed", "false")
    context.close()


def test_voting_on_a_phone_screen(browser, live_server, voting, screenshot_dir):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + voting.get_absolute_url())
    card = page.locator("#vote-modal-gpu-serverless-inference")
    skip = card.get_by_role("button", name="Skip")
    box = skip.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    skip.click()
    expect(card.get_by_role("status")).to_have_text("Vote recorded")
    expect(community(page, "modal-gpu-serverless-inference")).to_have_text(
        "— 1 vote so far"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card.screenshot(path=screenshot_dir / "vote-phone.png")
    context.close()


def test_voting_without_javascript_confirms_then_goes_back(
    browser, live_server, voting, panel, screenshot_dir
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + voting.get_absolute_url())
    page.locator("#vote-claw-code").get_by_role("button", name="Ship").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your vote on Claw Code")
    page.screenshot(path=screenshot_dir / "vote-confirm.png", full_page=True)
    page.get_by_role("button", name="Confirm: vote ship").click()

    expect(page).to_have_url(live_server.url + voting.get_absolute_url())
    expect(page.get_by_role("status").first).to_have_text(
        "Vote recorded: you say ship to Claw Code."
    )
    expect(community(page, "claw-code")).to_have_text("20% 5 votes")
    page.screenshot(path=screenshot_dir / "vote-confirmed.png")
    assert Vote.objects.filter(tool=panel["left"], verdict="ship").count() == 1
    context.close()


def test_the_confirmation_page_has_no_wcag_aa_violations(browser, live_server, voting):
    page = browser.new_page()
    page.goto(
        f"{live_server.url}/tools/claw-code/vote/?verdict=skip"
        f"&next={voting.get_absolute_url()}"
    )
    expect(page.get_by_role("button", name="Confirm: vote skip")).to_be_visible()
    assert axe_violations(page) == []
    page.close()


def test_a_refused_vote_is_announced_and_changes_nothing(
    browser, live_server, voting, settings
):
    settings.VOTE_RATE_LIMIT = 0
    page = browser.new_page()
    page.goto(live_server.url + voting.get_absolute_url())
    card = page.locator("#vote-claw-code")
    card.get_by_role("button", name="Ship").click()
    expect(card.get_by_role("status")).to_have_text(
        "Too many votes from your network in a short time. Your vote was not "
        "counted; please try again in a few minutes."
    )
    expect(card.get_by_role("button", name="Ship")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(community(page, "claw-code")).to_have_text("— 4 votes so far")
    page.close()


def test_a_reader_who_never_voted_costs_one_shared_figures_request(
    browser, live_server, voting
):
    """Only the cacheable figures JSON is fetched until the reader votes;
    once they have, their own votes are asked for on each visit."""
    context = browser.new_context()
    page = context.new_page()
    asked: list[str] = []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url)
            if request.resource_type in ("document", "fetch", "xhr")
            else None
        ),
    )
    page.goto(live_server.url + voting.get_absolute_url())
    expect(community(page, "claw-code")).to_have_text("— 4 votes so far")
    page.wait_for_load_state("networkidle")
    base = live_server.url
    assert asked == [
        base + voting.get_absolute_url(),
        base
        + "/community/figures.json?tools=claw-code%2Cmodal-gpu-serverless-inference",
    ]

    asked.clear()
    page.locator("#vote-claw-code").get_by_role("button", name="Ship").click()
    expect(page.locator("#vote-claw-code").get_by_role("status")).to_have_text(
        "Vote recorded"
    )
    assert [url.split("?")[0] for url in asked] == [
        base + "/community/mine.json",
        base + "/tools/claw-code/vote/",
    ]

    asked.clear()
    page.reload()
    expect(
        page.locator("#vote-claw-code").get_by_role("button", name="Ship")
    ).to_have_attribute("aria-pressed", "true")
    page.wait_for_load_state("networkidle")
    assert sorted(url.split("?")[0] for url in asked) == sorted(
        [
            base + voting.get_absolute_url(),
            base + "/community/figures.json",
            base + "/community/mine.json",
        ]
    )
    context.close()
