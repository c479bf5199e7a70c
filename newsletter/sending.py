"""What the sending tasks do: a chunk task claims its rows, sends them over
one SMTP connection and records every outcome in a handful of queries; a
confirmation task sends one confirmation email. Services queue these tasks;
nothing here imports a service."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
import os
import smtplib
import socket
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parseaddr

import redis
from anymail.exceptions import AnymailRecipientsRefused
from celery.signals import worker_ready
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
from newsletter.models import (
    Delivery,
    DeliveryClaim,
    Issue,
    IssueComparison,
    Subscriber,
)

logger = logging.getLogger(__name__)


@worker_ready.connect(dispatch_uid="newsletter:reconcile-on-start")
def _reconcile_when_a_worker_starts(sender, **kwargs) -> None:
    """A worker that starts (perhaps replacing one that died) asks for the
    reconciler at once rather than waiting for beat's next tick."""
    sender.app.send_task("newsletter.reconcile_deliveries")


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class _Row:
    pk: int
    subscriber_id: int
    email: str
    token: object
    attempts: int
    #: The issue's comparisons this reader gets, in issue order; None for
    #: all of them.
    comparison_ids: tuple[int, ...] | None = None


def _claim(
    issue_id: int, first_id: int, last_id: int, now: datetime.datetime
) -> tuple[int | None, list[_Row], int]:
    """Atomically take the chunk's due pending rows under a new claim; other
    chunks skip them. Returns the claim's id, the rows and how many were
    cancelled because their reader left."""
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
                "subscriber__all_categories",
            )
        )
        limit = settings.NEWSLETTER_MAX_ATTEMPTS
        active = Subscriber.Status.ACTIVE
        live = [_Row(*r[:5]) for r in rows if r[5] == active and r[4] < limit]
        choosy = {r[1] for r in rows if not r[6]}
        gone = [r[0] for r in rows if r[5] != active]
        # Claimed often enough without an outcome (a worker died on them
        # each time): stop trying rather than loop forever.
        exhausted = [r[0] for r in rows if r[5] == active and r[4] >= limit]
        if exhausted:
            Delivery.objects.filter(pk__in=exhausted).update(
                status=Delivery.Status.FAILED,
                last_error=f"No outcome after {limit} attempts",
            )
        live, uninterested = _choose_content(issue_id, live, choosy)
        if uninterested:
            Delivery.objects.filter(pk__in=uninterested).update(
                status=Delivery.Status.CANCELLED,
                last_error="Nothing in the reader's categories",
            )
        claim_id = None
        if live:
            claim_id = DeliveryClaim.objects.create(
                issue_id=issue_id, worker=_worker_name(), started_at=now,
                heartbeat_at=now,
            ).pk  # fmt: skip
            Delivery.objects.filter(pk__in=[r.pk for r in live]).update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                claim_id=claim_id,
                attempts=F("attempts") + 1,
            )
        if gone:
            Delivery.objects.filter(pk__in=gone).update(
                status=Delivery.Status.CANCELLED, last_error="Not subscribed any more"
            )
    return claim_id, live, len(gone) + len(uninterested)


