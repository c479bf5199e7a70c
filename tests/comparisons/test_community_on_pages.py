"""The community figure beside the panel figure, wherever a tool is shown."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.conftest import fresh_address
from tests.tools.factories import VoteFactory

pytestmark = pytest.mark.django_db


def votes(tool, ship: int, skip: int) -> None:
    VoteFactory.create_batch(ship, tool=tool, verdict="ship")
    VoteFactory.create_batch(skip, tool=tool, verdict="skip")


def test_comparison_page_shows_each_community_figure_beside_the_panel(
    client, comparison, panel
):
    votes(panel["left"], ship=2, skip=3)  # 40% · 5 votes; panel 75%
    votes(panel["right"], ship=3, skip=0)  # below the minimum of 5
    page = text_of(client.get(comparison.get_absolute_url()))
    assert "Panel ship 75% 3 of 4 Community 40% 5 votes" in page
    assert "Panel ship 100% 4 of 4 Community — 3 votes so far" in page


def test_a_sentence_where_panel_and_readers_differ_by_25_points(
    client, comparison, panel
):
    votes(panel["left"], ship=1, skip=4)  # readers 20%, panel 75%
    votes(panel["right"], ship=4, skip=1)  # readers 80%, panel 100%: 20 apart
    page = text_of(client.get(comparison.get_absolute_url()))
    assert page.count("The panel says ship; readers say skip.") == 1
    assert "both lean" not in page


def test_no_sentence_while_readers_have_no_figure(client, comparison, panel):
    votes(panel["left"], ship=0, skip=4)
    page = text_of(client.get(comparison.get_absolute_url()))
    assert "readers say" not in page
    assert "Community — 4 votes so far" in page


def test_the_threshold_is_a_setting(client, comparison, panel, settings):
    settings.COMMUNITY_MIN_VOTES = 2
    votes(panel["left"], ship=1, skip=1)
    page = text_of(client.get(comparison.get_absolute_url()))
    assert "Community 50% 2 votes" in page


def test_tool_page_shows_both_figures_and_the_vote_buttons(client, panel):
    votes(panel["left"], ship=5, skip=0)
    response = client.get(panel["left"].get_absolute_url())
    page = text_of(response)
    assert "Panel ship 75% 3 of 4 Community 100% 5 votes" in page
    html = response.content.decode()
    assert 'action="/tools/claw-code/vote/"' in html
    assert html.count('aria-pressed="false"') == 2


def test_comparison_page_has_ship_and_skip_buttons_for_each_tool(client, comparison):
    html = client.get(comparison.get_absolute_url()).content.decode()
    assert html.count('name="verdict" value="ship" aria-pressed="false"') == 2
    assert html.count('name="verdict" value="skip" aria-pressed="false"') == 2
    assert html.count('role="status"') == 2
    assert "/static/js/votes.js" in html


def test_category_page_shows_both_figures(client, panel):
    votes(panel["left"], ship=4, skip=4)
    page = text_of(client.get(panel["left"].category.get_absolute_url()))
    assert "Panel ship 75% 3 of 4 Community 50% 8 votes" in page


def test_home_page_shows_both_figures_on_each_card(client, comparison, panel):
    votes(panel["left"], ship=1, skip=5)
    page = text_of(client.get(reverse("home")))
    assert "75% panel ship, 3 of 4 17% community, 6 votes" in page
    assert "100% panel ship, 4 of 4 — community, no votes yet" in page
    assert "The panel says ship; readers say skip." in page


def test_anonymous_readers_all_get_the_same_html(comparison, panel):
    """Neither the CSRF token nor a reader's own vote is in the page, so it
    can be cached whole."""
    url = comparison.get_absolute_url()
    voter = Client(REMOTE_ADDR=fresh_address())
    voter.get(reverse("tool-vote", args=[panel["left"].slug]))
    voter.post(reverse("tool-vote", args=[panel["left"].slug]), {"verdict": "ship"})
    pages = []
    for reader in (Client(), Client(), voter):
        response = reader.get(url)
        assert response.status_code == 200
        assert not response.cookies, "a cacheable page sets no cookie"
        pages.append(response.content)
    assert pages[0] == pages[1] == pages[2]
    assert b"csrfmiddlewaretoken" not in pages[0]
    assert b'aria-pressed="true"' not in pages[0]

    tool_url = panel["left"].get_absolute_url()
    assert voter.get(tool_url).content == Client().get(tool_url).content


def comparison_queries(client, comparison, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(10) as captured:
        response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_comparison_page_queries_do_not_grow_with_the_panel(
    client, comparison, panel, django_assert_max_num_queries
):
    votes(panel["left"], ship=3, skip=3)
    votes(panel["right"], ship=1, skip=0)
    with_four = comparison_queries(client, comparison, django_assert_max_num_queries)
    for persona in ReviewerFactory.create_batch(16):
        ReviewFactory(reviewer=persona, tool=panel["left"])
        ReviewFactory(reviewer=persona, tool=panel["right"])
    with_twenty = comparison_queries(client, comparison, django_assert_max_num_queries)
    assert with_four == with_twenty
    page = text_of(client.get(comparison.get_absolute_url()))
    assert "Panel ship 95% 19 of 20 Community 50% 6 votes" in page


def test_comparison_page_fetches_both_tools_votes_in_one_query(
    client, comparison, panel, django_assert_max_num_queries
):
    votes(panel["left"], ship=5, skip=0)
    with django_assert_max_num_queries(10) as captured:
        client.get(comparison.get_absolute_url())
    vote_queries = [
        query["sql"]
        for query in captured.captured_queries
        if "tools_vote" in query["sql"]
    ]
    assert len(vote_queries) == 1


def test_the_next_reader_sees_a_new_vote_at_once(comparison, panel, settings):
    """The page itself may be the stored one; the figures its script fetches
    are live."""
    settings.COMMUNITY_MIN_VOTES = 1
    url = comparison.get_absolute_url()
    assert "Community — No votes yet" in text_of(Client().get(url))
    figures_url = reverse("community-figures")
    tools = ",".join(sorted(tool.slug for tool in comparison.tools))
    before = Client().get(figures_url, {"tools": tools}).json()["figures"]
    assert before[panel["left"].slug]["counts"] == "No votes yet"
    voter = Client(REMOTE_ADDR=fresh_address())
    vote_url = reverse("tool-vote", args=[panel["left"].slug])
    voter.get(vote_url)
    voter.post(vote_url, {"verdict": "skip"})
    after = Client().get(figures_url, {"tools": tools}).json()["figures"]
    assert (
        after[panel["left"].slug]["label"],
        after[panel["left"].slug]["counts"],
    ) == (
        "0%",
        "1 vote",
    )
