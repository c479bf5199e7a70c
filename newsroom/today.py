"""What the newsroom home shows, each part in one or two queries and each
only to someone who may open what it lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from comparisons.models import Comparison, RequestedPair
from newsletter.models import Issue
from reviewers.models import VerdictChange, VerdictProposal
from tools.models import VoteBurst

#: How many entries each part names; its count and link give the rest.
SHOWN = 6
#: How far ahead "scheduled" looks.
SCHEDULE_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Entry:
    text: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    entries: list[Entry]
    count: int
    more_url: str
    empty: str
    extra: dict[str, Any] = field(default_factory=dict)


def _change(comparison: Comparison) -> str:
    return reverse("admin:comparisons_comparison_change", args=[comparison.pk])


def _comparisons_url(**query: Any) -> str:
    base = reverse("admin:comparisons_comparison_changelist")
    return f"{base}?{urlencode(query)}" if query else base


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y, %H:%M}"


def newsroom_today(user: AbstractBaseUser) -> list[Part]:
    parts: list[Part] = []
    if user.has_perm("comparisons.view_comparison"):
        parts += [_in_review(), _scheduled(), _drafts_by_author()]
    if user.has_perm("reviewers.view_verdictproposal"):
        parts.append(_proposed_verdicts())
    if user.has_perm("newsletter.view_issue"):
        parts.append(_next_issue(user))
    if user.has_perm("reviewers.view_verdictchange") or user.has_perm(
        "reviewers.view_review"
    ):
        parts.append(_verdict_changes(user))
    if user.has_perm("comparisons.view_requestedpair"):
        parts.append(_asked_for())
    if user.has_perm("tools.view_voteburst"):
        parts.append(_vote_bursts())
    return parts


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _asked_by(comparison: Comparison) -> str:
    note = f"since {_when(comparison.review_requested_at)}"
    if comparison.review_requested_by:
        note += f", from {_person(comparison.review_requested_by)}"
    return note


def _in_review() -> Part:
    waiting = (
        Comparison.objects.in_state(Comparison.State.REVIEW)
        .select_related("left", "right", "review_requested_by")
        .order_by("review_requested_at")
    )
    shown = list(waiting[:SHOWN])
    return Part(
        key="review",
        title="Waiting for review",
        entries=[Entry(c.title, _change(c), _asked_by(c)) for c in shown],
        count=waiting.count(),
        more_url=_comparisons_url(state="review"),
        empty="Nothing is waiting for an editor.",
    )


def _scheduled() -> Part:
    now = timezone.now()
    soon = now + SCHEDULE_HORIZON
    upcoming = (
        Comparison.objects.filter(
            Q(scheduled_at__gt=now, scheduled_at__lte=soon)
            | Q(status=Comparison.Status.PUBLISHED, published_at__gt=now)
            & Q(published_at__lte=soon)
        )
        .select_related("left", "right")
        .order_by("scheduled_at", "published_at")
    )
    shown = list(upcoming[:SHOWN])
    return Part(
        key="scheduled",
        title="Scheduled for the next 7 days",
        entries=[
            Entry(
                c.title,
                _change(c),
                _when(c.scheduled_at or c.published_at),
            )
            for c in shown
        ],
        count=upcoming.count(),
        more_url=_comparisons_url(state="scheduled"),
        empty="Nothing is scheduled for the coming week.",
    )


def _drafts_by_author() -> Part:
    rows = list(
        Comparison.objects.in_state(Comparison.State.DRAFT)
        .order_by()
        .values("author", "author__first_name", "author__last_name", "author__username")
        .annotate(drafts=Count("pk"))
        .order_by("-drafts", "author__username")
    )
    entries = []
    for row in rows[:SHOWN]:
        name = (
            " ".join(
                part
                for part in (row["author__first_name"], row["author__last_name"])
                if part
            )
            or row["author__username"]
            or "No author"
        )
        query = {"state": "draft"}
        if row["author"] is not None:
            query["author__id__exact"] = row["author"]
        drafts = row["drafts"]
        entries.append(
            Entry(
                name,
                _comparisons_url(**query),
                f"{drafts} draft{'s' if drafts != 1 else ''}",
            )
        )
    return Part(
        key="drafts",
        title="Drafts by author",
        entries=entries,
        count=sum(row["drafts"] for row in rows),
        more_url=_comparisons_url(state="draft"),
        empty="No drafts.",
    )


def _proposed_verdicts() -> Part:
    waiting = (
        VerdictProposal.objects.filter(decision=VerdictProposal.Decision.PENDING)
        .select_related("reviewer", "tool", "proposed_by")
        .order_by("proposed_at")
    )
    shown = list(waiting[:SHOWN])
    return Part(
        key="proposals",
        title="Verdict changes waiting for an editor",
        entries=[
            Entry(
                f"{p.reviewer.name} on {p.tool.name}: {p.get_verdict_display()}",
                reverse("admin:reviewers_verdictproposal_change", args=[p.pk]),
                f"since {_when(p.proposed_at)}"
                + (f", from {_person(p.proposed_by)}" if p.proposed_by else ""),
            )
            for p in shown
        ],
        count=waiting.count(),
        more_url=reverse("admin:reviewers_verdictproposal_changelist")
        + "?decision__exact=pending",
        empty="No verdict change is waiting.",
    )


def _next_issue(user: AbstractBaseUser) -> Part:
    issue = (
        Issue.objects.filter(status__in=Issue.EDITABLE)
        .order_by("iso_year", "iso_week")
        .first()
    )
    entries = []
    if issue is not None:
        state = issue.get_status_display()
        if issue.send_at:
            state = f"{state}, goes out {_when(issue.send_at)}"
        else:
            state = f"{state}, no send time yet"
        entries.append(
            Entry(
                str(issue),
                reverse("admin:newsletter_issue_change", args=[issue.pk]),
                state,
            )
        )
    return Part(
        key="issue",
        title="The next newsletter issue",
        entries=entries,
        count=len(entries),
        more_url=reverse("admin:newsletter_issue_changelist"),
        empty="No issue is waiting to go out.",
        extra={
            "assemble_url": reverse("admin:newsletter_issue_assemble_next")
            if issue is None and user.has_perm("newsletter.change_issue")
            else ""
        },
    )


def _verdict_changes(user: AbstractBaseUser) -> Part:
    changes = list(
        VerdictChange.objects.select_related("reviewer", "tool").order_by(
            "-changed_at", "-pk"
        )[:SHOWN]
    )
    return Part(
        key="verdicts",
        title="Recent verdict changes",
        entries=[
            Entry(
                f"{change.reviewer.name} moved {change.tool.name} from "
                f"{change.from_verdict} to {change.to_verdict}",
                reverse("admin:tools_tool_change", args=[change.tool_id]),
                _when(change.changed_at),
            )
            for change in changes
        ],
        count=len(changes),
        more_url=reverse("admin:reviewers_review_changelist"),
        empty="No persona has changed a verdict yet.",
    )


def _asked_for() -> Part:
    written = Comparison.objects.filter(
        Q(left=OuterRef("left"), right=OuterRef("right"))
        | Q(left=OuterRef("right"), right=OuterRef("left"))
    )
    pairs = (
        RequestedPair.objects.annotate(written=Exists(written))
        .filter(written=False)
        .select_related("left", "right")
        .order_by("-requests", "-last_asked_at")
    )
    shown = list(pairs[:SHOWN])
    add = reverse("admin:comparisons_comparison_add")
    return Part(
        key="asked",
        title="Comparisons readers asked for",
        entries=[
            Entry(
                str(pair),
                f"{add}?{urlencode({'left': pair.left_id, 'right': pair.right_id})}",
                f"{pair.requests} reader{'s' if pair.requests != 1 else ''}",
            )
            for pair in shown
        ],
        count=pairs.count(),
        more_url=reverse("admin:comparisons_requestedpair_changelist") + "?written=no",
        empty="No open requests from readers.",
    )


def _vote_bursts() -> Part:
    held = VoteBurst.objects.filter(status=VoteBurst.Status.PENDING)
    shown = list(held.select_related("tool").order_by("detected_at")[:SHOWN])
    return Part(
        key="bursts",
        title="Vote bursts held for an editor",
        entries=[
            Entry(
                f"{burst.tool.name}: {burst.votes_in_window} votes in "
                f"{settings.VOTE_BURST_WINDOW // 60} minutes",
                reverse("admin:tools_voteburst_change", args=[burst.pk]),
                f"usually {burst.usual_in_window:.1f}; held since "
                f"{_when(burst.detected_at)}",
            )
            for burst in shown
        ],
        count=held.count(),
        more_url=reverse("admin:tools_voteburst_changelist"),
        empty="No vote burst is held.",
    )
