"""Writes on community votes.

Every write is one SQL statement that the database makes safe under
concurrency: an INSERT ... ON CONFLICT (tool, reader) DO UPDATE to cast or
change a vote, a DELETE to withdraw or remove votes. Nothing is read,
changed in Python and written back, so simultaneous votes never lose one
another or count a reader twice.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tools.community import CommunityFigure, community_figure
from tools.models import Tool, Vote


def vote_cast(*, tool: Tool, reader_key: str, verdict: str) -> CommunityFigure:
    """Cast, change (ship/skip) or withdraw (none) one reader's vote.

    Returns the tool's community figure after the write.
    """
    if verdict == "none":
        Vote.objects.filter(tool=tool, reader=reader_key).delete()
    elif verdict in Vote.Verdict.values:
        Vote.objects.bulk_create(
            [
                Vote(
                    tool=tool,
                    reader=reader_key,
                    verdict=verdict,
                    cast_at=timezone.now(),
                )
            ],
            update_conflicts=True,
            unique_fields=["tool", "reader"],
            update_fields=["verdict", "cast_at"],
        )
    else:
        raise ValueError(f"Unknown verdict {verdict!r}: use ship, skip or none.")
    return community_figure(tool.pk)


def vote_of(*, tool: Tool, reader_key: str) -> str:
    """This reader's current verdict on the tool: "ship", "skip" or "none"."""
    verdict = (
        Vote.objects.filter(tool=tool, reader=reader_key)
        .values_list("verdict", flat=True)
        .first()
    )
    return verdict or "none"


def votes_remove(*, tool: Tool, start: datetime, end: datetime) -> int:
    """Remove the votes on one tool cast in [start, end); return how many.

    For cleaning up review-bombing. The figures are aggregates over the
    votes that remain, so they follow at once.
    """
    if start >= end:
        raise ValueError("The window must start before it ends.")
    deleted, _ = Vote.objects.filter(tool=tool).cast_between(start, end).delete()
    return deleted
