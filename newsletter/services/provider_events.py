"""What an email provider's tracking events do to a subscriber.

django-anymail turns Postmark's and Mailgun's webhooks into normalised
tracking events; `provider_event_read` decides which of them concern list
hygiene (a hard bounce, a soft bounce, a complaint, an unsubscribe) and
`provider_event_apply` changes the subscriber and writes the history line.

Providers deliver a webhook at least once, sometimes twice at the same
moment. The history line is written first, under the unique (source,
event_id) constraint, and the change follows only if that insert went
through: a repeated event changes nothing, whichever copy arrives first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType
from django.db import IntegrityError, transaction

from newsletter.models import Delivery, Subscriber, SubscriberEvent
from newsletter.sending import _count_bounces
from newsletter.services.subscribers import subscriber_unsubscribe

Kind = SubscriberEvent.Kind
Status = Subscriber.Status

#: Postmark bounce types that anymail reports as "bounced" although the
#: mailbox may take mail later: counted like an SMTP failure, not final.
POSTMARK_SOFT_TYPES = frozenset({"SoftBounce", "VirusNotification"})
#: Postmark "deferred" types that are not about the recipient at all.
POSTMARK_IGNORED_TYPES = frozenset({"OpenRelayTest"})
#: Mailgun failure reasons that say why it would not send, when the reason
#: is an earlier complaint or unsubscribe rather than a bounce.
MAILGUN_SUPPRESSION_KINDS = {
    "suppress-complaint": Kind.COMPLAINED,
    "suppress-unsubscribe": Kind.UNSUBSCRIBED,
}

#: Statuses a hard bounce turns into "bounced": an address already off the
#: list keeps the reason it left.
BOUNCEABLE = (Status.ACTIVE, Status.PENDING)
#: Stops that a later provider event does not overrule.
FINAL_STOPS = (Status.COMPLAINED, Status.SUPPRESSED)


@dataclass(frozen=True)
class ProviderEvent:
    """One tracking event that concerns a subscriber's place on the list."""

    source: str
    kind: SubscriberEvent.Kind
    recipient: str
    event_id: str
    detail: str


def provider_event_read(
    *, event: AnymailTrackingEvent, esp_name: str
) -> ProviderEvent | None:
    """The list-hygiene meaning of an anymail tracking event, or None.

    None for events that change nothing here (deliveries, opens, clicks,
    rejections) and for events without a recipient.
    """
    source = esp_name.lower()[:24]
    kind = _kind(event, source)
    recipient = (event.recipient or "").strip()
    if kind is None or not recipient:
        return None
    return ProviderEvent(
        source=source,
        kind=kind,
        recipient=recipient,
        event_id=_event_id(event, source, kind),
        detail=_detail(event),
    )


@transaction.atomic
def provider_event_apply(*, event: ProviderEvent) -> bool:
    """Record the event in the subscriber's history and act on it.

    Returns False, writing nothing, for an address not on the list and for
    an event already recorded. The history line and the change commit
    together or not at all.
    """
    subscriber = (
        Subscriber.objects.select_for_update().with_email(event.recipient).first()
    )
    if subscriber is None:
        return False
    try:
        with transaction.atomic():
            SubscriberEvent.objects.create(
                subscriber=subscriber,
                kind=event.kind,
                source=event.source,
                event_id=event.event_id,
                detail=event.detail,
            )
    except IntegrityError:
        # The same event was recorded before, or by a copy of this webhook
        # delivered at the same moment: it has been acted on already.
        return False
    if event.kind == Kind.BOUNCED:
        _hard_bounce(subscriber)
    elif event.kind == Kind.SOFT_BOUNCE:
        _soft_bounce(subscriber)
    elif event.kind == Kind.COMPLAINED:
        _complaint(subscriber)
    elif event.kind == Kind.UNSUBSCRIBED:
        _unsubscribe(subscriber)
    return True


