"""The weekly issue: assembling it from a week's comparisons, cancelling it,
and sending an editor a test copy."""

from __future__ import annotations

import datetime
from email.utils import formatdate

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from comparisons.models import Comparison
from newsletter import emails
from newsletter.models import Issue, IssueComparison


class IssueStateError(Exception):
    """An action that the issue's state does not allow; the message says why."""


def week_of(moment: datetime.datetime) -> tuple[int, int]:
    year, week, _ = timezone.localtime(moment).isocalendar()
    return year, week


def previous_week(now: datetime.datetime) -> tuple[int, int]:
    """The ISO week that ended most recently: the one a Monday issue covers."""
    return week_of(now - datetime.timedelta(days=7))


def week_bounds(year: int, week: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(
        datetime.date.fromisocalendar(year, week, 1), datetime.time.min
    )
    start = timezone.make_aware(start)
    return start, timezone.make_aware(
        datetime.datetime.combine(
            datetime.date.fromisocalendar(year, week, 1) + datetime.timedelta(days=7),
            datetime.time.min,
        )
    )


def next_send_time(now: datetime.datetime) -> datetime.datetime:
    """The next configured send slot (default Tuesday 10:00) after `now`."""
    weekday, hour, minute = settings.NEWSLETTER_SEND_AT
    local = timezone.localtime(now)
    days_ahead = (weekday - local.weekday()) % 7
    candidate = timezone.make_aware(
        datetime.datetime.combine(
            local.date() + datetime.timedelta(days=days_ahead),
            datetime.time(hour, minute),
        )
    )
    if candidate <= now:
        candidate += datetime.timedelta(days=7)
    return candidate


def issue_assemble(
    *,
    year: int | None = None,
    week: int | None = None,
    now: datetime.datetime | None = None,
    schedule: bool = True,
) -> Issue | None:
    """The issue of an ISO week (default: the week just ended).

    Created with the comparisons published that week and scheduled for the
    next send slot; a week with nothing published gets none. An issue that
    exists already keeps its subject and intro; while it can still be
    edited, comparisons of its week published after it was assembled are
    added after the others, so an issue assembled early, mid-week, gets the
    rest of its week when beat comes round, and is scheduled for the next
    slot if it has no send time yet.
    """
    now = now or timezone.now()
    if year is None or week is None:
        year, week = previous_week(now)
    start, end = week_bounds(year, week)
    comparisons = list(
        Comparison.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .with_tools()
        .order_by("published_at", "pk")
    )
    existing = Issue.objects.filter(iso_year=year, iso_week=week).first()
    if existing is not None:
        if existing.is_editable:
            _add_missing(existing, comparisons)
            early = existing.created_at < end
            if schedule and early and existing.send_at is None:
                # Assembled early as a draft to try: beat sends it like any
                # other week's issue, so no week is missed.
                existing.status = Issue.Status.SCHEDULED
                existing.send_at = next_send_time(now)
                existing.save(update_fields=["status", "send_at", "updated_at"])
        return existing
    if not comparisons:
        return None
    titles = ", ".join(c.title for c in comparisons[:2])
    more = len(comparisons) - 2
    subject = f"Weekly AI Tool Verdicts: {titles}" + (
        f" and {more} more" if more > 0 else ""
    )
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                iso_year=year,
                iso_week=week,
                subject=subject[:200],
                intro=(
                    f"This week the panel compared {len(comparisons)} pair"
                    f"{'s' if len(comparisons) != 1 else ''} of AI tools. "
                    "Here is who ships with what."
                ),
                status=Issue.Status.SCHEDULED if schedule else Issue.Status.DRAFT,
                send_at=next_send_time(now) if schedule else None,
            )
            IssueComparison.objects.bulk_create(
                IssueComparison(issue=issue, comparison=c, position=index)
                for index, c in enumerate(comparisons)
            )
    except IntegrityError:
        # Assembled concurrently (beat firing twice): keep the first one.
        return Issue.objects.get(iso_year=year, iso_week=week)
    return issue


def _add_missing(issue: Issue, comparisons: list[Comparison]) -> None:
    """Add the comparisons published after the issue was assembled; one an
    editor took out before then stays out."""
    entries = IssueComparison.objects.filter(issue=issue)
    held = set(entries.values_list("comparison_id", flat=True))
    missing = [
        c for c in comparisons if c.pk not in held and c.published_at > issue.created_at
    ]
    if not missing:
        return
    last = entries.aggregate(last=Max("position"))["last"]
    after = -1 if last is None else last
    IssueComparison.objects.bulk_create(
        IssueComparison(issue=issue, comparison=c, position=after + 1 + index)
        for index, c in enumerate(missing)
    )


def issue_assemble_now(*, now: datetime.datetime | None = None) -> Issue | None:
    """The next issue, assembled now from what this week has published so
    far, as a draft an editor can preview and test; None while nothing has
    been published this week."""
    now = now or timezone.now()
    year, week = week_of(now)
    existing = Issue.objects.filter(iso_year=year, iso_week=week).first()
    if existing is not None:
        return existing  # opened as it is: only beat adds to it
    return issue_assemble(year=year, week=week, now=now, schedule=False)


@transaction.atomic
def issue_cancel(*, issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not issue.is_editable:
        raise IssueStateError(
            f"This issue is {issue.get_status_display().lower()}; only a draft "
            "or scheduled issue can be cancelled."
        )
    issue.status = Issue.Status.CANCELLED
    issue.save(update_fields=["status", "updated_at"])
    return issue


def issue_send_test(*, issue: Issue, to: str) -> None:
    """Send the issue as a subscriber would get it, to one address."""
    rendered = emails.render_issue(issue)
    emails.IssueEmail(
        rendered=rendered.with_subject(f"[Test] {rendered.subject}"),
        email=to,
        # A link of the right shape that unsubscribes nobody.
        unsubscribe_url=emails.unsubscribe_link_maker()(
            "00000000-0000-0000-0000-000000000000"
        ),
        message_id=f"<issue-{issue.pk}.test.{timezone.now().timestamp():.0f}"
        f"@{emails.site_domain()}>",
        date=formatdate(usegmt=True),
    ).send()
