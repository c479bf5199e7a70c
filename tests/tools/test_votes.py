import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.tools.conftest import HTML, fresh_address
from tests.tools.factories import ToolFactory, VoteFactory
from tools.models import Vote
from tools.readers import READER_COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def tool():
    return ToolFactory(name="Claw Code", slug="claw-code")


def vote_url(tool) -> str:
    return reverse("tool-vote", args=[tool.slug])


def cast(client: Client, tool, verdict: str, **extra):
    """Vote as the page's script does: read the state, then post."""
    client.get(vote_url(tool))
    return client.post(vote_url(tool), {"verdict": verdict}, **extra)


def test_get_answers_counts_figure_own_vote_and_a_csrf_token(reader_client, tool):
    VoteFactory.create_batch(4, tool=tool, verdict="ship")
    VoteFactory(tool=tool, verdict="skip")
    response = reader_client.get(vote_url(tool))
    assert response.status_code == 200
    state = response.json()
    assert (state["ship"], state["skip"], state["vote"]) == (4, 1, "none")
    assert state["community"]["text"] == "80% · 5 votes"
    assert state["csrf_token"]
    assert "csrftoken" in response.cookies


def test_get_is_never_cached(reader_client, tool):
    response = reader_client.get(vote_url(tool))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_reader_cookie_is_signed_httponly_and_samesite_lax(reader_client, tool):
    response = reader_client.get(vote_url(tool))
    cookie = response.cookies[READER_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert ":" in cookie.value  # signed: value, then signature
    # A forged (unsigned) cookie is not trusted: a new reader is made.
    forged = Client(REMOTE_ADDR=fresh_address())
    forged.cookies[READER_COOKIE] = "chosen-by-the-client"
    assert READER_COOKIE in forged.get(vote_url(tool)).cookies


def test_a_vote_is_counted_and_answered_as_json(reader_client, tool):
    response = cast(reader_client, tool, "ship")
    assert response.status_code == 200
    state = response.json()
    assert (state["vote"], state["ship"], state["skip"]) == ("ship", 1, 0)
    assert state["message"] == "Vote recorded"
    assert state["community"]["counts"] == "1 vote so far"
    assert reader_client.get(vote_url(tool)).json()["vote"] == "ship"


def test_one_vote_per_reader_however_often_they_press(reader_client, tool):
    for _ in range(3):
        cast(reader_client, tool, "ship")
    assert Vote.objects.filter(tool=tool).count() == 1
    assert reader_client.get(vote_url(tool)).json()["ship"] == 1


def test_two_readers_are_two_votes(tool):
    cast(Client(REMOTE_ADDR=fresh_address()), tool, "ship")
    cast(Client(REMOTE_ADDR=fresh_address()), tool, "skip")
    assert sorted(Vote.objects.values_list("verdict", flat=True)) == ["ship", "skip"]


def test_a_reader_changes_their_vote(reader_client, tool):
    cast(reader_client, tool, "ship")
    state = reader_client.post(vote_url(tool), {"verdict": "skip"}).json()
    assert (state["vote"], state["ship"], state["skip"]) == ("skip", 0, 1)
    assert list(Vote.objects.values_list("verdict", flat=True)) == ["skip"]


def test_a_reader_withdraws_their_vote(reader_client, tool):
    cast(reader_client, tool, "ship")
    state = reader_client.post(vote_url(tool), {"verdict": "none"}).json()
    assert (state["vote"], state["ship"], state["skip"]) == ("none", 0, 0)
    assert state["message"] == "Vote withdrawn"
    assert not Vote.objects.exists()


def test_the_database_stores_a_keyed_hash_not_the_cookie_id_or_address(tool):
    address = fresh_address()
    client = Client(REMOTE_ADDR=address)
    cast(client, tool, "ship")
    cookie_value = client.cookies[READER_COOKIE].value
    cookie_id = cookie_value.split(":")[0]
    vote = Vote.objects.get()
    assert len(vote.reader) == 64
    stored = " ".join(str(value) for value in Vote.objects.values().get().values())
    assert cookie_id not in stored
    assert address not in stored


def test_a_post_without_a_csrf_token_changes_nothing(tool):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    client.get(vote_url(tool))
    response = client.post(vote_url(tool), {"verdict": "ship"})
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_a_post_with_the_token_from_the_json_is_accepted(tool):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    token = client.get(vote_url(tool)).json()["csrf_token"]
    response = client.post(
        vote_url(tool), {"verdict": "ship"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert Vote.objects.get().verdict == "ship"


def test_an_unknown_verdict_is_refused_with_the_reason(reader_client, tool):
    reader_client.get(vote_url(tool))
    response = reader_client.post(vote_url(tool), {"verdict": "maybe"})
    assert response.status_code == 400
    assert "Choose ship, skip or none" in response.json()["error"]
    assert not Vote.objects.exists()


def test_an_unknown_tool_is_not_found(reader_client):
    assert reader_client.get("/tools/no-such-tool/vote/").status_code == 404


def test_too_many_votes_from_one_network_get_429(reader_client, tool, settings):
    settings.VOTE_RATE_LIMIT = 3
    for verdict in ("ship", "skip", "ship"):
        assert cast(reader_client, tool, verdict).status_code == 200
    response = reader_client.post(vote_url(tool), {"verdict": "skip"})
    assert response.status_code == 429
    assert "Too many votes from your network" in response.json()["error"]
    assert int(response["Retry-After"]) > 0
    assert Vote.objects.get().verdict == "ship"
    # Another network is not held back.
    assert cast(Client(REMOTE_ADDR=fresh_address()), tool, "skip").status_code == 200


def test_an_ipv6_slash_64_counts_as_one_network(tool, settings):
    settings.VOTE_RATE_LIMIT = 2
    prefix = f"2001:db8:{fresh_address().split('.')[2]}:{fresh_address().split('.')[3]}"
    for host in ("::1", "::2"):
        client = Client(REMOTE_ADDR=f"{prefix}{host}")
        assert cast(client, tool, "ship").status_code == 200
    neighbour = Client(REMOTE_ADDR=f"{prefix}::ffff:3")
    assert cast(neighbour, tool, "ship").status_code == 429
    assert Vote.objects.count() == 2


def test_forwarded_for_is_ignored_without_trusted_proxies(tool, settings):
    settings.VOTE_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 0
    proxy = fresh_address()
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=fresh_address())
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=fresh_address())
    assert cast(first, tool, "ship").status_code == 200
    assert cast(second, tool, "ship").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(tool, settings):
    settings.VOTE_RATE_LIMIT = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy, reader, other = fresh_address(), fresh_address(), fresh_address()
    # What the client writes itself (the first entry) is not trusted.
    spoofing = Client(
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{fresh_address()}, {reader}"
    )
    assert cast(spoofing, tool, "ship").status_code == 200
    again = Client(
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{fresh_address()}, {reader}"
    )
    assert cast(again, tool, "ship").status_code == 429
    neighbour = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=other)
    assert cast(neighbour, tool, "ship").status_code == 200


