"""Writes with side effects on the newsletter: subscribing, issues, sending."""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from editorial.models import Action
from editorial.services import audit_record
from newsletter import emails
from newsletter.models import Delivery, Issue, IssueComparison, Subscriber

logger = logging.getLogger(__name__)

CONFIRM_SALT = "newsletter.confirm"


# Subscribers ---------------------------------------------------------------


def normalise_email(raw: str) -> str:
    """Trimmed, with the domain in lower case; raises ValidationError."""
    email = BaseUserManager.normalize_email((raw or "").strip())
    validate_email(email)
    return email


def confirmation_token(subscriber: Subscriber) -> str:
    return signing.dumps(
        {"id": subscriber.pk, "email": subscriber.email.lower()}, salt=CONFIRM_SALT
    )


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
        from newsletter.tasks import send_confirmation

        send_confirmation.delay_on_commit(subscriber.pk)
    return subscriber


def subscriber_send_confirmation(*, subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.ACTIVE:
        return False
    confirm_url = settings.SITE_URL + reverse(
        "newsletter:confirm", args=[confirmation_token(subscriber)]
    )
    context = {
        "confirm_url": confirm_url,
        "max_age_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject="Confirm your subscription to Weekly AI Tool Verdicts",
        body=render_to_string("emails/confirm.txt", context),
        to=[subscriber.email],
    )
    message.attach_alternative(
        emails.inline_css(render_to_string("emails/confirm.html", context)),
        "text/html",
    )
    message.send()
    return True


class ConfirmationError(Exception):
    """A confirmation link that cannot be used; the message says why."""


def subscriber_for_token(*, token: str) -> Subscriber:
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
    subscriber = Subscriber.objects.filter(
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
    subscriber = subscriber_for_token(token=token)
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
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
        if not batch:
            return
        before = Subscriber.objects.count()
        Subscriber.objects.bulk_create(batch, ignore_conflicts=True)
        added = Subscriber.objects.count() - before
        result.added += added
        result.duplicates += len(batch) - added
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
    flush()
    return result


# Issues --------------------------------------------------------------------


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
    next send slot; an existing issue is returned unchanged, and a week with
    nothing published gets none.
    """
    now = now or timezone.now()
    if year is None or week is None:
        year, week = previous_week(now)
    existing = Issue.objects.filter(iso_year=year, iso_week=week).first()
    if existing is not None:
        return existing
    start, end = week_bounds(year, week)
    comparisons = list(
        Comparison.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .with_tools()
        .order_by("published_at", "pk")
    )
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


_CHUNK_BOUNDS_SQL = """
SELECT MIN(id), MAX(id) FROM (
    SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s AS bucket
    FROM newsletter_delivery
    WHERE issue_id = %s AND status = 'pending'
) AS numbered
GROUP BY bucket
ORDER BY 1
"""


def _pending_chunks(issue_id: int) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(_CHUNK_BOUNDS_SQL, [settings.NEWSLETTER_CHUNK_SIZE, issue_id])
        return [(first, last) for first, last in cursor.fetchall()]


def _enqueue_chunks(issue_id: int) -> int:
    """Queue one chunk task per few hundred pending rows, after commit."""
    from newsletter.tasks import deliver_chunk

    chunks = _pending_chunks(issue_id)
    Issue.objects.filter(pk=issue_id).update(enqueued_at=timezone.now())

    def enqueue() -> None:
        for first, last in chunks:
            deliver_chunk.delay(issue_id, first, last)

    transaction.on_commit(enqueue)
    return len(chunks)


_FREEZE_AUDIENCE_SQL = """
INSERT INTO newsletter_delivery
    (issue_id, subscriber_id, status, attempts, message_id, last_error)
SELECT %s, id, 'pending', 0, '', ''
FROM newsletter_subscriber
WHERE status = 'active'
ORDER BY id
ON CONFLICT (issue_id, subscriber_id) DO NOTHING
"""


def issue_dispatch(*, issue_id: int, by: AbstractBaseUser | None = None) -> bool:
    """Freeze the audience as delivery rows and queue the chunks.

    Returns False, doing nothing, when the issue was already dispatched or
    cannot be sent, so a double click or a repeated beat tick sends nothing
    twice. The send is written to the audit log, by `by` or, without one,
    by the schedule.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or not issue.is_editable:
            return False
        issue.status = Issue.Status.SENDING
        issue.dispatched_at = timezone.now()
        issue.save(update_fields=["status", "dispatched_at", "updated_at"])
        with connection.cursor() as cursor:
            cursor.execute(_FREEZE_AUDIENCE_SQL, [issue.pk])
            audience = cursor.rowcount
        audit_record(
            action=Action.SENT,
            actor=by,
            obj=issue,
            detail=f"Sending to {audience} subscriber{'s' if audience != 1 else ''}.",
        )
        _enqueue_chunks(issue.pk)
    issue_finish_if_settled(issue_id=issue.pk)
    return True


def issues_dispatch_due(*, now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    dispatched = []
    for issue_id in Issue.objects.due(now).values_list("pk", flat=True):
        if issue_dispatch(issue_id=issue_id):
            dispatched.append(issue_id)
    return dispatched


def issue_finish_if_settled(*, issue_id: int) -> bool:
    """Mark the issue sent once no row is pending or in flight."""
    if Delivery.objects.filter(issue_id=issue_id).unsettled().exists():
        return False
    return bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    )


def issue_retry_failed(*, issue: Issue) -> int:
    with transaction.atomic():
        count = Delivery.objects.filter(
            issue=issue,
            status=Delivery.Status.FAILED,
            subscriber__status=Subscriber.Status.ACTIVE,
        ).update(
            status=Delivery.Status.PENDING,
            attempts=0,
            next_attempt_at=None,
            last_error="",
        )
        if count:
            Issue.objects.filter(pk=issue.pk).update(
                status=Issue.Status.SENDING, sent_at=None
            )
            _enqueue_chunks(issue.pk)
    return count


def issue_send_test(*, issue: Issue, to: str) -> None:
    """Send the issue as a subscriber would get it, to one address."""
    rendered = emails.render_issue(issue)
    unsubscribe_url = settings.SITE_URL + reverse(
        "newsletter:unsubscribe", args=["00000000-0000-0000-0000-000000000000"]
    )
    message = emails.IssueEmail(
        rendered=rendered,
        email=to,
        unsubscribe_url=unsubscribe_url,
        message_id=f"<issue-{issue.pk}.test.{timezone.now().timestamp():.0f}"
        f"@{emails.site_domain()}>",
        date=formatdate(usegmt=True),
    )
    message.subject = f"[Test] {message.subject}"
    message._rendered = emails.RenderedIssue(
        **{**rendered.__dict__, "subject_header": f"[Test] {rendered.subject_header}"}
    )
    message.send()


# Sending -------------------------------------------------------------------


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


def _claim(
    issue_id: int, first_id: int, last_id: int, now: datetime.datetime
) -> tuple[list[tuple[int, int, str, str, int]], int]:
    """Atomically take the chunk's due pending rows; others skip them."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                issue_id=issue_id,
                pk__gte=first_id,
                pk__lte=last_id,
                status=Delivery.Status.PENDING,
            )
            .exclude(next_attempt_at__gt=now)
            .order_by("pk")
            .values_list(
                "pk",
                "subscriber_id",
                "subscriber__email",
                "subscriber__token",
                "attempts",
                "subscriber__status",
            )
        )
        limit = settings.NEWSLETTER_MAX_ATTEMPTS
        live = [r[:5] for r in rows if r[5] == "active" and r[4] < limit]
        gone = [r[0] for r in rows if r[5] != Subscriber.Status.ACTIVE]
        # Claimed often enough without an outcome (a worker died on them
        # each time): stop trying rather than loop forever.
        exhausted = [r[0] for r in rows if r[5] == "active" and r[4] >= limit]
        if exhausted:
            Delivery.objects.filter(pk__in=exhausted).update(
                status=Delivery.Status.FAILED,
                last_error=f"No outcome after {limit} attempts",
            )
        if live:
            Delivery.objects.filter(pk__in=[r[0] for r in live]).update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
            )
        if gone:
            Delivery.objects.filter(pk__in=gone).update(
                status=Delivery.Status.CANCELLED, last_error="Not subscribed any more"
            )
    return live, len(gone)


def _is_transient(error: Exception) -> bool:
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return any(400 <= c < 500 for c in codes)
    if isinstance(code, int):
        return 400 <= code < 500
    return True


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {message.decode(errors='replace')}"
            for code, message in error.recipients.values()
        )[:500]
    code = getattr(error, "smtp_code", None)
    message = getattr(error, "smtp_error", b"")
    if isinstance(message, bytes):
        message = message.decode(errors="replace")
    text = f"{code} {message}" if code else f"{type(error).__name__}: {error}"
    return text[:500]


def delivery_chunk_send(*, issue_id: int, first_id: int, last_id: int) -> ChunkResult:
    """Send one chunk of an issue over one connection; a few queries in all."""
    result = ChunkResult()
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return result
    now = timezone.now()
    rows, result.cancelled = _claim(issue_id, first_id, last_id, now)
    result.claimed = len(rows)
    if not rows:
        issue_finish_if_settled(issue_id=issue_id)
        return result

    rendered = emails.rendered_issue(issue)
    unsubscribe_template = settings.SITE_URL + reverse(
        "newsletter:unsubscribe", args=["00000000-0000-0000-0000-000000000000"]
    )
    date = formatdate(usegmt=True)
    sent: list[Delivery] = []
    transient: dict[int, str] = {}
    permanent: dict[int, tuple[int, str]] = {}
    unsendable: dict[int, str] = {}
    attempts_of: dict[int, int] = {}
    marked = 0

    mail = get_connection(fail_silently=False)
    # With Django's SMTP backend, hand the prebuilt bytes straight to the open
    # connection: the backend would re-parse both addresses for every email.
    direct_smtp = isinstance(mail, SMTPBackend)
    envelope_from = parseaddr(rendered.from_email)[1]
    opened = False
    try:
        for pk, subscriber_id, email, token, attempts in rows:
            attempts_of[pk] = attempts + 1
            message = emails.issue_email(
                rendered=rendered,
                subscriber_id=subscriber_id,
                email=email,
                unsubscribe_url=unsubscribe_template.replace(
                    "00000000-0000-0000-0000-000000000000", str(token)
                ),
                date=date,
            )
            try:
                if not opened:
                    mail.open()
                    opened = True
                if direct_smtp:
                    mail.connection.sendmail(
                        envelope_from,
                        [
                            email
                            if email.isascii()
                            else sanitize_address(email, "utf-8")
                        ],
                        message.message().as_bytes(linesep="\r\n"),
                    )
                else:
                    mail.send_messages([message])
            except (smtplib.SMTPException, OSError) as error:
                if _is_transient(error):
                    transient[pk] = _error_text(error)
                    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                        _close_quietly(mail)
                        opened = False
                else:
                    permanent[pk] = (subscriber_id, _error_text(error))
                continue
            except (ValueError, UnicodeError) as error:
                # This one message cannot be built or addressed; the rest of
                # the chunk goes on. Not a bounce: the mailbox said nothing.
                logger.warning("Cannot send delivery %s: %s", pk, error)
                unsendable[pk] = f"{type(error).__name__}: {error}"[:500]
                continue
            sent.append(
                Delivery(
                    pk=pk,
                    status=Delivery.Status.SENT,
                    sent_at=timezone.now(),
                    message_id=message.extra_headers["Message-ID"],
                    last_error="",
                )
            )
            if len(sent) - marked >= settings.NEWSLETTER_MARK_SENT_EVERY:
                # Record progress inside the chunk, so a worker killed now
                # leaves only the last few emails to be sent a second time.
                _mark_sent(sent[marked:])
                marked = len(sent)
    finally:
        if opened:
            _close_quietly(mail)
        _record(sent[marked:], transient, permanent, attempts_of, unsendable)

    result.sent = len(sent)
    result.failed = (
        len(permanent)
        + len(unsendable)
        + sum(
            1 for pk in transient if attempts_of[pk] >= settings.NEWSLETTER_MAX_ATTEMPTS
        )
    )
    result.retrying = len(transient) - (result.failed - len(permanent))
    issue_finish_if_settled(issue_id=issue_id)
    return result


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - a broken connection is being dropped
        logger.debug("Closing the SMTP connection failed", exc_info=True)


_MARK_SENT_SQL = """
UPDATE newsletter_delivery AS delivery
SET status = 'sent', sent_at = sent.sent_at, message_id = sent.message_id,
    last_error = ''
FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[])
    AS sent(id, sent_at, message_id)
WHERE delivery.id = sent.id
"""


def _mark_sent(sent: list[Delivery]) -> None:
    """One statement for the whole chunk (bulk_update's CASE is slow here)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _MARK_SENT_SQL,
                [
                    [row.pk for row in sent],
                    [row.sent_at for row in sent],
                    [row.message_id for row in sent],
                ],
            )
    else:
        Delivery.objects.bulk_update(
            sent, ["status", "sent_at", "message_id", "last_error"], batch_size=500
        )


def _record(
    sent: list[Delivery],
    transient: dict[int, str],
    permanent: dict[int, tuple[int, str]],
    attempts_of: dict[int, int],
    unsendable: dict[int, str],
) -> None:
    """Write the chunk's outcome: a handful of queries whatever its size."""
    now = timezone.now()
    with transaction.atomic():
        if sent:
            _mark_sent(sent)
        give_up = {
            pk
            for pk in transient
            if attempts_of[pk] >= settings.NEWSLETTER_MAX_ATTEMPTS
        }
        retries: dict[tuple[int, str], list[int]] = {}
        for pk, error in transient.items():
            if pk not in give_up:
                delay = settings.NEWSLETTER_RETRY_BACKOFF * 2 ** (attempts_of[pk] - 1)
                retries.setdefault((delay, error), []).append(pk)
        for (delay, error), pks in retries.items():
            Delivery.objects.filter(pk__in=pks).update(
                status=Delivery.Status.PENDING,
                claimed_at=None,
                next_attempt_at=now + datetime.timedelta(seconds=delay),
                last_error=error,
            )
        errors = {
            **{pk: transient[pk] for pk in give_up},
            **{pk: error for pk, (_, error) in permanent.items()},
            **unsendable,
        }
        by_error: dict[str, list[int]] = {}
        for pk, error in errors.items():
            by_error.setdefault(error, []).append(pk)
        for error, pks in by_error.items():  # one query per distinct error
            Delivery.objects.filter(pk__in=pks).update(
                status=Delivery.Status.FAILED, last_error=error
            )
        if permanent:
            subscriber_ids = [subscriber_id for subscriber_id, _ in permanent.values()]
            Subscriber.objects.filter(pk__in=subscriber_ids).update(
                bounce_count=F("bounce_count") + 1
            )
            Subscriber.objects.filter(
                pk__in=subscriber_ids,
                status=Subscriber.Status.ACTIVE,
                bounce_count__gte=settings.NEWSLETTER_BOUNCE_LIMIT,
            ).update(status=Subscriber.Status.BOUNCED)


def deliveries_reconcile(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Put back rows a dead worker held and re-queue what is still pending."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)
    sending = list(
        Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True)
    )
    # Per issue, so the (issue, status) index serves it however many
    # deliveries past issues left behind.
    released = sum(
        Delivery.objects.filter(
            issue_id=issue_id, status=Delivery.Status.SENDING, claimed_at__lt=stale
        ).update(status=Delivery.Status.PENDING, claimed_at=None)
        for issue_id in sending
    )
    requeue_before = now - datetime.timedelta(seconds=settings.NEWSLETTER_REQUEUE_AFTER)
    chunks = 0
    finished = 0
    for issue_id in sending:
        if issue_finish_if_settled(issue_id=issue_id):
            finished += 1
            continue
        with transaction.atomic():
            issue = (
                Issue.objects.select_for_update(skip_locked=True)
                .filter(pk=issue_id, status=Issue.Status.SENDING)
                .first()
            )
            if issue is None:
                continue
            due = (
                Delivery.objects.filter(issue_id=issue_id, status="pending")
                .exclude(next_attempt_at__gt=now)
                .exists()
            )
            if due and (
                released
                or issue.enqueued_at is None
                or issue.enqueued_at < requeue_before
            ):
                chunks += _enqueue_chunks(issue_id)
    return {"released": released, "chunks": chunks, "finished": finished}
