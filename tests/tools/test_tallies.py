"""Tallies stay equal to a fresh count of the votes, whatever writes them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from tests.tools.factories import ToolFactory, VoteFactory
from tools.community import community_figure
from tools.models import Tool, Vote, VoteTally
from tools.readers import reader_key
from tools.services import vote_cast, votes_remove
from tools.tallies import tallies_drifted

pytestmark = pytest.mark.django_db


def fresh_count(tool: Tool) -> tuple[int, int]:
    counted = Vote.objects.filter(tool=tool).aggregate(
        ship=Count("pk", filter=Q(verdict="ship")),
        skip=Count("pk", filter=Q(verdict="skip")),
    )
    return counted["ship"], counted["skip"]


def assert_exact(tool: Tool, ship: int, skip: int) -> None:
    """The figure, the tallies and a recount all say (ship, skip)."""
    assert fresh_count(tool) == (ship, skip)
    figure = community_figure(tool.pk)
    assert (figure.ship, figure.skip) == (ship, skip)
    assert tallies_drifted() == 0


def test_every_kind_of_write_keeps_the_tallies_exact():
    tool, other = ToolFactory(), ToolFactory()
    VoteFactory(tool=other, verdict="skip")
    readers = [reader_key(f"tally-reader-{n}") for n in range(6)]

    for reader in readers[:4]:  # new votes
        vote_cast(tool=tool, reader_key=reader, verdict="ship")
    assert_exact(tool, 4, 0)

    vote_cast(tool=tool, reader_key=readers[0], verdict="skip")  # a change
    assert_exact(tool, 3, 1)

    vote_cast(tool=tool, reader_key=readers[0], verdict="skip")  # the same again
    assert_exact(tool, 3, 1)

    vote_cast(tool=tool, reader_key=readers[1], verdict="none")  # a withdrawal
    assert_exact(tool, 2, 1)

    Vote.objects.bulk_create(  # a script's bulk insert
        [
            Vote(tool=tool, reader=r, verdict="skip", cast_at=timezone.now())
            for r in readers[4:]
        ]
    )
    assert_exact(tool, 2, 3)

    Vote.objects.filter(tool=tool, reader=readers[2]).update(verdict="skip")
    assert_exact(tool, 1, 4)

    Vote.objects.filter(tool=tool, reader=readers[3]).get().delete()
    assert_exact(tool, 0, 4)

    old = timezone.now() - timedelta(days=2)
    Vote.objects.filter(tool=tool, reader__in=readers[4:]).update(cast_at=old)
    removed = votes_remove(  # an editor's clean-up of a window
        tool=tool, start=old - timedelta(hours=1), end=old + timedelta(hours=1)
    )
    assert removed == 2
    assert_exact(tool, 0, 2)
    assert_exact(other, 0, 1)


def test_deleting_a_tool_takes_its_tallies_with_it():
    tool = ToolFactory()
    VoteFactory.create_batch(3, tool=tool)
    assert VoteTally.objects.filter(tool=tool).exists()
    tool.delete()
    assert not VoteTally.objects.exists()
    assert tallies_drifted() == 0


def test_rebuild_tallies_recounts_what_drifted_and_says_so():
    tool, steady = ToolFactory(), ToolFactory()
    VoteFactory.create_batch(3, tool=tool, verdict="ship")
    VoteFactory.create_batch(2, tool=steady, verdict="skip")
    VoteTally.objects.filter(tool=tool).update(ship=999)  # drifted somehow
    assert community_figure(tool.pk).ship > 3
    assert tallies_drifted() == 1

    out = StringIO()
    call_command("rebuild_tallies", stdout=out)

    assert "1 tool's tallies disagreed with the votes; recounted." in out.getvalue()
    assert_exact(tool, 3, 0)
    assert_exact(steady, 0, 2)
    out = StringIO()
    call_command("rebuild_tallies", stdout=out)
    assert "Every tally agreed with the votes." in out.getvalue()


def test_a_figure_costs_one_query_however_many_votes(django_assert_num_queries):
    tool = ToolFactory()
    Vote.objects.bulk_create(
        Vote(
            tool=tool,
            reader=reader_key(f"many-{n}"),
            verdict="ship",
            cast_at=timezone.now(),
        )
        for n in range(500)
    )
    with django_assert_num_queries(1):
        figure = community_figure(tool.pk)
    assert figure.total == 500
