"""Celery tasks: short, idempotent, given primary keys.

Schedules live in the database (Issue.send_at); beat only polls. Sending is
split into chunk tasks on the "sending" queue, each claiming its rows, so a
killed worker loses at most the rows it had claimed, which the reconciler
puts back.
"""

from __future__ import annotations

from celery import shared_task

from newsletter.services import deliveries, dispatch, issues, subscribers


@shared_task(name="newsletter.send_confirmation")
def send_confirmation(subscriber_id: int) -> bool:
    return subscribers.subscriber_send_confirmation(subscriber_id=subscriber_id)


@shared_task(name="newsletter.assemble_weekly_issue")
def assemble_weekly_issue() -> int | None:
    """Assemble and schedule the issue of the week that just ended."""
    issue = issues.issue_assemble()
    return issue.pk if issue else None


@shared_task(name="newsletter.dispatch_due_issues")
def dispatch_due_issues() -> list[int]:
    return dispatch.issues_dispatch_due()


@shared_task(name="newsletter.deliver_chunk")
def deliver_chunk(issue_id: int, first_id: int, last_id: int) -> dict[str, int]:
    result = deliveries.delivery_chunk_send(
        issue_id=issue_id, first_id=first_id, last_id=last_id
    )
    return result.__dict__


@shared_task(name="newsletter.reconcile_deliveries")
def reconcile_deliveries() -> dict[str, int]:
    return dispatch.deliveries_reconcile()
