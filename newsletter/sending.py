"""What the sending tasks do: a chunk task claims its rows, sends them over
one SMTP connection and records every outcome in a handful of queries; a
confirmation task sends one confirmation email. Services queue these tasks;
nothing here imports a service."""

from __future__ import annotations

import datetime
import logging
import smtplib
from dataclasses import dataclass, field
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from newsletter import emails
from newsletter.models import Delivery, Issue, Subscriber

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
        active = Subscriber.Status.ACTIVE
        live = [r[:5] for r in rows if r[5] == active and r[4] < limit]
        gone = [r[0] for r in rows if r[5] != active]
        # Claimed often enough without an outcome (a worker died on them
        # each time): stop trying rather than loop forever.
        exhausted = [r[0] for r in rows if r[5] == active and r[4] >= limit]
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
    rows, result.cancelled = _claim(issue_id, first_id, last_id, timezone.now())
    result.claimed = len(rows)
    if not rows:
        issue_finish_if_settled(issue_id=issue_id)
        return result

    rendered = emails.rendered_issue(issue)
    unsubscribe_url = emails.unsubscribe_link_maker()
    date = formatdate(usegmt=True)
    sender = _Sender(from_email=rendered.from_email)
    outcomes = _Outcomes()
    unreachable = ""
    try:
        for pk, subscriber_id, email, token, attempts in rows:
            outcomes.attempts_of[pk] = attempts + 1
            if unreachable:
                outcomes.transient[pk] = unreachable
                continue
            try:
                sender.open()
            except (smtplib.SMTPException, OSError) as error:
                # The server cannot be reached: the rest of the chunk waits
                # for its retry after one attempt to connect, not one each.
                unreachable = outcomes.transient[pk] = _error_text(error)
                continue
            try:
                message = emails.issue_email(
                    rendered=rendered,
                    subscriber_id=subscriber_id,
                    email=email,
                    unsubscribe_url=unsubscribe_url(token),
                    date=date,
                )
                sender.send(message, email)
            except (smtplib.SMTPException, OSError) as error:
                outcomes.refused(pk, subscriber_id, error)
                sender.drop_if_lost(error)
            except (ValueError, UnicodeError) as error:
                # This one message cannot be built or addressed; the rest of
                # the chunk goes on. Not a bounce: the mailbox said nothing.
                logger.warning("Cannot send delivery %s: %s", pk, error)
                outcomes.unsendable[pk] = f"{type(error).__name__}: {error}"[:500]
            else:
                outcomes.delivered(pk, subscriber_id, message.extra_headers)
    finally:
        sender.close()
        outcomes.record()

    result.sent = len(outcomes.sent)
    given_up = len(outcomes.given_up())
    result.failed = len(outcomes.permanent) + len(outcomes.unsendable) + given_up
    result.retrying = len(outcomes.transient) - given_up
    issue_finish_if_settled(issue_id=issue_id)
    return result


class _Sender:
    """The chunk's one connection, opened again after the server drops it."""

    def __init__(self, *, from_email: str) -> None:
        self.mail = get_connection(fail_silently=False)
        # With Django's SMTP backend, hand the prebuilt bytes straight to the
        # open connection: the backend would re-parse both addresses for
        # every email.
        self.direct_smtp = isinstance(self.mail, SMTPBackend)
        self.envelope_from = parseaddr(from_email)[1]
        self.opened = False

    def open(self) -> None:
        if not self.opened:
            self.mail.open()
            self.opened = True

    def send(self, message: emails.IssueEmail, email: str) -> None:
        if not self.direct_smtp:
            self.mail.send_messages([message])
            return
        self.mail.connection.sendmail(
            self.envelope_from,
            [email if email.isascii() else sanitize_address(email, "utf-8")],
            message.message().as_bytes(linesep="\r\n"),
        )

    def drop_if_lost(self, error: Exception) -> None:
        """Let go of a connection that is gone (a network error, the server
        hanging up, or smtplib closing it after a 421 reply); a refused
        recipient keeps it."""
        smtp = getattr(self.mail, "connection", None)
        closed = smtp is not None and getattr(smtp, "sock", True) is None
        network = not isinstance(error, smtplib.SMTPException)  # an OSError
        if closed or network or isinstance(error, smtplib.SMTPServerDisconnected):
            self.close()

    def close(self) -> None:
        if self.opened:
            _close_quietly(self.mail)
            self.opened = False