def _kind(event: AnymailTrackingEvent, source: str) -> SubscriberEvent.Kind | None:
    raw = event.esp_event if isinstance(event.esp_event, Mapping) else {}
    if event.event_type == EventType.BOUNCED:
        if source == "postmark" and raw.get("Type") in POSTMARK_SOFT_TYPES:
            return Kind.SOFT_BOUNCE
        if source == "mailgun":
            reason = _mailgun_data(raw).get("reason")
            if reason in MAILGUN_SUPPRESSION_KINDS:
                return MAILGUN_SUPPRESSION_KINDS[reason]
        return Kind.BOUNCED
    if event.event_type == EventType.DEFERRED:
        if source == "postmark" and raw.get("Type") in POSTMARK_IGNORED_TYPES:
            return None
        return Kind.SOFT_BOUNCE
    if event.event_type == EventType.COMPLAINED:
        return Kind.COMPLAINED
    if event.event_type == EventType.UNSUBSCRIBED:
        return Kind.UNSUBSCRIBED
    return None


def _mailgun_data(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """The "event-data" block of a Mailgun JSON webhook ({} for legacy ones)."""
    data = raw.get("event-data")
    return data if isinstance(data, Mapping) else {}


def _event_id(
    event: AnymailTrackingEvent, source: str, kind: SubscriberEvent.Kind
) -> str:
    """The key that makes a repeated event a no-op.

    A soft bounce is keyed by its email: a provider that retries a delayed
    email reports every failed attempt, and one email that is slow to get
    through must not use up the address's bounce limit on its own.
    Otherwise the provider's id for the event: Postmark's bounce ID, and
    Mailgun's event id with its timestamp (the id alone is only unique
    within a day; anymail's own event_id, the signature token, is new on
    each delivery of the webhook). Events without one get a digest of what
    identifies them.
    """
    if kind == Kind.SOFT_BOUNCE and event.message_id:
        key = f"soft-bounce:{event.message_id}:{event.recipient.lower()}"
        return _fit(key)
    if source == "mailgun":
        data = _mailgun_data(event.esp_event or {})
        if data.get("id"):
            return _fit(f"{data['id']}:{data.get('timestamp', '')}")
    if event.event_id:
        return _fit(str(event.event_id))
    return "digest:" + _digest(
        source,
        event.message_id or "",
        event.event_type,
        (event.recipient or "").lower(),
        event.timestamp.isoformat() if event.timestamp else "",
    )


def _fit(key: str) -> str:
    """The key itself, or its digest when the column cannot hold it."""
    max_length = SubscriberEvent._meta.get_field("event_id").max_length
    return key if len(key) <= max_length else "digest:" + _digest(key)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _detail(event: AnymailTrackingEvent) -> str:
    """What the provider said: its description and the receiving server's
    reply, as much as the history line holds."""
    parts = [
        str(part).strip()
        for part in (event.description, event.mta_response)
        if part and str(part).strip()
    ]
    max_length = SubscriberEvent._meta.get_field("detail").max_length
    return " | ".join(dict.fromkeys(parts))[:max_length]


def _cancel_pending(subscriber: Subscriber, reason: str) -> int:
    """Stop the unsent emails; ones a sender has claimed are in flight."""
    return Delivery.objects.filter(
        subscriber=subscriber, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.CANCELLED, last_error=reason)


def _hard_bounce(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk, status__in=BOUNCEABLE).update(
        status=Status.BOUNCED
    )
    _cancel_pending(subscriber, "Bounced")


def _soft_bounce(subscriber: Subscriber) -> None:
    _count_bounces([subscriber.pk])
    if Subscriber.objects.filter(pk=subscriber.pk, status=Status.BOUNCED).exists():
        _cancel_pending(subscriber, "Bounced")


def _complaint(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).exclude(status__in=FINAL_STOPS).update(
        status=Status.COMPLAINED
    )
    _cancel_pending(subscriber, "Complaint")


def _unsubscribe(subscriber: Subscriber) -> None:
    if subscriber.status in FINAL_STOPS:
        _cancel_pending(subscriber, "Unsubscribed")
    else:
        subscriber_unsubscribe(subscriber=subscriber)
