import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from editorial.markdown import render_markdown
from pictures.renditions import Picture, picture
from pictures.uploads import CheckedImageField

LOGO_SIZE = 64


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="Used in the category page's address."
    )
    description = models.TextField(
        blank=True, help_text="One or two sentences shown at the top of its page."
    )
    #: The edit guard compares it with the time the form was opened.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("category-detail", args=[self.slug])


class Verdict(models.TextChoices):
    """Ship or skip: what a persona says of a tool, and what a reader votes."""

    SHIP = "ship", "Ship"
    SKIP = "skip", "Skip"


class PricingTier(models.TextChoices):
    FREE = "free", "Free"
    FREEMIUM = "freemium", "Freemium"
    OPEN_SOURCE = "open_source", "Open source"
    PAID = "paid", "Paid"
    ENTERPRISE = "enterprise", "Enterprise"


@reversion.register()
class Tool(models.Model):
    PricingTier = PricingTier

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(
        max_length=120,
        unique=True,
        help_text="Used in the tool's address and in its comparisons' addresses.",
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tools"
    )
    tagline = models.CharField(
        max_length=200, help_text="One line under the name on every card."
    )
    description = models.TextField(
        help_text="The editorial description on the tool card. Markdown: "
        "**bold**, *italic*, [links](https://example.com) and lists."
    )
    website = models.URLField(blank=True)
    pricing_tier = models.CharField(
        "entry tier",
        max_length=20,
        choices=PricingTier.choices,
        help_text="Shown as “Entry” on the tool card.",
    )
    pricing_note = models.CharField(
        max_length=240,
        blank=True,
        help_text="What it costs in practice, shown in the pricing read.",
    )
    logo = CheckedImageField(
        upload_to="logos/",
        blank=True,
        help_text="PNG, JPEG or WebP, at most 4000 × 4000 pixels and 10 MB; "
        "square works best. Without one, pages show the tool's initials.",
    )
    logo_alt = models.CharField(
        "logo alt text",
        max_length=200,
        blank=True,
        help_text="Describes the logo for people who cannot see it. Needed "
        "when there is a logo.",
    )
    logo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    share_card = models.ImageField(upload_to="cards/tools/", blank=True, editable=False)
    share_card_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # A category's tools by name, a page at a time.
            models.Index(fields=["category", "name"], name="tool_category_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pricing_tier__in=PricingTier.values),
                name="tool_pricing_tier_valid",
                violation_error_message="Choose one of the listed entry tiers.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tool-detail", args=[self.slug])

    def clean(self) -> None:
        super().clean()
        if self.logo and not self.logo_alt.strip():
            raise ValidationError(
                {"logo_alt": "Describe the logo for people who cannot see it."}
            )

    @property
    def logo_picture(self) -> Picture | None:
        """The logo (or monogram) renditions, once they have been made."""
        return picture(self.logo_renditions, alt=self.logo_alt if self.logo else "")

    @property
    def entry_label(self) -> str:
        """The entry tier as readers see it (what get_pricing_tier_display
        says, without searching the choices each time)."""
        return PricingTier(self.pricing_tier).label

    @property
    def description_html(self) -> str:
        return render_markdown(self.description)


class VoteQuerySet(models.QuerySet):
    def cast_between(self, start, end) -> "VoteQuerySet":
        """Votes whose current verdict was cast in [start, end)."""
        return self.filter(cast_at__gte=start, cast_at__lt=end)


class Vote(models.Model):
    """One reader's ship or skip on one tool.

    Readers have no accounts: `reader` is a keyed hash of the random id kept
    in the reader's signed cookie, so neither that id nor any address is
    stored. A reader who changes their mind updates this row; withdrawing
    deletes it, so a reader is never counted twice.
    """

    Verdict = Verdict

    # Votes are readers' reactions to a tool, not editorial content: they go
    # with the tool rather than keeping a retired tool in the catalogue.
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="votes")
    reader = models.CharField(
        max_length=64, help_text="Keyed hash of the reader's random cookie id."
    )
    verdict = models.CharField(max_length=4, choices=Verdict.choices)
    cast_at = models.DateTimeField(
        "cast at", help_text="When the reader cast the verdict this vote holds now."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    held = models.BooleanField(
        default=False,
        # Also the database's default, so a script's plain INSERT counts.
        db_default=False,
        help_text="Cast in a burst an editor has not judged yet: kept out of "
        "the figures until the burst is accepted or its votes removed.",
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["-cast_at"]
        verbose_name = "community vote"
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "reader"],
                name="vote_one_per_tool_and_reader",
                violation_error_message="This reader has already voted on this tool.",
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=Verdict.values),
                name="vote_verdict_valid",
                violation_error_message="A vote is either ship or skip.",
            ),
        ]
        indexes = [
            models.Index(fields=["tool", "cast_at"], name="vote_tool_cast_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on {self.tool}"


class VoteTally(models.Model):
    """Running totals of a tool's votes, kept by triggers in the database.

    Every insert, change and delete on the votes table (a reader's vote, a
    withdrawal, an editor's clean-up, a script, a cascade) adds to or takes
    from these rows in the same transaction, so a figure is a sum over a
    few rows however many votes a tool has. On PostgreSQL a tool's totals
    are spread over `SHARDS` rows, chosen by a hash of the reader, so that
    simultaneous votes on one tool do not queue for one row lock; a shard on
    its own means nothing, only the sum does. `manage.py rebuild_tallies`
    recounts them from the votes.
    """

    SHARDS = 8

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="tallies")
    shard = models.PositiveSmallIntegerField()
    ship = models.IntegerField(default=0)
    skip = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "shard"], name="votetally_one_row_per_shard"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tool}: {self.ship} ship, {self.skip} skip (shard {self.shard})"


class BurstStatus(models.TextChoices):
    PENDING = "pending", "Held for an editor"
    ACCEPTED = "accepted", "Accepted"
    REMOVED = "removed", "Votes removed"


class VoteBurst(models.Model):
    """Votes on one tool far above its usual rate, found by beat
    (`tools/bursts.py`). While it is pending, the burst's votes, and any
    new vote on the tool, are held out of the figures; an editor accepts
    them (they count) or removes them (they are deleted)."""

    Status = BurstStatus

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="bursts")
    window_start = models.DateTimeField(
        help_text="The votes cast from here on were held."
    )
    detected_at = models.DateTimeField()
    votes_in_window = models.PositiveIntegerField()
    usual_in_window = models.FloatField(
        help_text="How many votes the tool usually gets in a window this long."
    )
    status = models.CharField(
        max_length=8, choices=BurstStatus.choices, default=BurstStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    votes_decided = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many held votes were accepted or removed."
    )

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = "vote burst"
        constraints = [
            models.UniqueConstraint(
                fields=["tool"],
                condition=models.Q(status="pending"),
                name="voteburst_one_pending_per_tool",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=BurstStatus.values),
                name="voteburst_status_valid",
            ),
        ]

    def __str__(self) -> str:
        start = timezone.localtime(self.window_start)
        return f"{self.votes_in_window} votes on {self.tool} from {start:%d %b %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.status == BurstStatus.PENDING
