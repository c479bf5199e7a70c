from django.core.management.base import BaseCommand

from comparisons.tasks import share_cards_refresh
from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions
from tools.models import Tool
from tools.tasks import tool_logo_renditions


class Command(BaseCommand):
    help = (
        "Enqueue renditions, monograms and share cards for every tool, persona "
        "and published comparison. Only what is missing or out of date is drawn, "
        "so it is safe to run at any time (after restoring media, say)."
    )

    def handle(self, *args, **options) -> None:
        tools = list(Tool.objects.values_list("pk", flat=True))
        personas = list(Reviewer.objects.values_list("pk", flat=True))
        for tool_id in tools:
            tool_logo_renditions.delay(tool_id)
        for reviewer_id in personas:
            reviewer_avatar_renditions.delay(reviewer_id)
        share_cards_refresh.delay()
        self.stdout.write(
            f"Enqueued pictures for {len(tools)} tools and {len(personas)} "
            "personas, and their share cards."
        )
