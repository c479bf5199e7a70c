import time

from django.core.management.base import BaseCommand, CommandError

from newsletter.models import Delivery, Issue
from newsletter.services.dispatch import issue_dispatch
from newsletter.services.issues import IssueStateError, issue_assemble


class Command(BaseCommand):
    help = (
        "Do now what beat does on its schedule: assemble the issue of the week "
        "that just ended if there is none, and send it. Prints the issue's "
        "number. Safe to run twice: nothing is sent twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Show a progress bar until every email is sent or has failed.",
        )

    def handle(self, *args, wait: bool = False, **options) -> None:
        issue = issue_assemble(schedule=False)
        if issue is None:
            raise CommandError(
                "Nothing was published last week, so there is no issue to send."
            )
        if issue.status == Issue.Status.CANCELLED:
            raise CommandError(
                f"Issue {issue.number} ({issue.week_label}) was cancelled; "
                "it will not be sent."
            )
        try:
            dispatched = issue_dispatch(issue_id=issue.pk)
        except IssueStateError as error:
            raise CommandError(f"Issue {issue.number}: {error}") from error
        if dispatched:
            self.stdout.write(
                f"Issue {issue.number} ({issue.week_label}) is going out."
            )
        else:
            issue.refresh_from_db()
            self.stdout.write(
                f"Issue {issue.number} ({issue.week_label}) is already "
                f"{issue.get_status_display().lower()}; nothing new was queued."
            )
        if wait:
            self._wait(issue)

    def _wait(self, issue: Issue) -> None:
        width = 40
        while True:
            progress = Delivery.objects.filter(issue=issue).progress()
            done = (
                width * progress.settled // progress.total if progress.total else width
            )
            self.stdout.write(
                f"\r[{'#' * done}{'.' * (width - done)}] "
                f"{progress.settled}/{progress.total} "
                f"sent {progress.counts['sent']} failed {progress.counts['failed']}",
                ending="",
            )
            self.stdout.flush()
            if progress.settled >= progress.total:
                self.stdout.write("")
                break
            time.sleep(0.5)