def _choose_content(
    issue_id: int, rows: list[_Row], choosy: set[int]
) -> tuple[list[_Row], list[int]]:
    """Each row with the comparisons its reader's categories cover, and the
    rows whose reader gets none of them. `choosy` are the subscribers who
    chose categories; two queries for the chunk if there are any."""
    if not rows or not choosy:
        return rows, []
    chosen: dict[int, set[int]] = {pk: set() for pk in choosy}
    for subscriber_id, category_id in Subscriber.categories.through.objects.filter(
        subscriber_id__in=choosy
    ).values_list("subscriber_id", "category_id"):
        chosen[subscriber_id].add(category_id)
    in_issue = list(
        IssueComparison.objects.filter(issue_id=issue_id)
        .order_by("position", "pk")
        .values_list(
            "comparison_id",
            "comparison__left__category_id",
            "comparison__right__category_id",
        )
    )
    everything = tuple(pk for pk, _, _ in in_issue)
    kept, uninterested = [], []
    for row in rows:
        if row.subscriber_id not in choosy:
            kept.append(row)
            continue
        categories = chosen[row.subscriber_id]
        subset = tuple(pk for pk, left, right in in_issue if {left, right} & categories)
        if not subset:
            uninterested.append(row.pk)
        else:
            kept.append(
                dataclasses.replace(
                    row, comparison_ids=None if subset == everything else subset
                )
            )
    return kept, uninterested


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


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
    """Send one chunk of an issue over one connection.

    Each email is recorded as sent before the next one is handed to the
    server, so a process killed mid-chunk has sent at most one email that
    the next attempt sends again. The chunk's claim beats while it sends; if
    the reconciler took the rows back (the claim looked dead), the chunk
    stops rather than race whoever has them now.
    """
    result = ChunkResult()
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).first()
    if issue is None:
        return result
    claim_id, rows, result.cancelled = _claim(
        issue_id, first_id, last_id, timezone.now()
    )
    result.claimed = len(rows)
    if not rows:
        issue_finish_if_settled(issue_id=issue_id)
        return result

    renderings: dict[tuple[int, ...] | None, emails.RenderedIssue] = {}

    def rendered_for(comparison_ids: tuple[int, ...] | None) -> emails.RenderedIssue:
        # Once per distinct content in the chunk (and once per process, by
        # the emails module's own cache).
        if comparison_ids not in renderings:
            renderings[comparison_ids] = (
                emails.rendered_issue(issue)
                if comparison_ids is None
                else emails.rendered_issue(issue, comparison_ids=comparison_ids)
            )
        return renderings[comparison_ids]

    unsubscribe_url = emails.unsubscribe_link_maker()
    preferences_url = emails.preferences_link_maker()
    date = formatdate(usegmt=True)
    sender = _Sender(from_email=settings.DEFAULT_FROM_EMAIL)
    journal = _Journal(claim_id)
    outcomes = _Outcomes()
    unreachable = ""
    try:
        for row in rows:
            if not journal.beat_if_due():
                logger.warning(
                    "Claim %s on issue %s was taken back; stopping the chunk",
                    claim_id,
                    issue_id,
                )
                break
            outcomes.attempts_of[row.pk] = row.attempts + 1
            if unreachable:
                outcomes.transient[row.pk] = unreachable
                continue
            try:
                sender.open()
            except (smtplib.SMTPException, OSError) as error:
                # The server cannot be reached: the rest of the chunk waits
                # for its retry after one attempt to connect, not one each.
                unreachable = outcomes.transient[row.pk] = _error_text(error)
                continue
            try:
                message = emails.issue_email(
                    rendered=rendered_for(row.comparison_ids),
                    subscriber_id=row.subscriber_id,
                    email=row.email,
                    unsubscribe_url=unsubscribe_url(row.token),
                    preferences_url=preferences_url(row.token),
                    date=date,
                )
                sender.send(message, row.email)
            except (smtplib.SMTPException, OSError) as error:
                outcomes.refused(row.pk, row.subscriber_id, error)
                sender.drop_if_lost(error)
            except AnymailRecipientsRefused as error:
                # An email provider's API refused the address for good.
                outcomes.permanent[row.pk] = (row.subscriber_id, str(error)[:500])
            except Exception as error:  # noqa: BLE001 - one row, not the chunk
                # This one message cannot be built, addressed or accepted
                # (a template, an address, a provider's API); the rest of the
                # chunk goes on. Not a bounce: the mailbox said nothing.
                logger.warning("Cannot send delivery %s: %s", row.pk, error)
                outcomes.unsendable[row.pk] = f"{type(error).__name__}: {error}"[:500]
            else:
                outcomes.sent.add(row.pk)
                outcomes.sent_to.append(row.subscriber_id)
                if not journal.sent(row.pk, message.extra_headers["Message-ID"]):
                    logger.warning(
                        "Claim %s on issue %s was taken back; stopping the chunk",
                        claim_id,
                        issue_id,
                    )
                    break
    finally:
        sender.close()
        try:
            outcomes.record(claim_id=claim_id, claimed=[row.pk for row in rows])
        finally:
            journal.close()

    result.sent = len(outcomes.sent_to)
    given_up = len(outcomes.given_up())
    result.failed = len(outcomes.permanent) + len(outcomes.unsendable) + given_up
    result.retrying = len(outcomes.transient) - given_up
    issue_finish_if_settled(issue_id=issue_id)
    return result


_MARK_SENT_SQL = """
UPDATE newsletter_delivery AS delivery
SET status = 'sent', sent_at = sent.sent_at, message_id = sent.message_id,
    last_error = ''
FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[])
    AS sent(id, sent_at, message_id)
WHERE delivery.id = sent.id AND delivery.claim_id = %s
    AND delivery.status = 'sending'
"""

#: Where a claim's journal of sent emails lives in Redis.
JOURNAL_KEY = "newsletter:sent:{claim_id}"
_JOURNAL_DAYS = 2
_redis_clients: dict[int, redis.Redis] = {}


