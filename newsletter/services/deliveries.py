"""One chunk task's work: claim its rows, send them over one SMTP
connection, and record every outcome in a handful of queries."""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from newsletter import emails
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.services.dispatch import issue_finish_if_settled

logger = logging.getLogger(__name__)


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
    unsubscribe_url = emails.unsubscribe_link_maker()
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
                unsubscribe_url=unsubscribe_url(token),
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
