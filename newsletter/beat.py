"""What beat runs: each job calls one service.

Schedules live in the database (Issue.send_at); beat only polls, so a missed
or repeated tick only moves the work to the next one.
"""

from __future__ import annotations

from celery import shared_task

from newsletter.services import dispatch, follows, issues, subscribers


@shared_task(name="newsletter.assemble_weekly_issue")
def assemble_weekly_issue() -> int | None:
    """Assemble and schedule the issue of the week that just ended."""
    issue = issues.issue_assemble()
    return issue.pk if issue else None


@shared_task(name="newsletter.dispatch_due_issues")
def dispatch_due_issues() -> list[int]:
    return dispatch.issues_dispatch_due()


@shared_task(name="newsletter.reconcile_deliveries")
def reconcile_deliveries() -> dict[str, int]:
    return dispatch.deliveries_reconcile()


@shared_task(name="newsletter.forget_unconfirmed")
def forget_unconfirmed() -> int:
    """Delete sign-ups nobody confirmed within NEWSLETTER_UNCONFIRMED_DAYS."""
    return subscribers.subscribers_forget_unconfirmed()


@shared_task(name="newsletter.send_follow_alerts")
def send_follow_alerts() -> int:
    """Queue the alerts about followed tools that are due."""
    return follows.follow_alerts_queue()
