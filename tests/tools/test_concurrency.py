"""Simultaneous votes on PostgreSQL: the database keeps the totals exact."""

import threading

import pytest
from django.core import signing
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.conftest import missing_service
from tests.tools.conftest import fresh_address
from tests.tools.factories import ToolFactory
from tools.community import community_figure
from tools.models import Vote
from tools.readers import READER_COOKIE, READER_COOKIE_SALT, reader_key

THREADS = 50


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        missing_service(
            "The concurrency test needs PostgreSQL (set DATABASE_URL); SQLite "
            "serialises every write, so it would prove nothing"
        )


def reader_browser(cookie_id: str) -> Client:
    """A browser that already holds this reader's signed cookie."""
    client = Client(REMOTE_ADDR=fresh_address())
    client.cookies[READER_COOKIE] = signing.get_cookie_signer(
        salt=READER_COOKIE + READER_COOKIE_SALT
    ).sign(cookie_id)
    return client


def vote_all_at_once(tool, ballots: list[tuple[str, str]]) -> list[int]:
    """Post every (reader, verdict) ballot from its own thread, all released
    together, each with its own database connection; return the statuses."""
    url = reverse("tool-vote", args=[tool.slug])
    start = threading.Barrier(len(ballots))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(cookie_id: str, verdict: str) -> None:
        client = reader_browser(cookie_id)
        try:
            start.wait(timeout=60)
            statuses.append(client.post(url, {"verdict": verdict}).status_code)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=ballot, name=f"ballot-{index}")
        for index, ballot in enumerate(ballots)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def test_fifty_simultaneous_votes_leave_exact_totals(postgresql, settings):
    """20 readers vote ship once; 10 readers press skip three times each, all
    at the same moment: 20 ship, 10 skip, one row per reader."""
    settings.VOTE_RATE_LIMIT = 1000
    tool = ToolFactory()
    ballots = [(f"ship-reader-{n}", "ship") for n in range(20)]
    ballots += [(f"skip-reader-{n}", "skip") for n in range(10) for _ in range(3)]
    assert len(ballots) == THREADS

    statuses = vote_all_at_once(tool, ballots)

    assert statuses == [200] * THREADS
    figure = community_figure(tool.pk)
    assert (figure.ship, figure.skip, figure.total) == (20, 10, 30)
    assert Vote.objects.filter(tool=tool).count() == 30
    assert set(Vote.objects.filter(tool=tool).values_list("reader", flat=True)) == {
        reader_key(cookie_id) for cookie_id, _ in ballots
    }


def test_simultaneous_changes_and_withdrawals_never_count_a_reader_twice(
    postgresql, settings
):
    """Ten readers each send ship, skip and none from five threads at once:
    each ends with at most one vote, and the figure counts exactly those."""
    settings.VOTE_RATE_LIMIT = 1000
    tool = ToolFactory()
    verdicts = ["ship", "skip", "none", "ship", "skip"]
    ballots = [(f"reader-{n}", verdict) for n in range(10) for verdict in verdicts]
    assert len(ballots) == THREADS

    statuses = vote_all_at_once(tool, ballots)

    assert statuses == [200] * THREADS
    votes = list(Vote.objects.filter(tool=tool).values_list("reader", "verdict"))
    readers = [reader for reader, _ in votes]
    assert len(readers) == len(set(readers)) <= 10
    figure = community_figure(tool.pk)
    assert figure.total == len(votes)
    assert figure.ship == sum(verdict == "ship" for _, verdict in votes)