def _redis() -> redis.Redis:
    """This process's Redis client (made again after a fork)."""
    pid = os.getpid()
    if pid not in _redis_clients:
        _redis_clients.clear()
        _redis_clients[pid] = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_clients[pid]


@dataclass(frozen=True)
class SentRecord:
    pk: int
    sent_at: datetime.datetime
    message_id: str


def _mark_sent(claim_id: int, records: list[SentRecord]) -> int:
    """Write the chunk's sent rows to the database, in one statement on
    PostgreSQL; only rows the claim still holds."""
    if not records:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _MARK_SENT_SQL,
                [
                    [r.pk for r in records],
                    [r.sent_at for r in records],
                    [r.message_id for r in records],
                    claim_id,
                ],
            )
            return cursor.rowcount
    marked = 0
    for record in records:
        marked += Delivery.objects.filter(
            pk=record.pk, claim_id=claim_id, status=Delivery.Status.SENDING
        ).update(
            status=Delivery.Status.SENT,
            sent_at=record.sent_at,
            message_id=record.message_id,
            last_error="",
        )
    return marked


_JOURNAL_OPEN = b"open"


def journal_read(claim_id: int, *, key: str | None = None) -> list[SentRecord]:
    """What a claim's chunk recorded as sent (for the reconciler, when the
    chunk's worker died before writing it to the database)."""
    if not settings.REDIS_URL:
        return []
    records = []
    for raw in _redis().lrange(key or JOURNAL_KEY.format(claim_id=claim_id), 0, -1):
        if raw == _JOURNAL_OPEN:
            continue
        pk, stamp, message_id = raw.decode().split(" ", 2)
        records.append(
            SentRecord(
                pk=int(pk),
                sent_at=datetime.datetime.fromtimestamp(float(stamp), datetime.UTC),
                message_id=message_id,
            )
        )
    return records


def journal_settle(claim_id: int) -> int:
    """Close a dead chunk's journal, write what it holds to the database and
    drop it; returns how many rows it marked sent. Raises redis.RedisError
    when Redis cannot be read (the claim is then left for a later try).

    The journal is renamed first: a chunk that was only slow finds it gone
    at its next record and stops, so at most the one email it was sending
    is sent again by whoever claims its rows next."""
    if not settings.REDIS_URL:
        return 0
    key = JOURNAL_KEY.format(claim_id=claim_id)
    closed = f"{key}:closed"
    try:
        _redis().rename(key, closed)
    except redis.ResponseError:  # no journal: the chunk finished or sent none
        return 0
    marked = _mark_sent(claim_id, journal_read(claim_id, key=closed))
    _redis().delete(closed)
    return marked


class _Journal:
    """Records each email as sent once the server took it, before the next
    one is handed over, and keeps the chunk's claim alive.

    With Redis (production), each record is one RPUSHX onto the claim's
    list, opened when the chunk starts: far cheaper than a database commit
    per email. The chunk writes the whole list to the database when it ends;
    if its worker dies first, the reconciler writes it (`journal_settle`)
    before it puts the other rows back. Without Redis, or if Redis fails
    mid-chunk, each record is its own UPDATE. Either way at most one email
    per process is ever sent but not recorded.
    """

    def __init__(self, claim_id: int | None) -> None:
        self.claim_id = claim_id
        self.key = JOURNAL_KEY.format(claim_id=claim_id)
        self.every = settings.NEWSLETTER_HEARTBEAT_SECONDS
        self.last_beat = time.monotonic()
        #: Recorded in Redis, not yet in the database.
        self.journaled: list[SentRecord] = []
        #: One Redis connection held for the chunk: a record is one command
        #: written and its reply read, without the client's pool and retry
        #: layers around every call.
        self.redis = None
        if settings.REDIS_URL:
            try:
                client = _redis()
                client.rpush(self.key, _JOURNAL_OPEN)
                client.expire(self.key, _JOURNAL_DAYS * 86400)
                self.redis = client.connection_pool.get_connection()
            except redis.RedisError:
                logger.warning("Redis is unreachable: recording sends one by one")

    def sent(self, pk: int, message_id: str) -> bool:
        """Record one email the server took; False if the claim was taken
        back meanwhile (the chunk must stop)."""
        record = SentRecord(pk=pk, sent_at=timezone.now(), message_id=message_id)
        if self.redis is not None:
            line = f"{pk} {record.sent_at.timestamp():.6f} {message_id}"
            try:
                self.redis.send_command("RPUSHX", self.key, line)
                pushed = bool(self.redis.read_response())
            except redis.RedisError:
                logger.warning("Redis failed mid-chunk: recording sends one by one")
                self._let_go_of_redis(broken=True)
            else:
                if pushed:
                    self.journaled.append(record)
                return pushed
        return bool(_mark_sent(self.claim_id, [record]))

    def beat_if_due(self) -> bool:
        """Refresh the claim's heartbeat when it is due; False if the claim
        is gone (the reconciler gave its rows back)."""
        if time.monotonic() - self.last_beat < self.every:
            return True
        self.last_beat = time.monotonic()
        return bool(
            DeliveryClaim.objects.filter(pk=self.claim_id).update(
                heartbeat_at=timezone.now()
            )
        )

    def close(self) -> None:
        """Write the journal to the database and let it go (if this fails,
        the journal stays for the reconciler)."""
        self._let_go_of_redis()
        _mark_sent(self.claim_id, self.journaled)
        self.journaled = []
        if settings.REDIS_URL:
            with contextlib.suppress(redis.RedisError):
                _redis().delete(self.key)

    def _let_go_of_redis(self, *, broken: bool = False) -> None:
        if self.redis is None:
            return
        if broken:
            with contextlib.suppress(redis.RedisError, OSError):
                self.redis.disconnect()
        _redis().connection_pool.release(self.redis)
        self.redis = None


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
        _send_prebuilt(
            self.mail.connection,
            self.envelope_from,
            email if email.isascii() else sanitize_address(email, "utf-8"),
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


def _send_prebuilt(
    smtp: smtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
) -> None:
    """One SMTP transaction for bytes that are already a message with CRLF
    line ends, as `smtplib.SMTP.sendmail` does it but without parsing both
    addresses and rewriting every line end of the message again each time.
    Errors, and closing the connection on a 421, are sendmail's."""
    smtp.ehlo_or_helo_if_needed()
    size = f" SIZE={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, reply = smtp.docmd("MAIL", f"FROM:<{sender}>{size}")
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = smtp.docmd("RCPT", f"TO:<{recipient}>")
    if code not in (250, 251):
        _reset_or_close(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = smtp.docmd("DATA")
    if code != 354:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    # Dot-stuffing (RFC 5321 4.5.2); a message starts with a header, never ".".
    smtp.send(data.replace(b"\r\n.", b"\r\n..") + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _reset_or_close(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


@dataclass
class _Outcomes:
    """What became of the claimed rows that were not sent, written in a
    handful of queries when the chunk ends."""

    sent: set[int] = field(default_factory=set)
    sent_to: list[int] = field(default_factory=list)
    transient: dict[int, str] = field(default_factory=dict)
    permanent: dict[int, tuple[int, str]] = field(default_factory=dict)
    unsendable: dict[int, str] = field(default_factory=dict)
    attempts_of: dict[int, int] = field(default_factory=dict)

    def refused(self, pk: int, subscriber_id: int, error: Exception) -> None:
        if _is_transient(error):
            self.transient[pk] = _error_text(error)
        else:
            self.permanent[pk] = (subscriber_id, _error_text(error))

    def given_up(self) -> set[int]:
        """Transient failures that used up their attempts."""
        limit = settings.NEWSLETTER_MAX_ATTEMPTS
        return {pk for pk in self.transient if self.attempts_of[pk] >= limit}

    def record(self, *, claim_id: int | None, claimed: list[int]) -> None:
        now = timezone.now()
        given_up = self.given_up()
        # Only rows this claim still holds are written: the reconciler may
        # have given the rest to another chunk.
        held = Delivery.objects.filter(
            claim_id=claim_id, status=Delivery.Status.SENDING
        )
        with transaction.atomic():
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
                held.filter(pk__in=pks).update(
                    status=Delivery.Status.PENDING,
                    claimed_at=None,
                    claim=None,
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
                held.filter(pk__in=pks).update(
                    status=Delivery.Status.FAILED, last_error=error
                )
            if self.permanent:
                _count_bounces([sid for sid, _ in self.permanent.values()])
            # Rows the chunk never reached (it stopped on an error or lost
            # its claim) go back to the queue at once.
            settled = {*self.sent, *self.transient, *self.permanent, *self.unsendable}
            unfinished = [pk for pk in claimed if pk not in settled]
            if unfinished and claim_id is not None:
                held.filter(pk__in=unfinished).update(
                    status=Delivery.Status.PENDING, claimed_at=None, claim=None
                )


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
