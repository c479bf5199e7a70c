"""Celery tasks that services queue: short, idempotent, given primary keys.

Sending is split into chunk tasks on the "sending" queue, each claiming its
rows, so a killed worker loses at most the rows it had claimed, which the
reconciler puts back. A task runs code from `sending` (or `alerts`, for
alerts about followed tools); it never imports a service (services import
tasks), and what beat runs is in `beat.py`.
"""

from __future__ import annotations

from celery import shared_task

from newsletter import alerts, sending


@shared_task(name="newsletter.send_confirmation")
def send_confirmation(subscriber_id: int) -> bool:
    return sending.confirmation_send(subscriber_id=subscriber_id)


@shared_task(name="newsletter.deliver_chunk")
def deliver_chunk(issue_id: int, first_id: int, last_id: int) -> dict[str, int]:
    result = sending.delivery_chunk_send(
        issue_id=issue_id, first_id=first_id, last_id=last_id
    )
    return result.__dict__


@shared_task(
    name="newsletter.send_follow_alert_chunk", soft_time_limit=120, time_limit=180
)
def send_follow_alert_chunk(subscriber_ids: list[int]) -> dict[str, int]:
    """Alerts about followed tools for a chunk of subscribers; each is
    claimed before it is sent, so running the task twice sends nothing
    twice."""
    return alerts.alerts_send(subscriber_ids=subscriber_ids).__dict__
