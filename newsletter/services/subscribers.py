"""Subscribers: double opt-in, unsubscribing and importing addresses."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from newsletter.models import CONFIRM_SALT, Delivery, Subscriber
from newsletter.tasks import send_confirmation


def normalise_email(raw: str) -> str:
    """Trimmed, with the domain in lower case; raises ValidationError.

    Longer than the column (and than a mail path may be) is refused here,
    since the validator alone lets through addresses of up to 320 characters.
    """
    email = BaseUserManager.normalize_email((raw or "").strip())
    max_length = Subscriber._meta.get_field("email").max_length
    if len(email) > max_length:
        raise ValidationError(f"An address has at most {max_length} characters.")
    validate_email(email)
    return email


def subscriber_subscribe(*, email: str) -> Subscriber | None:
    """Add or re-invite an address; returns the subscriber mailed, if any.

    New and pending addresses, and ones that left, get a confirmation email;
    an active one gets nothing. The caller answers the same in every case.
    """
    email = normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=email)
            except IntegrityError:
                # Someone subscribed the same address a moment ago.
                return None
        elif subscriber.status == Subscriber.Status.ACTIVE:
            return None
        send_confirmation.delay_on_commit(subscriber.pk)
    return subscriber


class ConfirmationError(Exception):
    """A confirmation link that cannot be used; the message says why."""


def subscriber_for_token(*, token: str, lock: bool = False) -> Subscriber:
    """The subscriber a confirmation link names; `lock` holds the row until
    the transaction ends."""
    max_age = datetime.timedelta(days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationError(
            "This confirmation link has expired. Subscribe again and we will "
            "send you a new one."
        ) from error
    except signing.BadSignature as error:
        raise ConfirmationError(
            "This confirmation link is not valid. Check that you copied all of "
            "it, or subscribe again."
        ) from error
    subscribers = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = subscribers.filter(
        pk=data.get("id"), email__iexact=data.get("email", "")
    ).first()
    if subscriber is None:
        raise ConfirmationError(
            "This address is no longer on our list. Subscribe again if you "
            "want the newsletter."
        )
    return subscriber


@transaction.atomic
def subscriber_confirm(*, token: str) -> Subscriber:
    subscriber = subscriber_for_token(token=token, lock=True)
    if subscriber.status != Subscriber.Status.ACTIVE:
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.bounce_count = 0
        subscriber.save(
            update_fields=["status", "confirmed_at", "unsubscribed_at", "bounce_count"]
        )
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> int:
    """Take an address off the list; returns how many unsent emails it stops.

    Safe to repeat. Deliveries already claimed by a sender are in flight and
    cannot be called back; every pending one is cancelled.
    """
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
    return Delivery.objects.filter(
        subscriber=subscriber, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.CANCELLED, last_error="Unsubscribed")


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    invalid: int = 0
    invalid_examples: list[str] = field(default_factory=list)


def subscribers_import(*, addresses: Iterable[str]) -> ImportResult:
    """Add addresses that consented elsewhere as active; safe to run again."""
    result = ImportResult()
    seen: set[str] = set()
    batch: list[Subscriber] = []

    def flush() -> None:
        # Which of the batch are on the list already, through the index on
        # the lower-cased address, rather than counting the whole table.
        on_list = set(
            Subscriber.objects.annotate(address=Lower("email"))
            .filter(address__in=[row.email.lower() for row in batch])
            .values_list("address", flat=True)
        )
        new = [row for row in batch if row.email.lower() not in on_list]
        Subscriber.objects.bulk_create(new, ignore_conflicts=True)
        result.added += len(new)
        result.duplicates += len(batch) - len(new)
        batch.clear()

    started = timezone.now()
    for raw in addresses:
        try:
            email = normalise_email(raw)
        except ValidationError:
            result.invalid += 1
            if len(result.invalid_examples) < 5:
                result.invalid_examples.append((raw or "").strip())
            continue
        if email.lower() in seen:
            result.duplicates += 1
            continue
        seen.add(email.lower())
        batch.append(
            Subscriber(
                email=email,
                status=Subscriber.Status.ACTIVE,
                source=Subscriber.Source.IMPORT,
                confirmed_at=started,
            )
        )
        if len(batch) >= 1000:
            flush()
    if batch:
        flush()
    return result
