"""Sending an issue: freeze its audience as delivery rows, queue chunk tasks,
re-queue what a dead worker left behind, and mark the issue sent when every
row is settled."""

from __future__ import annotations

import datetime
import logging

import redis
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from editorial.models import Action
from editorial.services import audit_record
from newsletter.models import Delivery, DeliveryClaim, Issue, Subscriber
from newsletter.sending import issue_finish_if_settled, journal_settle
from newsletter.services.issues import IssueStateError
from newsletter.tasks import deliver_chunk

logger = logging.getLogger(__name__)

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
    chunks = _pending_chunks(issue_id)
    Issue.objects.filter(pk=issue_id).update(enqueued_at=timezone.now())

    def enqueue() -> None:
        for first, last in chunks:
            deliver_chunk.delay(issue_id, first, last)

    transaction.on_commit(enqueue)
    return len(chunks)


#: Every active subscriber, except those whose chosen categories hold none of
#: the issue's comparisons (a comparison belongs to both its tools'
#: categories).
_FREEZE_AUDIENCE_SQL = """
INSERT INTO newsletter_delivery
    (issue_id, subscriber_id, status, attempts, message_id, last_error)
SELECT %(issue)s, subscriber.id, 'pending', 0, '', ''
FROM newsletter_subscriber AS subscriber
WHERE subscriber.status = 'active' AND (
    subscriber.all_categories OR EXISTS (
        SELECT 1
        FROM newsletter_subscriber_categories AS chosen
        JOIN tools_tool AS tool ON tool.category_id = chosen.category_id
        JOIN comparisons_comparison AS comparison
            ON tool.id IN (comparison.left_id, comparison.right_id)
        JOIN newsletter_issuecomparison AS item
            ON item.comparison_id = comparison.id
        WHERE chosen.subscriber_id = subscriber.id
            AND item.issue_id = %(issue)s
    )
)
ORDER BY subscriber.id
ON CONFLICT (issue_id, subscriber_id) DO NOTHING
"""


def issue_dispatch(*, issue_id: int, by: AbstractBaseUser | None = None) -> bool:
    """Freeze the audience as delivery rows and queue the chunks.

    Returns False, doing nothing, when the issue was already dispatched or
    cannot be sent, so a double click or a repeated beat tick sends nothing
    twice. An issue with no comparison left in it is refused with
    IssueStateError: an empty email cannot be called back. The send is
    written to the audit log, by `by` or, without one, by the schedule.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or not issue.is_editable:
            return False
        if not issue.comparisons.exists():
            raise IssueStateError(
                "This issue has no comparison in it, so it was not sent. Add "
                "one, or cancel the issue."
            )
        issue.status = Issue.Status.SENDING
        issue.dispatched_at = timezone.now()
        issue.save(update_fields=["status", "dispatched_at", "updated_at"])
        with connection.cursor() as cursor:
            cursor.execute(_FREEZE_AUDIENCE_SQL, {"issue": issue.pk})
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
        try:
            if issue_dispatch(issue_id=issue_id):
                dispatched.append(issue_id)
        except IssueStateError as error:
            logger.warning("Issue %s is due but not sent: %s", issue_id, error)
    return dispatched


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


def deliveries_reconcile(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Put back rows a dead worker held and re-queue what is still pending.

    A claim whose heartbeat stopped more than NEWSLETTER_CLAIM_TIMEOUT
    seconds ago belongs to a dead worker: its unsent rows go back to the
    queue and are queued again at once. Safe to run from any process at any
    time (beat runs it every few seconds, a worker when it starts).
    """
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT)
    sending = list(
        Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True)
    )
    dead_claims = list(
        DeliveryClaim.objects.filter(heartbeat_at__lt=stale).values_list(
            "pk", flat=True
        )
    )
    # What a dead chunk had sent but not yet written down is in its journal:
    # those rows are sent, not to be sent again. A journal that cannot be
    # read now keeps its claim (and rows) for a later run.
    recovered = 0
    settled = []
    for claim_id in dead_claims:
        try:
            recovered += journal_settle(claim_id)
        except redis.RedisError as error:
            logger.warning("Cannot read the journal of claim %s: %s", claim_id, error)
        else:
            settled.append(claim_id)
    dead_claims = settled
    dead = Q(claim_id__in=dead_claims) | Q(claim__isnull=True, claimed_at__lt=stale)
    # Per issue, so the (issue, status) index serves it however many
    # deliveries past issues left behind.
    released = sum(
        Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.SENDING)
        .filter(dead)
        .update(status=Delivery.Status.PENDING, claimed_at=None, claim=None)
        for issue_id in sending
    )
    if released or recovered:
        logger.warning(
            "A dead worker held %s deliveries: %s were sent, %s are queued again",
            released + recovered,
            recovered,
            released,
        )
    # A chunk that was only slow finds its claim gone at its next heartbeat
    # and stops, rather than send rows that are not its own any more.
    DeliveryClaim.objects.filter(pk__in=dead_claims).delete()
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
                Delivery.objects.filter(
                    issue_id=issue_id, status=Delivery.Status.PENDING
                )
                .exclude(next_attempt_at__gt=now)
                .exists()
            )
            if due and (
                released
                or issue.enqueued_at is None
                or issue.enqueued_at < requeue_before
            ):
                chunks += _enqueue_chunks(issue_id)
    return {
        "released": released,
        "recovered": recovered,
        "chunks": chunks,
        "finished": finished,
    }
