"""Vote bursts: many votes on one tool in a short window, far above its
usual rate, held out of the figures until an editor judges them.

The rule, run by beat every minute (`tools.detect_vote_bursts`): a tool has
a burst when the votes cast on it in the last `VOTE_BURST_WINDOW` seconds
number at least `VOTE_BURST_MIN_VOTES` and more than `VOTE_BURST_FACTOR`
times what it usually gets in a window that long, counted over the
`VOTE_BURST_BASELINE_DAYS` before. The votes of the window are then held:
the tallies drop them in the same statement, so the figures read as before
the burst; and every vote on the tool is held too while the burst waits.
An editor accepts the burst (its votes count) or removes its votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from tools.community import votes_changed
from tools.models import Tool, Vote, VoteBurst


@dataclass(frozen=True)
class BurstRule:
    window: timedelta
    min_votes: int
    factor: float
    baseline: timedelta

    @classmethod
    def from_settings(cls) -> BurstRule:
        return cls(
            window=timedelta(seconds=settings.VOTE_BURST_WINDOW),
            min_votes=settings.VOTE_BURST_MIN_VOTES,
            factor=settings.VOTE_BURST_FACTOR,
            baseline=timedelta(days=settings.VOTE_BURST_BASELINE_DAYS),
        )

    def usual(self, votes_in_baseline: int) -> float:
        """Votes the tool usually gets in one window."""
        return votes_in_baseline * (self.window / self.baseline)

    def is_burst(self, recent: int, usual: float) -> bool:
        return recent >= self.min_votes and recent > self.factor * usual


class BurstDecided(Exception):
    """The burst was already accepted or its votes removed."""


def bursts_detect(*, now: datetime | None = None) -> list[VoteBurst]:
    """Find the tools with a burst now and hold their window's votes."""
    now = now or timezone.now()
    rule = BurstRule.from_settings()
    start = now - rule.window
    busy = (
        _undecided(Vote.objects.filter(cast_at__gte=start, cast_at__lte=now))
        .filter(held=False)
        .exclude(tool__bursts__status=VoteBurst.Status.PENDING)
        .order_by()
        .values("tool")
        .annotate(recent=Count("pk"))
        .filter(recent__gte=rule.min_votes)
    )
    found = []
    for row in busy:
        before = Vote.objects.filter(
            tool_id=row["tool"], cast_at__gte=start - rule.baseline, cast_at__lt=start
        ).count()
        usual = rule.usual(before)
        if rule.is_burst(row["recent"], usual):
            burst = _hold(
                row["tool"], start=start, now=now, recent=row["recent"], usual=usual
            )
            if burst is not None:
                found.append(burst)
    return found


def _undecided(votes):
    """Leave out the votes an editor already judged: those cast before the
    tool's last burst was accepted (a removed burst's votes are gone)."""
    decided = (
        VoteBurst.objects.filter(tool=OuterRef("tool"), decided_at__isnull=False)
        .order_by("-decided_at")
        .values("decided_at")[:1]
    )
    return votes.annotate(judged_until=Subquery(decided)).filter(
        Q(judged_until__isnull=True) | Q(cast_at__gt=F("judged_until"))
    )


def _hold(
    tool_id: int, *, start: datetime, now: datetime, recent: int, usual: float
) -> VoteBurst | None:
    try:
        with transaction.atomic():
            burst = VoteBurst.objects.create(
                tool_id=tool_id,
                window_start=start,
                detected_at=now,
                votes_in_window=recent,
                usual_in_window=usual,
            )
            _undecided(Vote.objects.filter(tool_id=tool_id, cast_at__gte=start)).update(
                held=True
            )
    except IntegrityError:
        return None  # another run found it first
    votes_changed.send(sender=Tool, tool=burst.tool)
    return burst


def _decide(
    burst: VoteBurst, *, by: AbstractBaseUser, status: str, seen: int | None
) -> int:
    with transaction.atomic():
        locked = VoteBurst.objects.select_for_update().get(pk=burst.pk)
        if not locked.is_pending:
            done = locked.get_status_display().lower()
            raise BurstDecided(f"This burst was already decided: {done}.")
        held = Vote.objects.filter(tool_id=locked.tool_id, held=True)
        if seen is not None and held.count() != seen:
            raise BurstDecided(
                f"{held.count()} votes are held now, not the {seen} you saw: "
                "look at them again before deciding."
            )
        if status == VoteBurst.Status.ACCEPTED:
            count = held.update(held=False)
        else:
            count, _ = held.delete()
        locked.status = status
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.votes_decided = count
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "votes_decided"]
        )
    votes_changed.send(sender=Tool, tool=locked.tool)
    return count


def burst_accept(
    *, burst: VoteBurst, by: AbstractBaseUser, seen: int | None = None
) -> int:
    """Count the held votes after all; returns how many. With `seen`, only
    if that is still how many are held (else BurstDecided says so)."""
    return _decide(burst, by=by, status=VoteBurst.Status.ACCEPTED, seen=seen)


def burst_remove(
    *, burst: VoteBurst, by: AbstractBaseUser, seen: int | None = None
) -> int:
    """Delete the held votes; returns how many (see `burst_accept`)."""
    return _decide(burst, by=by, status=VoteBurst.Status.REMOVED, seen=seen)
