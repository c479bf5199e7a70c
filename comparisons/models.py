import copy
from datetime import datetime, timedelta

import reversion
from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from editorial.markdown import first_sentence, render_markdown
from tools.models import Tool


class ComparisonQuerySet(models.QuerySet):
    def published(self) -> "ComparisonQuerySet":
        """What readers may see: published, publication time reached, and
        not past its expiry (the scheduler tidies the status a minute later,
        readers stop seeing it at once)."""
        now = timezone.now()
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            status=Comparison.Status.PUBLISHED,
            published_at__lte=now,
        )

    def due(self, now: datetime) -> "ComparisonQuerySet":
        """Scheduled for publication at or before `now`."""
        return self.filter(scheduled_at__lte=now)

    def expired(self, now: datetime) -> "ComparisonQuerySet":
        """Still marked published, but past their expiry time."""
        return self.filter(status=Comparison.Status.PUBLISHED, expires_at__lte=now)

    def involving(self, tool: Tool) -> "ComparisonQuerySet":
        return self.filter(models.Q(left=tool) | models.Q(right=tool))

    def with_tools(self) -> "ComparisonQuerySet":
        return self.select_related("left__category", "right__category")

    def in_state(self, state: "State") -> "ComparisonQuerySet":
        """Those the admin's filter lists under this state. A live comparison
        with changes in review or scheduled is also listed under In review or
        Scheduled, where an editor looks for it."""
        now = timezone.now()
        live = self.published()
        not_live = self.exclude(pk__in=live.values("pk"))
        match State(state):
            case State.DRAFT:
                return not_live.filter(
                    status=Status.DRAFT,
                    published_at__isnull=True,
                    scheduled_at__isnull=True,
                    review_requested_at__isnull=True,
                )
            case State.REVIEW:
                return self.filter(review_requested_at__isnull=False)
            case State.SCHEDULED:
                return self.filter(
                    models.Q(scheduled_at__isnull=False)
                    | models.Q(status=Status.PUBLISHED, published_at__gt=now)
                )
            case State.LIVE:
                return live.filter(pending_changes__isnull=True)
            case State.CHANGES:
                return live.filter(pending_changes__isnull=False)
            case State.UNPUBLISHED:
                return not_live.filter(
                    published_at__lte=now,
                    scheduled_at__isnull=True,
                    review_requested_at__isnull=True,
                )


class Status(models.TextChoices):
    """What is stored: whether readers may see the comparison at all."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class State(models.TextChoices):
    """Where a comparison stands, as editors see it: derived from its status,
    times, review request and pending changes, never stored. The admin's
    filter offers these, `in_state` selects them and `status_label` words
    them."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    CHANGES = "changes", "Live with unpublished changes"
    UNPUBLISHED = "unpublished", "Unpublished"


#: The text an editor changes; on a published comparison, changes to these
#: wait in `pending_changes` until an editor publishes them.
PENDING_FIELDS = ("standfirst", "bottom_line")


