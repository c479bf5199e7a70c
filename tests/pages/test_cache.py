"""Reader pages come from the cache, and are fresh the moment content changes."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comparisons.cards import comparison_card_refresh
from comparisons.services import comparison_publish, comparison_unpublish
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import editor
from tests.pages import shows_no_written_comparison, text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.conftest import fresh_address
from tools.models import Tool
from tools.tasks import tool_logo_renditions

pytestmark = pytest.mark.django_db


def served_from_cache(client: Client, url: str, django_assert_num_queries) -> str:
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 200
    return text_of(response)


def test_a_second_reader_gets_the_page_without_a_query(
    client, comparison, django_assert_num_queries
):
    url = comparison.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    page = served_from_cache(Client(), url, django_assert_num_queries)
    assert page == text_of(first)
    assert "Claw Code vs Modal GPU Serverless Inference" in page


@pytest.mark.parametrize(
    "url_of",
    [
        lambda c: "/",
        lambda c: c.left.get_absolute_url(),
        lambda c: c.left.category.get_absolute_url(),
        lambda c: "/categories/",
        lambda c: "/reviewers/",
        lambda c: "/feed/",
        lambda c: "/sitemap.xml",
        lambda c: "/sitemap-comparisons.xml",
    ],
    ids=[
        "home",
        "tool",
        "category",
        "categories",
        "panel",
        "feed",
        "sitemap",
        "section",
    ],
)
def test_every_reader_page_is_stored(
    client, comparison, url_of, django_assert_num_queries
):
    url = url_of(comparison)
    assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert Client().get(url).status_code == 200


def test_unknown_parameters_share_the_stored_page(
    client, comparison, django_assert_num_queries
):
    client.get("/")
    with django_assert_num_queries(0):
        Client().get("/", {"utm_source": "newsletter", "ref": "x" * 500})


def test_an_edited_tool_shows_on_every_page_at_once(client, comparison):
    pages = ["/", comparison.get_absolute_url(), comparison.left.get_absolute_url()]
    for url in pages:
        assert "Claw Code" in text_of(client.get(url))
    tool = Tool.objects.get(pk=comparison.left_id)
    tool.name = "Claw Code Pro"
    tool.save()
    for url in pages:
        assert "Claw Code Pro" in text_of(Client().get(url)), url


def test_publishing_and_unpublishing_show_at_once(client, panel):
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], status="draft", published_at=None
    )
    assert draft.title not in text_of(client.get("/"))
    comparison_publish(comparison=draft, by=editor())
    assert draft.title in text_of(Client().get("/"))
    assert Client().get(draft.get_absolute_url()).status_code == 200
    comparison_unpublish(comparison=draft, by=editor())
    assert draft.title not in text_of(Client().get("/"))
    assert shows_no_written_comparison(Client().get(draft.get_absolute_url()), draft)


def test_a_verdict_change_and_a_persona_edit_show_at_once(client, comparison, panel):
    url = comparison.get_absolute_url()
    assert "Panel ship 75% 3 of 4" in text_of(client.get(url))
    review = panel["personas"][1].reviews.get(tool=panel["left"])
    review.verdict = "ship"
    review.save()
    assert "Panel ship 100% 4 of 4" in text_of(Client().get(url))
    persona = panel["personas"][0]
    persona.lens = "Whether it survives a Friday deploy"
    persona.save()
    assert "Whether it survives a Friday deploy" in text_of(Client().get(url))
    newcomer = ReviewerFactory(name="The Newcomer")
    ReviewFactory(reviewer=newcomer, tool=panel["left"], verdict="skip")
    assert "The Newcomer" in text_of(Client().get(url))


def test_a_category_rename_shows_at_once(client, comparison):
    category = comparison.left.category
    assert category.name in text_of(client.get("/categories/"))
    category.name = "Coding agents, renamed"
    category.save()
    assert "Coding agents, renamed" in text_of(Client().get("/categories/"))


def test_new_renditions_and_cards_show_at_once(client, comparison, eager_tasks):
    url = comparison.get_absolute_url()
    before = client.get(url).content.decode()
    assert "og:image" not in before
    assert comparison_card_refresh(comparison_id=comparison.pk)
    assert 'property="og:image"' in Client().get(url).content.decode()
    tool_page = comparison.left.get_absolute_url()
    assert "renditions/logos" not in Client().get(tool_page).content.decode()
    assert tool_logo_renditions(comparison.left_id)
    assert "renditions/logos" in Client().get(tool_page).content.decode()


def test_a_publication_time_coming_round_shows_without_a_write(client, panel):
    later = timezone.now() + timedelta(hours=2)
    coming = ComparisonFactory(
        left=panel["left"], right=panel["right"], published_at=later
    )
    assert coming.title not in text_of(client.get("/"))
    with time_machine.travel(later + timedelta(seconds=1)):
        assert coming.title in text_of(Client().get("/"))


def test_an_expiry_time_coming_round_shows_without_a_write(client, comparison):
    comparison.expires_at = timezone.now() + timedelta(hours=1)
    comparison.save()
    assert comparison.title in text_of(client.get("/"))
    with time_machine.travel(comparison.expires_at + timedelta(seconds=1)):
        assert comparison.title not in text_of(Client().get("/"))


def test_votes_do_not_make_pages_stale_but_the_figures_follow(
    comparison, panel, settings, django_assert_num_queries
):
    settings.COMMUNITY_MIN_VOTES = 1
    url = comparison.get_absolute_url()
    assert "Community — No votes yet" in text_of(Client().get(url))
    voter = Client(REMOTE_ADDR=fresh_address())
    vote_url = reverse("tool-vote", args=[panel["left"].slug])
    voter.get(vote_url)
    voter.post(vote_url, {"verdict": "ship"})
    assert "Community — No votes yet" in served_from_cache(
        Client(), url, django_assert_num_queries
    )
    figures = (
        Client()
        .get(reverse("community-figures"), {"tools": panel["left"].slug})
        .json()["figures"]
    )
    assert figures[panel["left"].slug]["text"] == "100% · 1 vote"


def test_staff_and_readers_with_a_message_are_never_served_or_stored(
    client, comparison
):
    url = comparison.get_absolute_url()
    staff = Client()
    staff.force_login(editor())
    response = staff.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    reader = Client()
    reader.cookies["messages"] = "something signed"
    assert reader.get(url).status_code == 200
    # Neither stored it: the next anonymous reader renders it.
    with CaptureQueriesContext(connection) as captured:
        Client().get(url)
    assert len(captured) > 0


def test_a_staff_preview_of_a_draft_is_not_stored(client, panel):
    draft = ComparisonFactory(
        left=panel["left"], right=panel["right"], status="draft", published_at=None
    )
    staff = Client()
    staff.force_login(editor())
    assert "Draft" in text_of(staff.get(draft.get_absolute_url()))
    assert shows_no_written_comparison(Client().get(draft.get_absolute_url()), draft)


def test_pages_carry_headers_for_a_cdn_and_answer_304(client, comparison, settings):
    url = comparison.get_absolute_url()
    first = client.get(url)
    cache_control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert cache_control == {
        "public",
        f"max-age={settings.PAGE_BROWSER_SECONDS}",
        f"s-maxage={settings.PAGE_CDN_SECONDS}",
        f"stale-while-revalidate={settings.PAGE_STALE_SECONDS}",
    }
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    again = Client().get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    assert Client().get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_page_cache_can_be_turned_off(client, comparison, settings):
    settings.PAGE_CACHE_SECONDS = 0
    url = comparison.get_absolute_url()
    assert "Cache-Control" not in client.get(url)
    assert "Claw Code" in text_of(client.get(url))


def test_pages_and_edits_still_work_while_the_cache_is_down(
    client, comparison, settings
):
    """Readers get the page rendered, and an editor's save goes through."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ReusingRedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens there
        }
    }
    url = comparison.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    assert "Claw Code vs Modal GPU Serverless Inference" in text_of(response)
    tool = Tool.objects.get(pk=comparison.left_id)
    tool.tagline = "Still saved with the cache away"
    tool.save()
    assert Tool.objects.get(pk=tool.pk).tagline == "Still saved with the cache away"
    assert "Still saved with the cache away" in text_of(Client().get(url))
