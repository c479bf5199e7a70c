"""The live figures votes.js puts on pages, and a reader's own votes."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.tools.conftest import fresh_address
from tests.tools.factories import ToolFactory, VoteFactory
from tools.community import MAX_TOOLS_PER_REQUEST

pytestmark = pytest.mark.django_db


def test_figures_of_the_named_tools_for_everyone_alike(client, settings):
    settings.COMMUNITY_MIN_VOTES = 1
    one = ToolFactory(slug="one")
    ToolFactory(slug="other")
    VoteFactory.create_batch(3, tool=one, verdict="ship")
    VoteFactory(tool=one, verdict="skip")
    response = client.get(reverse("community-figures"), {"tools": "other,one,gone"})
    assert response.status_code == 200
    figures = response.json()["figures"]
    assert set(figures) == {"one", "other"}  # "gone" is left out
    assert figures["one"]["text"] == "75% · 4 votes"
    assert figures["other"]["counts"] == "No votes yet"
    assert not response.cookies
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    "tools",
    [
        "",
        ",,",
        "<script>alert(1)</script>",
        "a b",
        ",".join(f"tool-{n}" for n in range(MAX_TOOLS_PER_REQUEST + 1)),
    ],
    ids=["empty", "commas", "markup", "space", "too-many"],
)
def test_a_list_that_is_not_tools_is_refused_with_the_reason(client, tools):
    response = client.get(reverse("community-figures"), {"tools": tools})
    assert response.status_code == 400
    assert "tools by slug" in response.json()["error"]


def test_a_reader_gets_their_own_votes_and_a_token_never_cached(tool_reader):
    client, tool = tool_reader
    client.post(reverse("tool-vote", args=[tool.slug]), {"verdict": "skip"})
    response = client.get(reverse("community-mine"), {"tools": f"{tool.slug},other"})
    body = response.json()
    assert body["votes"] == {tool.slug: "skip", "other": "none"}
    assert body["csrf_token"]
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def tool_reader(settings):
    settings.VOTE_RATE_LIMIT = 1000
    client = Client(REMOTE_ADDR=fresh_address())
    tool = ToolFactory()
    client.get(reverse("tool-vote", args=[tool.slug]))
    assert client.cookies["verdicts_voted"].value == "1"
    return client, tool