@reversion.register()
class Comparison(models.Model):
    """An ordered pair of tools, judged side by side.

    The row always holds what readers see. Once a comparison is published,
    editing it stores the new text in `pending_changes` instead, so
    readers keep the published version until an editor publishes the
    changes. Review and scheduling are data too: `review_requested_at`,
    `scheduled_at` and `expires_at`; `state` turns them into one State
    and `status_label` into the words editors read.
    """

    Status = Status
    State = State

    left = models.ForeignKey(
        Tool,
        on_delete=models.PROTECT,
        related_name="comparisons_on_left",
        verbose_name="left tool",
    )
    right = models.ForeignKey(
        Tool,
        on_delete=models.PROTECT,
        related_name="comparisons_on_right",
        verbose_name="right tool",
    )
    slug = models.SlugField(
        max_length=255,
        unique=True,
        editable=False,
        help_text="Made from the two tools' slugs: left-vs-right.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="The paragraph under the title; also the page's description "
        "for search engines and link previews.",
    )
    bottom_line = models.TextField(
        blank=True,
        help_text="The editors' verdict: which one to ship with, and for whom. "
        "Markdown.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text="Readers see a published comparison from this time on. Left "
        "empty, publishing fills in the current time.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comparisons",
        editable=False,
    )
    pending_changes = models.JSONField(
        "unpublished changes",
        null=True,
        blank=True,
        editable=False,
        help_text="Edits to a published comparison wait here, as "
        "{field: text}, until an editor publishes them.",
    )
    review_requested_at = models.DateTimeField(
        "submitted for review", null=True, blank=True, editable=False
    )
    review_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="submitted by",
    )
    scheduled_at = models.DateTimeField(
        "scheduled publication",
        null=True,
        blank=True,
        editable=False,
        help_text="The scheduler publishes the comparison (or its "
        "unpublished changes) in the first minute after this time.",
    )
    expires_at = models.DateTimeField(
        "expiry",
        null=True,
        blank=True,
        editable=False,
        help_text="Readers stop seeing the comparison at this time.",
    )
    share_card = models.ImageField(
        upload_to="cards/comparisons/", blank=True, editable=False
    )
    share_card_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComparisonQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [
            # The published list, newest first (home page, feed, sitemap).
            models.Index(
                fields=["-published_at", "-created_at"],
                condition=models.Q(status=Status.PUBLISHED),
                name="comparison_published_idx",
            ),
        ]
        permissions = [
            ("submit_comparison", "Can submit a comparison for review"),
            (
                "publish_comparison",
                "Can publish, schedule and unpublish comparisons",
            ),
            ("restore_comparison", "Can restore a comparison's revision"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="comparison_status_valid",
                violation_error_message="A comparison is a draft or published.",
            ),
            models.CheckConstraint(
                condition=~models.Q(left=models.F("right")),
                name="comparison_tools_differ",
                violation_error_message="A tool cannot be compared with itself.",
            ),
            models.CheckConstraint(
                condition=models.Q(status=Status.DRAFT)
                | models.Q(published_at__isnull=False),
                name="comparison_published_has_time",
                violation_error_message="A published comparison needs a "
                "publication time.",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(scheduled_at__isnull=True)
                | models.Q(expires_at__gt=models.F("scheduled_at")),
                name="comparison_expires_after_schedule",
                violation_error_message="The expiry must come after the "
                "scheduled publication.",
            ),
            models.UniqueConstraint(
                Least("left", "right"),
                Greatest("left", "right"),
                name="comparison_pair_unique",
                violation_error_message="These two tools are already compared, "
                "in one order or the other.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.slug = self.make_slug(self.left, self.right)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "slug", "published_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # An unsaved comparison is the quick one of its two tools.
        slug = self.slug or self.make_slug(self.left, self.right)
        return reverse("comparison-detail", args=[slug])

    @staticmethod
    def make_slug(left: Tool, right: Tool) -> str:
        return f"{left.slug}-vs-{right.slug}"

    @property
    def title(self) -> str:
        return f"{self.left.name} vs {self.right.name}"

    @property
    def bottom_line_html(self) -> str:
        return render_markdown(self.bottom_line)

    @property
    def bottom_line_summary(self) -> str:
        """The bottom line's first sentence, as plain text."""
        return first_sentence(self.bottom_line)

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def has_pending_changes(self) -> bool:
        """Whether edits are waiting to be published over the live text."""
        return bool(self.pending_changes)

    @property
    def has_something_to_publish(self) -> bool:
        """Not live yet, or live with changes waiting: what review,
        publishing and scheduling act on."""
        return not self.is_live or self.has_pending_changes

    @property
    def keeps_changes_pending(self) -> bool:
        """Edits go to `pending_changes` while the comparison is published (live or
        waiting for its publication time); otherwise straight to the row."""
        return self.pk is not None and self.status == self.Status.PUBLISHED

    @property
    def in_review(self) -> bool:
        return self.review_requested_at is not None

    def apply_pending_changes(self) -> None:
        """Put the pending changes into the row's text (not saved)."""
        for field, value in (self.pending_changes or {}).items():
            if field in PENDING_FIELDS:
                setattr(self, field, value)
        self.pending_changes = None

    def with_pending_changes(self) -> "Comparison":
        """A copy showing the pending changes, as they would be published;
        it still knows it has them, so its status label stays true."""
        preview = copy.copy(self)
        preview.apply_pending_changes()
        preview.pending_changes = self.pending_changes
        return preview

    @property
    def state(self) -> State:
        if self.is_live:
            return State.CHANGES if self.has_pending_changes else State.LIVE
        if self.publishes_later or self.scheduled_at:
            return State.SCHEDULED
        if self.in_review:
            return State.REVIEW
        if self.published_at is not None:
            return State.UNPUBLISHED
        return State.DRAFT

    @property
    def publishes_later(self) -> bool:
        """Published with a publication time still to come."""
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def status_label(self) -> str:
        """The state's label, with when it is scheduled ("Scheduled for
        <time>") and what its pending changes wait for."""
        state = self.state
        if state == State.CHANGES:
            if self.scheduled_at:
                return f"{state.label}, scheduled for {_when(self.scheduled_at)}"
            if self.in_review:
                return f"{state.label}, {State.REVIEW.label.lower()}"
        if state == State.SCHEDULED:
            when = self.published_at if self.publishes_later else self.scheduled_at
            return f"{state.label} for {_when(when)}"
        return state.label

    @property
    def tools(self) -> tuple[Tool, Tool]:
        return (self.left, self.right)

    @property
    def last_reviewed_at(self) -> datetime | None:
        """When an editor last saved what readers see: the last save, unless
        it only stored changes still waiting to be published."""
        if self.published_at is None:
            return None
        if self.pending_changes or self.updated_at is None:
            return self.published_at
        return max(self.published_at, self.updated_at)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


PREVIEW_LINK_SALT = "comparisons.preview-link"


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self) -> "PreviewLinkQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A shareable, signed link to read a comparison's draft without an
    account; it stops working when it expires or is revoked."""

    DEFAULT_LIFETIME = timedelta(days=7)

    comparison = models.ForeignKey(
        Comparison, on_delete=models.CASCADE, related_name="preview_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Preview of {self.comparison} until {_when(self.expires_at)}"

    def get_absolute_url(self) -> str:
        return reverse("comparison-preview", args=[self.token])

    @property
    def token(self) -> str:
        return signing.dumps({"link": self.pk}, salt=PREVIEW_LINK_SALT)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @classmethod
    def from_token(cls, token: str) -> "PreviewLink | None":
        """The usable link a token names; None if tampered, expired or
        revoked."""
        try:
            payload = signing.loads(token, salt=PREVIEW_LINK_SALT)
        except signing.BadSignature:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("link"), int):
            return None
        return (
            cls.objects.usable()
            .select_related("comparison__left__category", "comparison__right__category")
            .filter(pk=payload["link"])
            .first()
        )


class RequestedPair(models.Model):
    """Two tools readers asked the editors to compare, in the order the
    first reader named them, with how many readers asked."""

    left = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="+")
    requests = models.PositiveIntegerField(
        "readers asking", default=0, help_text="Each reader counts once."
    )
    first_asked_at = models.DateTimeField(default=timezone.now)
    last_asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requests", "-last_asked_at"]
        verbose_name = "requested comparison"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(left=models.F("right")),
                name="requested_pair_tools_differ",
                violation_error_message="A tool cannot be compared with itself.",
            ),
            models.UniqueConstraint(
                Least("left", "right"),
                Greatest("left", "right"),
                name="requested_pair_unique",
                violation_error_message="This pair is already requested.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-requests", "-last_asked_at"], name="requested_pair_top_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.left} vs {self.right}"

    def get_absolute_url(self) -> str:
        return reverse("comparison-detail", args=[Comparison.make_slug(*self.tools)])

    @property
    def tools(self) -> tuple[Tool, Tool]:
        return (self.left, self.right)


class PairRequest(models.Model):
    """One reader's request for a pair, so that each reader counts once.
    Like a vote, it keeps a keyed hash of the reader's cookie id only."""

    pair = models.ForeignKey(
        RequestedPair, on_delete=models.CASCADE, related_name="asks"
    )
    reader = models.CharField(max_length=64)
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "reader"],
                name="pair_request_one_per_reader",
                violation_error_message="This reader has already asked.",
            )
        ]

    def __str__(self) -> str:
        return f"Request for {self.pair}"
