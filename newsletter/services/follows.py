"""Readers following tools, and queueing the alerts that come of it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from newsletter import alerts
from newsletter.models import Follow, Subscriber, SubscriberEvent
from newsletter.services.subscribers import EMAIL_LINK, record_event
from newsletter.tasks import send_follow_alert_chunk
from tools.models import Tool

#: How many tools one reader may follow.
MAX_FOLLOWS = 50


class FollowError(Exception):
    """A follow that cannot be added; the message says why."""


def tool_named(name: str) -> Tool | None:
    """The tool a reader typed, by its name or its slug, in any case."""
    name = " ".join((name or "").split())
    if not name:
        return None
    return Tool.objects.filter(Q(name__iexact=name) | Q(slug__iexact=name)).first()


def follow_add(*, subscriber: Subscriber, tool: Tool) -> bool:
    """Follow a tool; False when it was followed already."""
    with transaction.atomic():
        # The row lock keeps two tabs from passing the cap together.
        Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        follows = Follow.objects.filter(subscriber=subscriber)
        if follows.filter(tool=tool).exists():
            return False
        if follows.count() >= MAX_FOLLOWS:
            raise FollowError(
                f"You already follow {MAX_FOLLOWS} tools, the most we send "
                "alerts for. Stop following one to add another."
            )
        try:
            with transaction.atomic():
                Follow.objects.create(subscriber=subscriber, tool=tool)
        except IntegrityError:
            return False
        record_event(
            subscriber,
            SubscriberEvent.Kind.PREFERENCES,
            source=EMAIL_LINK,
            detail=f"Follows {tool.name}.",
        )
    return True


def follow_remove(*, subscriber: Subscriber, tool_id: int) -> Tool | None:
    """Stop following a tool; returns it, or None if it was not followed."""
    with transaction.atomic():
        follow = (
            Follow.objects.filter(subscriber=subscriber, tool_id=tool_id)
            .select_related("tool")
            .first()
        )
        if follow is None:
            return None
        follow.delete()
        record_event(
            subscriber,
            SubscriberEvent.Kind.PREFERENCES,
            source=EMAIL_LINK,
            detail=f"Stopped following {follow.tool.name}.",
        )
    return follow.tool


def follow_alerts_queue() -> int:
    """Queue the alerts that are due, a chunk of subscribers per task;
    returns how many subscribers were queued.

    Only subscribers with news are queued; the task claims each before it
    sends, so a tick that repeats this sends nothing twice.
    """
    ids = alerts.due_subscriber_ids(now=timezone.now())
    for start in range(0, len(ids), alerts.CHUNK_SIZE):
        send_follow_alert_chunk.delay(ids[start : start + alerts.CHUNK_SIZE])
    return len(ids)
