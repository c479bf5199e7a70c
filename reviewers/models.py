from collections.abc import Iterable
from datetime import datetime

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from pictures.renditions import Picture, picture
from pictures.uploads import CheckedImageField
from tools.models import Tool, Verdict

AVATAR_SIZE = 48


class ReviewerQuerySet(models.QuerySet):
    def active(self) -> "ReviewerQuerySet":
        return self.filter(active=True)


@reversion.register()
class Reviewer(models.Model):
    """A persona on the panel, judging every tool through one lens."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    lens = models.CharField(
        max_length=120,
        help_text="What this persona judges a tool by, in a few words; shown "
        "beside the name on every scorecard.",
    )
    bio = models.TextField(blank=True, help_text="Shown on the persona's page.")
    avatar = CheckedImageField(
        upload_to="avatars/",
        blank=True,
        help_text="PNG, JPEG or WebP, at most 4000 × 4000 pixels and 10 MB; "
        "cropped to a square. Without one, pages show the persona's initials.",
    )
    avatar_alt = models.CharField(
        "avatar alt text",
        max_length=200,
        blank=True,
        help_text="Describes the avatar for people who cannot see it. Needed "
        "when there is an avatar.",
    )
    avatar_renditions = models.JSONField(default=dict, blank=True, editable=False)
    seat = models.PositiveSmallIntegerField(
        "seat order",
        default=0,
        help_text="Scorecards list the panel from the lowest seat to the highest.",
    )
    active = models.BooleanField(
        default=True,
        help_text="Only active personas appear on scorecards and count towards "
        "the panel figure.",
    )
    #: The edit guard compares it with the time the form was opened.
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewerQuerySet.as_manager()

    class Meta:
        ordering = ["seat", "name"]
        verbose_name = "persona"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reviewer-detail", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        if self.avatar and not self.avatar_alt.strip():
            raise ValidationError(
                {"avatar_alt": "Describe the avatar for people who cannot see it."}
            )

    @property
    def avatar_picture(self) -> Picture | None:
        """The avatar (or monogram) renditions, once they have been made."""
        return picture(
            self.avatar_renditions, alt=self.avatar_alt if self.avatar else ""
        )


class ReviewQuerySet(models.QuerySet):
    def on_panel(self) -> "ReviewQuerySet":
        """Verdicts that count: those of active personas."""
        return self.filter(reviewer__active=True)


@reversion.register()
class Review(models.Model):
    """One persona's verdict on one tool.

    A change of verdict is recorded as a VerdictChange in the same
    transaction, whichever form or script saves it, so comparison pages can
    say publicly when a persona changed its mind.
    """

    Verdict = Verdict

    reviewer = models.ForeignKey(
        Reviewer,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name="persona",
    )
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="reviews")
    verdict = models.CharField(max_length=4, choices=Verdict.choices)
    quote = models.TextField(
        help_text="The persona's reasoning, in their voice; shown on the scorecard."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["reviewer__seat", "reviewer__name", "tool__name"]
        verbose_name = "verdict"
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "tool"],
                name="review_one_per_persona_and_tool",
                violation_error_message="This persona already has a verdict on "
                "this tool.",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values),
                name="review_verdict_valid",
                violation_error_message="A verdict is either ship or skip.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.tool}: {self.get_verdict_display()}"

    def save(self, *args, **kwargs) -> None:
        previous = getattr(self, "_saved_verdict", None)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if previous and previous != self.verdict:
                VerdictChange.objects.create(
                    reviewer_id=self.reviewer_id,
                    tool_id=self.tool_id,
                    from_verdict=previous,
                    to_verdict=self.verdict,
                )
        self._saved_verdict = self.verdict

    @classmethod
    def from_db(cls, db, field_names, values):
        review = super().from_db(db, field_names, values)
        review._saved_verdict = review.__dict__.get("verdict")
        return review

    @property
    def is_ship(self) -> bool:
        return self.verdict == self.Verdict.SHIP


class VerdictChangeQuerySet(models.QuerySet):
    def on_tools_since(
        self, tools: Iterable[Tool], since: datetime
    ) -> "VerdictChangeQuerySet":
        return self.filter(tool__in=list(tools), changed_at__gt=since).select_related(
            "reviewer", "tool"
        )


class VerdictChange(models.Model):
    """A persona moved a tool from one verdict to the other."""

    reviewer = models.ForeignKey(
        Reviewer,
        on_delete=models.CASCADE,
        related_name="verdict_changes",
        verbose_name="persona",
    )
    tool = models.ForeignKey(
        Tool, on_delete=models.CASCADE, related_name="verdict_changes"
    )
    from_verdict = models.CharField(max_length=4, choices=Verdict.choices)
    to_verdict = models.CharField(max_length=4, choices=Verdict.choices)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = VerdictChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_verdict__in=Verdict.values)
                & models.Q(to_verdict__in=Verdict.values)
                & ~models.Q(from_verdict=models.F("to_verdict")),
                name="verdictchange_is_a_change",
                violation_error_message="A verdict change goes from ship to "
                "skip or from skip to ship.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reviewer} moved {self.tool} from {self.from_verdict} to "
            f"{self.to_verdict}"
        )


class PanelTally(models.Model):
    """The panel figure's counts for one tool: its verdicts by active
    personas, and how many of them are ship. Kept exact by database
    triggers (`reviewers/tallies.py`), so a list of ten thousand tools sorts
    by the panel without counting a single verdict."""

    tool = models.OneToOneField(
        Tool, on_delete=models.CASCADE, primary_key=True, related_name="panel_tally"
    )
    ship = models.IntegerField(default=0)
    total = models.IntegerField(default=0)

    class Meta:
        verbose_name = "panel tally"
        verbose_name_plural = "panel tallies"

    def __str__(self) -> str:
        return f"{self.tool_id}: {self.ship} of {self.total}"


class Decision(models.TextChoices):
    PENDING = "pending", "Waiting for an editor"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class VerdictProposal(models.Model):
    """A contributor's change to a persona's verdict, waiting for an editor.

    A verdict moves the live figures of every comparison with its tool, so a
    contributor proposes and an editor publishes (then the verdict changes,
    with its public "moved from skip to ship" note) or rejects, with the
    reason. Editors change verdicts directly.
    """

    Decision = Decision

    reviewer = models.ForeignKey(
        Reviewer,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name="persona",
    )
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="proposals")
    verdict = models.CharField(
        "proposed verdict", max_length=4, choices=Verdict.choices
    )
    quote = models.TextField(
        "proposed quote",
        help_text="The persona's reasoning, in their voice; shown on the scorecard.",
    )
    proposed_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="verdict_proposals",
        editable=False,
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        max_length=9,
        choices=Decision.choices,
        default=Decision.PENDING,
        editable=False,
    )
    decided_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    reason = models.TextField(
        blank=True, help_text="Why it was rejected, for the contributor."
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = "verdict change for review"
        verbose_name_plural = "verdict changes for review"
        permissions = [
            ("publish_verdictproposal", "Can publish or reject verdict changes")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "tool"],
                condition=models.Q(decision="pending"),
                name="verdictproposal_one_pending",
                violation_error_message="A change to this verdict is already "
                "waiting for an editor; change that one instead.",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values)
                & models.Q(decision__in=Decision.values),
                name="verdictproposal_values_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["decision", "proposed_at"], name="proposal_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.tool}: {self.get_verdict_display()}"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING
