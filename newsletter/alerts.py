"""Alerts about followed tools: what changed, gathered for many readers at
once, and the one short email each of them gets per period.

A subscriber who follows tools gets at most one alert every
NEWSLETTER_ALERT_EVERY_HOURS, listing every verdict a persona changed on
those tools and every comparison with them published since the last alert
(or since they followed the tool, whichever is later). Before anything is
sent the subscribers are claimed by moving `alerted_at` to this run's time,
so a repeated or concurrent run finds them not due and sends nothing twice.

Tasks run this code; it imports no service.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.utils import timezone

from comparisons.models import Comparison
from newsletter.emails import (
    inline_css,
    preferences_link_maker,
    site_domain,
    unsubscribe_link_maker,
)
from newsletter.models import Follow, Subscriber, SubscriberEvent
from reviewers.models import VerdictChange
from tools.models import Tool

logger = logging.getLogger(__name__)

#: How many subscribers one alert task handles.
CHUNK_SIZE = 100


def _due(now: datetime.datetime) -> Q:
    cutoff = now - datetime.timedelta(hours=settings.NEWSLETTER_ALERT_EVERY_HOURS)
    return Q(alerted_at__isnull=True) | Q(alerted_at__lt=cutoff)


def due_subscriber_ids(*, now: datetime.datetime) -> list[int]:
    """Active subscribers whose period is over and who follow a tool with
    news since their last alert and since they followed it: one query."""
    follows = Follow.objects.filter(subscriber=OuterRef("pk")).annotate(
        since=Greatest(
            F("created_at"), Coalesce(OuterRef("alerted_at"), F("created_at"))
        )
    )
    changed = VerdictChange.objects.filter(
        tool=OuterRef("tool"), changed_at__gt=OuterRef("since"), reviewer__active=True
    )
    compared = Comparison.objects.published().filter(
        Q(left=OuterRef("tool")) | Q(right=OuterRef("tool")),
        published_at__gt=OuterRef("since"),
    )
    with_news = follows.filter(Q(Exists(changed)) | Q(Exists(compared)))
    return list(
        Subscriber.objects.active()
        .filter(_due(now))
        .filter(Exists(with_news))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class AlertItem:
    """One piece of news about a followed tool."""

    #: What the item is about, such as ("comparison", 12): a comparison of
    #: two followed tools is one item, listed once.
    key: tuple[str, int]
    tool: Tool
    at: datetime.datetime
    headline: str
    url: str


@dataclass
class ToolNews:
    tool: Tool
    items: list[AlertItem] = field(default_factory=list)


def _items_by_tool(
    tool_ids: set[int], since: datetime.datetime
) -> dict[int, list[AlertItem]]:
    """Every tool's news since `since`, for all the tools in two queries."""
    found: dict[int, list[AlertItem]] = {tool_id: [] for tool_id in tool_ids}
    changes = (
        VerdictChange.objects.filter(
            tool_id__in=tool_ids, changed_at__gt=since, reviewer__active=True
        )
        .select_related("reviewer", "tool")
        .order_by("changed_at", "pk")
    )
    for change in changes:
        found[change.tool_id].append(
            AlertItem(
                key=("verdict change", change.pk),
                tool=change.tool,
                at=change.changed_at,
                headline=(
                    f"{change.reviewer.name} changed their verdict on "
                    f"{change.tool.name} from {change.get_from_verdict_display()} "
                    f"to {change.get_to_verdict_display()}."
                ),
                url=settings.SITE_URL + change.tool.get_absolute_url(),
            )
        )
    comparisons = (
        Comparison.objects.published()
        .filter(Q(left_id__in=tool_ids) | Q(right_id__in=tool_ids))
        .filter(published_at__gt=since)
        .select_related("left", "right")
        .order_by("published_at", "pk")
    )
    for comparison in comparisons:
        for tool in (comparison.left, comparison.right):
            if tool.pk in found:
                found[tool.pk].append(
                    AlertItem(
                        key=("comparison", comparison.pk),
                        tool=tool,
                        at=comparison.published_at,
                        headline=f"New comparison: {comparison.title}.",
                        url=settings.SITE_URL + comparison.get_absolute_url(),
                    )
                )
    return found


def news_for(
    subscribers: dict[int, Subscriber], follows: Iterable[Follow]
) -> dict[int, list[ToolNews]]:
    """Each subscriber's news, tool by tool, since the later of the last
    alert and the follow; a comparison of two followed tools is listed
    once."""
    follows = list(follows)
    if not follows:
        return {}

    def since(follow: Follow) -> datetime.datetime:
        alerted = subscribers[follow.subscriber_id].alerted_at
        return max(follow.created_at, alerted or follow.created_at)

    found = _items_by_tool(
        {follow.tool_id for follow in follows}, min(since(f) for f in follows)
    )
    news: dict[int, list[ToolNews]] = {}
    for follow in sorted(follows, key=lambda f: (f.subscriber_id, f.tool.name)):
        after = since(follow)
        listed = {
            item.key
            for group in news.get(follow.subscriber_id, [])
            for item in group.items
        }
        items = [
            item
            for item in found[follow.tool_id]
            if item.at > after and item.key not in listed
        ]
        if items:
            news.setdefault(follow.subscriber_id, []).append(
                ToolNews(tool=follow.tool, items=items)
            )
    return news


