"""Subscribers: double opt-in, unsubscribing, list hygiene (limits on
confirmations, forgetting unconfirmed sign-ups, editors' suppressions),
readers' choice of categories, and importing addresses."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import pluralize
from django.utils import timezone

from newsletter.models import CONFIRM_SALT, Delivery, Subscriber, SubscriberEvent
from newsletter.tasks import send_confirmation
from tools.models import Category


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


Status = Subscriber.Status
Kind = SubscriberEvent.Kind

#: Where history lines written here come from.
FORM = "form"
EMAIL_LINK = "email link"
EDITOR = "editor"

#: Addresses a sign-up never mails again: the reader marked us as spam, or an
#: editor stopped them. The sign-up page answers as it always does.
NEVER_MAILED = (Status.SUPPRESSED, Status.COMPLAINED)
#: Addresses that left the list and may ask to come back.
MAY_RETURN = (Status.UNSUBSCRIBED, Status.BOUNCED)


def record_event(
    subscriber: Subscriber,
    kind: SubscriberEvent.Kind,
    *,
    source: str,
    detail: str = "",
    actor: AbstractBaseUser | None = None,
) -> SubscriberEvent:
    max_length = SubscriberEvent._meta.get_field("detail").max_length
    return SubscriberEvent.objects.create(
        subscriber=subscriber,
        kind=kind,
        source=source,
        detail=detail[:max_length],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def subscriber_subscribe(*, email: str) -> Subscriber | None:
    """Add or re-invite an address; returns the subscriber mailed, if any.

    New and pending addresses, and ones that left (unsubscribed, bounced),
    are pending again and get a confirmation email, at most
    NEWSLETTER_CONFIRMATIONS_PER_DAY in 24 hours however many clients ask;
    an active, suppressed or complained address gets nothing. The caller
    answers the same in every case, so nobody can probe the list.
    """
    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        # The row lock makes concurrent sign-ups of one address take turns,
        # so the day's count of confirmations below cannot be overrun.
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email, requested_at=now
                    )
            except IntegrityError:
                # Someone subscribed the same address a moment ago.
                return None
            record_event(subscriber, Kind.SIGNED_UP, source=FORM)
        elif subscriber.status == Status.ACTIVE:
            record_event(
                subscriber,
                Kind.SIGNED_UP,
                source=FORM,
                detail="Already subscribed: nothing sent.",
            )
            return None
        elif subscriber.status in NEVER_MAILED:
            record_event(
                subscriber,
                Kind.SIGNED_UP,
                source=FORM,
                detail=f"{subscriber.get_status_display()}: nothing sent.",
            )
            return None
        else:
            came_back = subscriber.status in MAY_RETURN
            detail = (
                f"Signed up again ({subscriber.get_status_display().lower()} before)."
                if came_back
                else ""
            )
            subscriber.status = Status.PENDING
            subscriber.requested_at = now
            subscriber.save(update_fields=["status", "requested_at"])
            record_event(subscriber, Kind.SIGNED_UP, source=FORM, detail=detail)

        limit = settings.NEWSLETTER_CONFIRMATIONS_PER_DAY
        sent = subscriber.events.filter(
            kind=Kind.CONFIRMATION_SENT, created_at__gt=now - datetime.timedelta(1)
        ).count()
        if sent >= limit:
            record_event(
                subscriber,
                Kind.CONFIRMATION_REFUSED,
                source=FORM,
                detail=f"{sent} confirmation emails in the last 24 hours already.",
            )
            return None
        record_event(subscriber, Kind.CONFIRMATION_SENT, source=FORM)
        send_confirmation.delay_on_commit(subscriber.pk)
    return subscriber


class ConfirmationError(Exception):
    """A confirmation link that cannot be used; the message says why."""


LEFT_THE_LIST = (
    "This address is no longer waiting for a confirmation: it left the list "
    "after this link was sent, so the link does not work any more. Subscribe "
    "again below and we will send you a new one."
)


def _signed_at(token: str) -> datetime.datetime:
    """When a (valid) signed token was made: its timestamp, to the second."""
    timestamp = token.rsplit(signing.Signer().sep, 2)[1]
    return datetime.datetime.fromtimestamp(
        signing.b62_decode(timestamp), tz=datetime.UTC
    )


def subscriber_for_token(*, token: str, lock: bool = False) -> Subscriber:
    """The subscriber a confirmation link names; `lock` holds the row until
    the transaction ends.

    Only a pending address can be confirmed, and only with a link sent
    after it last left the list: one that unsubscribed, bounced or was
    stopped must sign up again. An active one is returned as it is (it is
    already confirmed).
    """
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
    if subscriber.status == Status.ACTIVE:
        return subscriber
    left_at = subscriber.unsubscribed_at
    if subscriber.status != Status.PENDING or (
        left_at is not None and _signed_at(token) < left_at.replace(microsecond=0)
    ):
        raise ConfirmationError(LEFT_THE_LIST)
    return subscriber


@dataclass(frozen=True)
class Confirmation:
    subscriber: Subscriber
    #: False when the address was active already.
    confirmed_now: bool


@transaction.atomic
def subscriber_confirm(*, token: str) -> Confirmation:
    subscriber = subscriber_for_token(token=token, lock=True)
    if subscriber.status == Status.ACTIVE:
        return Confirmation(subscriber, confirmed_now=False)
    subscriber.status = Status.ACTIVE
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.bounce_count = 0
    subscriber.save(
        update_fields=["status", "confirmed_at", "unsubscribed_at", "bounce_count"]
    )
    record_event(subscriber, Kind.CONFIRMED, source=EMAIL_LINK)
    return Confirmation(subscriber, confirmed_now=True)


def _cancel_pending_deliveries(subscriber: Subscriber, reason: str) -> int:
    """Stop the unsent emails; ones a sender has claimed are in flight and
    cannot be called back."""
    return Delivery.objects.filter(
        subscriber=subscriber, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.CANCELLED, last_error=reason)


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, source: str | None = None) -> int:
    """Take an address off the list; returns how many unsent emails it stops.

    Safe to repeat. A suppressed or complained address keeps its status (it
    gets nothing either way, and must not become one that may sign up
    again). The history line is written when `source` is given; callers that
    write their own (provider events) leave it out.
    """
    left = Subscriber.objects.filter(
        pk=subscriber.pk, status__in=[Status.ACTIVE, Status.PENDING, Status.BOUNCED]
    ).update(status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    if left:
        subscriber.status = Status.UNSUBSCRIBED
        if source:
            record_event(subscriber, Kind.UNSUBSCRIBED, source=source)
    return _cancel_pending_deliveries(subscriber, "Unsubscribed")


class SuppressionError(Exception):
    """An editor's suppression request that cannot be carried out."""


