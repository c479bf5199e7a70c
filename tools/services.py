"""Writes on community votes.

Every write is one SQL statement that the database makes safe under
concurrency: an INSERT ... ON CONFLICT (tool, reader) DO UPDATE to cast or
change a vote, a DELETE to withdraw or remove votes. Nothing is read,
changed in Python and written back, so simultaneous votes never lose one
another or count a reader twice; the tallies the figures read are updated
by triggers inside the same statement (`tools/tallies.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from tools.community import CommunityFigure, community_figure, votes_changed
from tools.models import Tool, Vote

#: SQLSTATEs after which PostgreSQL has rolled the write back and asks for
#: it again: a deadlock (a clean-up and a vote reaching the same tally rows
#: in opposite orders) or a serialisation failure.
_RETRY_SQLSTATES = {"40P01", "40001"}
_ATTEMPTS = 3

#: A vote cast while the tool has a burst waiting for an editor is held out
#: of the figures with the burst's votes (`tools/bursts.py`); the check is
#: part of the same statement, so it costs no round trip. A reader casting
#: the verdict they already hold keeps the vote as it was, counted or held.
_CAST = """
INSERT INTO tools_vote (tool_id, reader, verdict, cast_at, created_at, held)
VALUES (%s, %s, %s, %s, %s, EXISTS (
    SELECT 1 FROM tools_voteburst
    WHERE tools_voteburst.tool_id = %s AND tools_voteburst.status = 'pending'
))
ON CONFLICT (tool_id, reader) DO UPDATE
SET verdict = excluded.verdict, cast_at = excluded.cast_at,
    held = CASE WHEN tools_vote.verdict = excluded.verdict
                THEN tools_vote.held ELSE excluded.held END
"""


def voted_tool(slug: str) -> Tool | None:
    """The tool a vote names, with only what the vote endpoint uses (its id,
    slug and name), read by one plain statement: the ORM's query building
    was a fifth of a vote's time."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM tools_tool WHERE slug = %s", [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    # from_db takes the values in the order of the model's fields.
    return Tool.from_db(
        connection.alias, ["id", "name", "slug"], [row[0], row[1], slug]
    )


def _write(statement: Callable[[], object]) -> None:
    """Run one write, again if the database rolled it back and asks.

    A vote is one statement (its tally is updated by a trigger inside it),
    so on its own it needs no transaction block: that saves two round trips
    on the busiest write of the site. Inside a caller's transaction it runs
    in a savepoint, so a retry does not abort the caller.
    """
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            if connection.in_atomic_block:
                with transaction.atomic():
                    statement()
            else:
                statement()
            return
        except OperationalError as error:
            sqlstate = getattr(error.__cause__, "sqlstate", None)
            if attempt == _ATTEMPTS or sqlstate not in _RETRY_SQLSTATES:
                raise


def _cast(tool_id: int, reader_key: str, verdict: str) -> None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_CAST, [tool_id, reader_key, verdict, now, now, tool_id])


def vote_cast(*, tool: Tool, reader_key: str, verdict: str) -> CommunityFigure:
    """Cast, change (ship/skip) or withdraw (none) one reader's vote.

    Returns the tool's community figure after the write.
    """
    if verdict == "none":
        _write(Vote.objects.filter(tool=tool, reader=reader_key).delete)
    elif verdict in Vote.Verdict.values:
        _write(lambda: _cast(tool.pk, reader_key, verdict))
    else:
        raise ValueError(f"Unknown verdict {verdict!r}: use ship, skip or none.")
    votes_changed.send(sender=Tool, tool=tool)
    return community_figure(tool.pk)


def vote_of(*, tool: Tool, reader_key: str) -> str:
    """This reader's current verdict on the tool: "ship", "skip" or "none"."""
    verdict = (
        Vote.objects.filter(tool=tool, reader=reader_key)
        .values_list("verdict", flat=True)
        .first()
    )
    return verdict or "none"


def votes_of(*, slugs: list[str], reader_key: str) -> dict[str, str]:
    """This reader's verdicts on the named tools, by tool slug; tools they
    have not voted on are left out."""
    return dict(
        Vote.objects.filter(tool__slug__in=slugs, reader=reader_key).values_list(
            "tool__slug", "verdict"
        )
    )


def votes_remove(*, tool: Tool, start: datetime, end: datetime) -> int:
    """Remove the votes on one tool cast in [start, end); return how many.

    For cleaning up review-bombing. The tallies lose the removed votes in
    the same statement, so the figures follow at once.
    """
    if start >= end:
        raise ValueError("The window must start before it ends.")
    removed: list[int] = []

    def remove() -> None:
        deleted, _ = Vote.objects.filter(tool=tool).cast_between(start, end).delete()
        removed[:] = [deleted]

    _write(remove)
    votes_changed.send(sender=Tool, tool=tool)
    return removed[0]
