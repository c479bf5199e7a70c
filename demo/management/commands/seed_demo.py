from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from comparisons.models import Comparison
from demo import content as demo
from demo import images as demo_images
from newsletter.models import Issue
from newsletter.services.issues import issue_assemble_now
from reviewers.models import Review, Reviewer
from tools.models import Category, Tool, Vote
from tools.readers import reader_key


class Command(BaseCommand):
    help = (
        "Load the demo publication: categories, tools, the panel, its verdicts, "
        "five comparisons, readers' votes and a draft of the next newsletter "
        "issue, with logos and avatars drawn for them. Safe to run again: what "
        "exists is left as it is."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        now = timezone.now()
        created = 0

        categories = {}
        for data in demo.CATEGORIES:
            categories[data["slug"]], made = Category.objects.get_or_create(
                slug=data["slug"], defaults=data
            )
            created += made

        tools = {}
        for data in demo.TOOLS:
            fields = {**data, "category": categories[data["category"]]}
            tools[data["slug"]], made = Tool.objects.get_or_create(
                slug=data["slug"], defaults=fields
            )
            created += made
            if not tools[data["slug"]].logo:
                data_png, alt = demo_images.tool_logo(data["slug"], data["name"])
                created += self.give_image(
                    tools[data["slug"]], "logo", "logo_alt", data_png, alt
                )

        personas = {}
        for data in demo.PERSONAS:
            personas[data["slug"]], made = Reviewer.objects.get_or_create(
                slug=data["slug"], defaults=data
            )
            created += made
            if not personas[data["slug"]].avatar:
                data_png, alt = demo_images.persona_avatar(
                    data["slug"], data["name"], data["seat"]
                )
                created += self.give_image(
                    personas[data["slug"]], "avatar", "avatar_alt", data_png, alt
                )

        for persona_slug, verdicts in demo.VERDICTS.items():
            for tool_slug, (verdict, quote) in verdicts.items():
                _, made = Review.objects.get_or_create(
                    reviewer=personas[persona_slug],
                    tool=tools[tool_slug],
                    defaults={"verdict": verdict, "quote": quote},
                )
                created += made

        for left, right, weeks_ago, standfirst, bottom_line in demo.COMPARISONS:
            published = weeks_ago is not None
            _, made = Comparison.objects.get_or_create(
                slug=Comparison.make_slug(tools[left], tools[right]),
                defaults={
                    "left": tools[left],
                    "right": tools[right],
                    "standfirst": standfirst,
                    "bottom_line": bottom_line,
                    "status": Comparison.Status.PUBLISHED
                    if published
                    else Comparison.Status.DRAFT,
                    "published_at": now - timedelta(weeks=weeks_ago)
                    if published
                    else None,
                },
            )
            created += made

        for tool_slug, (ship, skip) in demo.COMMUNITY_VOTES.items():
            if tools[tool_slug].votes.exists():
                continue
            verdicts = ["ship"] * ship + ["skip"] * skip
            made = Vote.objects.bulk_create(
                [
                    Vote(
                        tool=tools[tool_slug],
                        reader=reader_key(f"demo-reader-{index}"),
                        verdict=verdict,
                        cast_at=now - timedelta(hours=index),
                    )
                    for index, verdict in enumerate(verdicts)
                ]
            )
            created += len(made)

        # The next newsletter issue, as a draft to preview and test-send.
        if not Issue.objects.exists() and issue_assemble_now(now=now) is not None:
            created += 1

        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo content: {created} added."))
        else:
            self.stdout.write("Demo content already loaded; nothing changed.")

    @staticmethod
    def give_image(instance, field: str, alt_field: str, data: bytes, alt: str) -> int:
        """Upload a drawn image the way the admin would: checked, then saved."""
        setattr(instance, field, ContentFile(data, name=f"{instance.slug}.png"))
        setattr(instance, alt_field, alt)
        instance.full_clean()
        instance.save()
        return 1
