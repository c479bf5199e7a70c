from django.conf import settings
from django.db import models
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone

from tools.markdown import render_markdown
from tools.models import Tool


class ComparisonQuerySet(models.QuerySet):
    def published(self) -> "ComparisonQuerySet":
        """What readers may see: published, and its publication time reached."""
        return self.filter(
            status=Comparison.Status.PUBLISHED, published_at__lte=timezone.now()
        )

    def involving(self, tool: Tool) -> "ComparisonQuerySet":
        return self.filter(models.Q(left=tool) | models.Q(right=tool))

    def with_tools(self) -> "ComparisonQuerySet":
        return self.select_related("left__category", "right__category")


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Comparison(models.Model):
    """An ordered pair of tools, judged side by side."""

    Status = Status

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
    share_card = models.ImageField(
        upload_to="cards/comparisons/", blank=True, editable=False
    )
    share_card_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComparisonQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
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
        return reverse("comparison-detail", args=[self.slug])

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
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def status_label(self) -> str:
        """One word for editors: Draft, Scheduled or Live."""
        if self.status == self.Status.DRAFT:
            return "Draft"
        if not self.is_live:
            return "Scheduled"
        return "Live"

    @property
    def tools(self) -> tuple[Tool, Tool]:
        return (self.left, self.right)