@transaction.atomic
def subscriber_suppress(
    *,
    subscriber: Subscriber | None = None,
    email: str = "",
    by: AbstractBaseUser | None,
    reason: str = "",
) -> Subscriber:
    """Stop every email to an address, on the list or not yet.

    An address not on the list gets a suppressed row, so a later sign-up
    sends it nothing. Unsent issue emails are cancelled; the history names
    the editor and the reason.
    """
    if subscriber is None:
        email = normalise_email(email)
        subscriber = Subscriber.objects.select_for_update().with_email(email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        status=Status.SUPPRESSED,
                        source=Subscriber.Source.IMPORT,
                    )
            except IntegrityError as error:
                raise SuppressionError(
                    "This address was added a moment ago; try again."
                ) from error
            record_event(
                subscriber,
                Kind.SUPPRESSED,
                source=EDITOR,
                detail=reason or "Added as suppressed.",
                actor=by,
            )
            return subscriber
    else:
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status != Status.SUPPRESSED:
        was = subscriber.get_status_display()
        subscriber.status = Status.SUPPRESSED
        subscriber.save(update_fields=["status"])
        cancelled = _cancel_pending_deliveries(subscriber, "Suppressed")
        detail = f"{reason} (was: {was}" if reason else f"(was: {was}"
        if cancelled:
            detail += f"; {cancelled} unsent email{pluralize(cancelled)} cancelled"
        record_event(
            subscriber, Kind.SUPPRESSED, source=EDITOR, detail=detail + ")", actor=by
        )
    return subscriber


@transaction.atomic
def subscriber_restore(
    *, subscriber: Subscriber, by: AbstractBaseUser | None, reason: str = ""
) -> Subscriber:
    """Lift an editor's suppression (or a complaint, at the reader's request).

    A reader who had confirmed and not left gets the newsletter again; any
    other address is marked unsubscribed, so it may sign up and confirm
    again but is mailed nothing until then.
    """
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status not in NEVER_MAILED:
        raise SuppressionError(
            f"{subscriber.email} is not suppressed "
            f"({subscriber.get_status_display().lower()}): nothing to lift."
        )
    confirmed = subscriber.confirmed_at is not None and (
        subscriber.unsubscribed_at is None
        or subscriber.unsubscribed_at < subscriber.confirmed_at
    )
    if subscriber.status == Status.SUPPRESSED and confirmed:
        subscriber.status = Status.ACTIVE
    else:
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = subscriber.unsubscribed_at or timezone.now()
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    detail = f"Now {subscriber.get_status_display().lower()}."
    record_event(
        subscriber,
        Kind.RESTORED,
        source=EDITOR,
        detail=f"{reason} ({detail})" if reason else detail,
        actor=by,
    )
    return subscriber


def subscribers_forget_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Delete sign-ups still pending NEWSLETTER_UNCONFIRMED_DAYS after their
    last request: an address nobody confirmed is not kept. Returns how many
    addresses were deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    stale = Subscriber.objects.filter(status=Status.PENDING).filter(
        Q(requested_at__lt=cutoff) | Q(requested_at__isnull=True, created_at__lt=cutoff)
    )
    _, by_model = stale.delete()
    return by_model.get(Subscriber._meta.label, 0)


def subscriber_set_categories(
    *, subscriber: Subscriber, all_categories: bool, categories: Iterable[Category]
) -> None:
    """What the weekly issue covers for this reader: every category, or the
    chosen ones."""
    chosen = [] if all_categories else list(categories)
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).update(
            all_categories=all_categories
        )
        subscriber.all_categories = all_categories
        subscriber.categories.set(chosen)
        detail = (
            "Weekly issue: every category."
            if all_categories
            else "Weekly issue: " + ", ".join(sorted(c.name for c in chosen)) + "."
        )
        record_event(subscriber, Kind.PREFERENCES, source=EMAIL_LINK, detail=detail)


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
