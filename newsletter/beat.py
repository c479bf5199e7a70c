"""What beat runs: each job calls one service.

Schedules live in the database (Issue.send_at); beat only polls, so a missed
or repeated tick only moves the work to the next one.
"""

from __future__ import annotations

from celery import shared_task

from newsletter.services import dispatch, issues


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