def test_the_rate_limit_is_kept_in_redis_under_a_hash(tool, settings):
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        from tests.conftest import missing_service

        missing_service("REDIS_URL is not set: the cache is local memory")
    address = fresh_address()
    cast(Client(REMOTE_ADDR=address), tool, "ship")
    client = cache._cache.get_client(write=False)
    keys = [key.decode() for key in client.scan_iter(match="*votes:rate:*")]
    assert keys
    assert not [key for key in keys if address in key]


# Without JavaScript: a form to a confirmation page, then a plain POST.


def test_without_javascript_a_button_opens_a_confirmation_page(reader_client, tool):
    response = reader_client.get(
        vote_url(tool),
        {"verdict": "ship", "next": "/compare/a-vs-b/"},
        headers={"Accept": HTML},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your vote on Claw Code" in page
    assert "Confirm that you say <strong>ship</strong> to Claw Code." in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'value="/compare/a-vs-b/"' in page
    assert not Vote.objects.exists()


def test_without_javascript_confirming_votes_and_goes_back_with_a_message(
    reader_client, tool
):
    reader_client.get(vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML})
    response = reader_client.post(
        vote_url(tool),
        {"verdict": "ship", "next": tool.get_absolute_url()},
        headers={"Accept": HTML},
        follow=True,
    )
    assert response.redirect_chain == [(tool.get_absolute_url(), 302)]
    assert "Vote recorded: you say ship to Claw Code." in response.content.decode()
    assert Vote.objects.get().verdict == "ship"


def test_without_javascript_a_second_press_offers_to_withdraw(reader_client, tool):
    reader_client.get(vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML})
    reader_client.post(vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML})
    page = reader_client.get(
        vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML}
    ).content.decode()
    assert "Your vote now: <strong>Ship</strong>" in page
    assert "You already vote ship." in page
    assert 'value="none">Withdraw my vote</button>' in page
    reader_client.post(vote_url(tool), {"verdict": "none"}, headers={"Accept": HTML})
    assert not Vote.objects.exists()


def test_without_javascript_a_foreign_next_address_is_not_followed(reader_client, tool):
    reader_client.get(vote_url(tool), headers={"Accept": HTML})
    response = reader_client.post(
        vote_url(tool),
        {"verdict": "skip", "next": "https://evil.example/"},
        headers={"Accept": HTML},
    )
    assert response.status_code == 302
    assert response["Location"] == tool.get_absolute_url()


def test_without_javascript_429_is_a_page_with_the_reason(
    reader_client, tool, settings
):
    settings.VOTE_RATE_LIMIT = 1
    reader_client.get(vote_url(tool), headers={"Accept": HTML})
    reader_client.post(vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML})
    response = reader_client.post(
        vote_url(tool), {"verdict": "skip"}, headers={"Accept": HTML}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Your vote on Claw Code was not counted" in page
    assert "Too many votes from your network" in page
    assert Vote.objects.get().verdict == "ship"


def test_without_javascript_a_missing_csrf_cookie_explains_itself(tool):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    response = client.post(
        vote_url(tool), {"verdict": "ship"}, headers={"Accept": HTML}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form was not accepted" in page
    assert "Nothing was changed." in page
    assert not Vote.objects.exists()