def _claim(ids: Iterable[int], now: datetime.datetime) -> set[int]:
    """Take the subscribers still due: move `alerted_at` to this run's time.

    The rows are locked (others skip them) and the update repeats the due
    condition, so a concurrent run claims none of them; the ones this run
    claimed are the ones carrying its timestamp.
    """
    with transaction.atomic():
        locked = list(
            Subscriber.objects.select_for_update(skip_locked=True)
            .active()
            .filter(_due(now), pk__in=list(ids))
            .values_list("pk", flat=True)
        )
        if not locked:
            return set()
        Subscriber.objects.filter(_due(now), pk__in=locked).update(alerted_at=now)
        return set(
            Subscriber.objects.filter(pk__in=locked, alerted_at=now).values_list(
                "pk", flat=True
            )
        )


def alert_email(
    *,
    subscriber: Subscriber,
    news: list[ToolNews],
    unsubscribe_url: str,
    preferences_url: str,
) -> EmailMultiAlternatives:
    count = sum(len(group.items) for group in news)
    names = ", ".join(group.tool.name for group in news)
    subject = f"{count} update{pluralize(count)} on tools you follow: {names}"
    if len(subject) > 120:
        subject = subject[:119].rstrip(", ") + "…"
    context = {
        "news": news,
        "count": count,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "recipient": subscriber.email,
        "every_hours": settings.NEWSLETTER_ALERT_EVERY_HOURS,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/alert.txt", context),
        to=[subscriber.email],
        headers={
            "Message-ID": make_msgid(idstring="alert", domain=site_domain()),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Weekly AI Tool Verdicts <weekly.{site_domain()}>",
        },
    )
    message.attach_alternative(
        inline_css(render_to_string("emails/alert.html", context)), "text/html"
    )
    return message


@dataclass
class AlertResult:
    sent: int = 0
    failed: int = 0
    nothing_new: int = 0
    not_due: int = 0


def alerts_send(
    *, subscriber_ids: Iterable[int], now: datetime.datetime | None = None
) -> AlertResult:
    """Send the due subscribers among these their alert, over one
    connection and in a constant number of queries."""
    now = now or timezone.now()
    result = AlertResult()
    ids = list(subscriber_ids)
    subscribers = {
        subscriber.pk: subscriber
        for subscriber in Subscriber.objects.active()
        .filter(_due(now), pk__in=ids)
        .only("pk", "email", "token", "alerted_at", "status")
    }
    result.not_due = len(ids) - len(subscribers)
    follows = Follow.objects.filter(subscriber_id__in=list(subscribers)).select_related(
        "tool"
    )
    news = news_for(subscribers, follows)
    result.nothing_new = len(subscribers) - len(news)
    claimed = _claim(news, now)
    result.not_due += len(news) - len(claimed)
    if not claimed:
        return result

    unsubscribe_url = unsubscribe_link_maker()
    preferences_url = preferences_link_maker()
    sent: list[int] = []
    failed: list[int] = []
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for subscriber_id in sorted(claimed):
            subscriber = subscribers[subscriber_id]
            token = str(subscriber.token)
            try:
                message = alert_email(
                    subscriber=subscriber,
                    news=news[subscriber_id],
                    unsubscribe_url=unsubscribe_url(token),
                    preferences_url=preferences_url(token),
                )
                message.connection = connection
                message.send()
            except Exception as error:  # noqa: BLE001 - one reader, not the run
                logger.warning(
                    "Alert to subscriber %s failed: %s", subscriber_id, error
                )
                failed.append(subscriber_id)
            else:
                sent.append(subscriber_id)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Alerts could not be sent: %s", error)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is being dropped
            logger.debug("Closing the SMTP connection failed", exc_info=True)
        # Whoever the run did not reach (it stopped early, or was stopped)
        # is given back to the next run, news and all.
        failed.extend(sorted(claimed - set(sent) - set(failed)))
        _record(sent, failed, subscribers, news, now)
    result.sent, result.failed = len(sent), len(failed)
    return result


def _record(
    sent: list[int],
    failed: list[int],
    subscribers: dict[int, Subscriber],
    news: dict[int, list[ToolNews]],
    now: datetime.datetime,
) -> None:
    """The history line of each alert sent; a failed one is given back to
    the next run by restoring the subscriber's previous alert time."""
    max_length = SubscriberEvent._meta.get_field("detail").max_length
    with transaction.atomic():
        SubscriberEvent.objects.bulk_create(
            [
                SubscriberEvent(
                    subscriber_id=subscriber_id,
                    kind=SubscriberEvent.Kind.ALERT_SENT,
                    source="alert",
                    detail=(
                        "About " + ", ".join(g.tool.name for g in news[subscriber_id])
                    )[:max_length],
                    created_at=now,
                )
                for subscriber_id in sent
            ]
        )
        for subscriber_id in failed:
            Subscriber.objects.filter(pk=subscriber_id, alerted_at=now).update(
                alerted_at=subscribers[subscriber_id].alerted_at
            )