@dataclass
class _Outcomes:
    """What became of each claimed row, written in a handful of queries."""

    sent: list[Delivery] = field(default_factory=list)
    sent_to: list[int] = field(default_factory=list)
    transient: dict[int, str] = field(default_factory=dict)
    permanent: dict[int, tuple[int, str]] = field(default_factory=dict)
    unsendable: dict[int, str] = field(default_factory=dict)
    attempts_of: dict[int, int] = field(default_factory=dict)
    marked: int = 0

    def delivered(self, pk: int, subscriber_id: int, headers: dict[str, str]) -> None:
        self.sent.append(
            Delivery(
                pk=pk,
                status=Delivery.Status.SENT,
                sent_at=timezone.now(),
                message_id=headers["Message-ID"],
                last_error="",
            )
        )
        self.sent_to.append(subscriber_id)
        if len(self.sent) - self.marked >= settings.NEWSLETTER_MARK_SENT_EVERY:
            # Record progress inside the chunk, so a worker killed now
            # leaves only the last few emails to be sent a second time.
            _mark_sent(self.sent[self.marked :])
            self.marked = len(self.sent)

    def refused(self, pk: int, subscriber_id: int, error: Exception) -> None:
        if _is_transient(error):
            self.transient[pk] = _error_text(error)
        else:
            self.permanent[pk] = (subscriber_id, _error_text(error))

    def given_up(self) -> set[int]:
        """Transient failures that used up their attempts."""
        limit = settings.NEWSLETTER_MAX_ATTEMPTS
        return {pk for pk in self.transient if self.attempts_of[pk] >= limit}

    def record(self) -> None:
        now = timezone.now()
        given_up = self.given_up()
        with transaction.atomic():
            if self.marked < len(self.sent):
                _mark_sent(self.sent[self.marked :])
            if self.sent_to:
                # A delivered email ends a run of bounces.
                Subscriber.objects.filter(
                    pk__in=self.sent_to, bounce_count__gt=0
                ).update(bounce_count=0)
            retries: dict[tuple[int, str], list[int]] = {}
            for pk, error in self.transient.items():
                if pk not in given_up:
                    backoff = 2 ** (self.attempts_of[pk] - 1)
                    delay = settings.NEWSLETTER_RETRY_BACKOFF * backoff
                    retries.setdefault((delay, error), []).append(pk)
            for (delay, error), pks in retries.items():
                Delivery.objects.filter(pk__in=pks).update(
                    status=Delivery.Status.PENDING,
                    claimed_at=None,
                    next_attempt_at=now + datetime.timedelta(seconds=delay),
                    last_error=error,
                )
            errors = {
                **{pk: self.transient[pk] for pk in given_up},
                **{pk: error for pk, (_, error) in self.permanent.items()},
                **self.unsendable,
            }
            by_error: dict[str, list[int]] = {}
            for pk, error in errors.items():
                by_error.setdefault(error, []).append(pk)
            for error, pks in by_error.items():  # one query per distinct error
                Delivery.objects.filter(pk__in=pks).update(
                    status=Delivery.Status.FAILED, last_error=error
                )
            if self.permanent:
                _count_bounces([sid for sid, _ in self.permanent.values()])


def _count_bounces(subscriber_ids: list[int]) -> None:
    """One more permanent failure each; too many in a row and they bounce."""
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        bounce_count=F("bounce_count") + 1
    )
    Subscriber.objects.filter(
        pk__in=subscriber_ids,
        status=Subscriber.Status.ACTIVE,
        bounce_count__gte=settings.NEWSLETTER_BOUNCE_LIMIT,
    ).update(status=Subscriber.Status.BOUNCED)


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


def issue_finish_if_settled(*, issue_id: int) -> bool:
    """Mark the issue sent once no row is pending or in flight."""
    if Delivery.objects.filter(issue_id=issue_id).unsettled().exists():
        return False
    return bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )
    )


def confirmation_send(*, subscriber_id: int) -> bool:
    """Mail the confirmation link to an address that is not active yet."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.ACTIVE:
        return False
    confirm_url = settings.SITE_URL + reverse(
        "newsletter:confirm", args=[subscriber.confirmation_token]
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
