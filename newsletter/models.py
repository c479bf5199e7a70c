"""Subscribers, the weekly issue and one delivery row per issue and subscriber.

A delivery moves PENDING -> SENDING (claimed by one chunk task) -> SENT or
FAILED; a transient error puts it back to PENDING with a later attempt time,
and unsubscribing before the claim turns it CANCELLED. The row, not the
broker, is the record of what was sent, so a lost task or a killed worker
never loses or doubles more than the rows it had claimed.
"""

import dataclasses
import datetime
import uuid
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison

CONFIRM_SALT = "newsletter.confirm"


class Permission(StrEnum):
    """The newsletter's permissions, as `has_perm` names them."""

    SEND_ISSUE = "newsletter.send_issue"
    VIEW_ISSUE = "newsletter.view_issue"


class SubscriberQuerySet(models.QuerySet):
    def active(self) -> "SubscriberQuerySet":
        return self.filter(status=Subscriber.Status.ACTIVE)

    def with_email(self, email: str) -> "SubscriberQuerySet":
        return self.filter(email__iexact=email)


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    ACTIVE = "active", "Active"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    BOUNCED = "bounced", "Bounced"
    #: Marked as spam by the reader (a provider's complaint event): no mail
    #: of any kind goes to them again.
    COMPLAINED = "complained", "Complained (marked as spam)"
    #: Stopped by an editor: never mailed, and a sign-up sends nothing.
    SUPPRESSED = "suppressed", "Suppressed by an editor"


class SubscriberSource(models.TextChoices):
    FORM = "form", "Sign-up form"
    IMPORT = "import", "Import"


class Subscriber(models.Model):
    Status = SubscriberStatus
    Source = SubscriberSource

    email = models.EmailField(
        max_length=254, help_text="Stored trimmed, with the domain in lower case."
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    source = models.CharField(
        max_length=8, choices=Source.choices, default=SubscriberSource.FORM
    )
    token = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Secret part of the subscriber's unsubscribe link.",
    )
    bounce_count = models.PositiveSmallIntegerField(
        default=0, help_text="Permanent delivery failures since the last success."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the address last asked to subscribe (pending sign-ups "
        "never confirmed are deleted some days after this).",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    all_categories = models.BooleanField(
        default=True,
        db_default=True,
        help_text="The weekly issue covers every category; otherwise only the "
        "chosen ones.",
    )
    categories = models.ManyToManyField(
        "tools.Category",
        blank=True,
        related_name="+",
        help_text="The categories the weekly issue covers for this reader, when "
        "not all of them.",
    )
    followed_tools = models.ManyToManyField(
        "tools.Tool", through="Follow", blank=True, related_name="+"
    )
    alerted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the last alert about followed tools went out.",
    )

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="subscriber_email_unique_ci",
                violation_error_message="This address is already on the list.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SubscriberStatus.values),
                name="subscriber_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=SubscriberSource.values),
                name="subscriber_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_mailable(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def confirmation_token(self) -> str:
        """What a confirmation link carries: signed, naming id and address."""
        return signing.dumps(
            {"id": self.pk, "email": self.email.lower()}, salt=CONFIRM_SALT
        )


class Follow(models.Model):
    """A subscriber follows a tool: alerts when its verdicts change or a new
    comparison with it is published."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="follows"
    )
    tool = models.ForeignKey("tools.Tool", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "tool"],
                name="follow_once",
                violation_error_message="This tool is already followed.",
            )
        ]
        indexes = [models.Index(fields=["tool"], name="follow_tool")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} follows {self.tool_id}"


class SubscriberEventKind(models.TextChoices):
    SIGNED_UP = "signed_up", "Asked to subscribe"
    CONFIRMATION_SENT = "confirmation_sent", "Confirmation email sent"
    CONFIRMATION_REFUSED = "confirmation_limited", "Confirmation not sent (limit)"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    PREFERENCES = "preferences", "Changed preferences"
    SOFT_BOUNCE = "soft_bounce", "Soft bounce"
    BOUNCED = "bounced", "Hard bounce"
    COMPLAINED = "complained", "Complaint (marked as spam)"
    SUPPRESSED = "suppressed", "Suppressed by an editor"
    RESTORED = "restored", "Suppression lifted by an editor"
    ALERT_SENT = "alert_sent", "Alert about followed tools sent"


class SubscriberEventQuerySet(models.QuerySet):
    def since(self, moment: datetime.datetime) -> "SubscriberEventQuerySet":
        return self.filter(created_at__gte=moment)


class SubscriberEvent(models.Model):
    """One line of a subscriber's history: what happened, from where.

    Provider events carry the provider's own event id; the pair is unique, so
    a webhook delivered twice is recorded (and acted on) once.
    """

    Kind = SubscriberEventKind

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    source = models.CharField(
        max_length=24,
        help_text="Where it came from: form, email link, smtp, an email "
        "provider's name, or editor.",
    )
    event_id = models.CharField(
        max_length=200,
        blank=True,
        help_text="The provider's id for the event, when it has one.",
    )
    detail = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = SubscriberEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "history entry"
        verbose_name_plural = "history"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "event_id"],
                condition=~models.Q(event_id=""),
                name="subscriber_event_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SubscriberEventKind.values),
                name="subscriber_event_kind_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["subscriber", "kind", "created_at"],
                name="subscriber_event_kind_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.source})"


class IssueQuerySet(models.QuerySet):
    def archived(self) -> "IssueQuerySet":
        """Issues readers may read on the web: the ones that went out."""
        return self.filter(status=Issue.Status.SENT)

    def due(self, now: datetime.datetime) -> "IssueQuerySet":
        return self.filter(status=Issue.Status.SCHEDULED, send_at__lte=now)


class IssueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class Issue(models.Model):
    Status = IssueStatus

    EDITABLE = (Status.DRAFT, Status.SCHEDULED)

    iso_year = models.PositiveSmallIntegerField("ISO year", editable=False)
    iso_week = models.PositiveSmallIntegerField("ISO week", editable=False)
    subject = models.CharField(
        max_length=200, help_text="The email's subject line and the web copy's title."
    )
    intro = models.TextField(
        blank=True, help_text="Opens the email, above the comparisons. Markdown."
    )
    comparisons = models.ManyToManyField(
        Comparison, through="IssueComparison", related_name="issues"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    send_at = models.DateTimeField(
        "send time",
        null=True,
        blank=True,
        help_text="When the issue goes out. Left empty, it waits for “Send now”.",
    )
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-iso_year", "-iso_week"]
        permissions = [("send_issue", "Can send an issue to subscribers")]
        constraints = [
            models.UniqueConstraint(
                fields=["iso_year", "iso_week"],
                name="issue_one_per_iso_week",
                violation_error_message="This week already has an issue.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=IssueStatus.values),
                name="issue_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(iso_week__gte=1, iso_week__lte=53),
                name="issue_iso_week_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_label}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:issue-detail", args=[self.pk])

    @property
    def number(self) -> int:
        return self.pk

    @property
    def week_label(self) -> str:
        return f"Week {self.iso_week}, {self.iso_year}"

    @property
    def is_editable(self) -> bool:
        """Editors may change, cancel or send it until it starts going out."""
        return self.status in self.EDITABLE

    @property
    def has_gone_out(self) -> bool:
        """Dispatched: it has delivery rows, sent or on their way."""
        return self.status in (self.Status.SENDING, self.Status.SENT)

    def ordered_comparisons(self) -> models.QuerySet[Comparison]:
        return self.comparisons.with_tools().order_by(
            "issuecomparison__position", "issuecomparison__pk"
        )


class IssueComparison(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE)
    comparison = models.ForeignKey(
        Comparison,
        on_delete=models.PROTECT,
        limit_choices_to={"status": Comparison.Status.PUBLISHED},
        help_text="Only published comparisons can go into an issue.",
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first in the email."
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "comparison in this issue"
        verbose_name_plural = "comparisons in this issue"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "comparison"],
                name="issue_comparison_once",
                violation_error_message="This comparison is already in the issue.",
            )
        ]

    def __str__(self) -> str:
        return str(self.comparison)


@dataclasses.dataclass(frozen=True)
class DeliveryProgress:
    """How far an issue has gone out: rows per state, and the settled share."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def settled(self) -> int:
        """Rows with a final outcome: sent, failed or cancelled."""
        return self.total - self.counts["pending"] - self.counts["sending"]

    @property
    def percent(self) -> int:
        return round(100 * self.settled / self.total) if self.total else 100


class DeliveryQuerySet(models.QuerySet):
    def unsettled(self) -> "DeliveryQuerySet":
        """Rows still to send or being sent."""
        return self.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
        )

    def counts(self) -> dict[str, int]:
        """How many rows are in each state, in one query."""
        found = dict(self.order_by().values_list("status").annotate(models.Count("pk")))
        return {status: found.get(status, 0) for status in Delivery.Status.values}

    def progress(self) -> DeliveryProgress:
        return DeliveryProgress(self.counts())

    def progress_by_issue(self) -> dict[int, DeliveryProgress]:
        """Each issue's progress, for many issues in one query."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.order_by().values_list("issue_id", "status")
        for issue_id, status, count in rows.annotate(models.Count("pk")):
            counts.setdefault(issue_id, dict.fromkeys(Delivery.Status.values, 0))
            counts[issue_id][status] = count
        return {issue_id: DeliveryProgress(found) for issue_id, found in counts.items()}


class DeliveryClaim(models.Model):
    """The rows one chunk task holds while it sends them.

    The task refreshes `heartbeat_at` every few seconds while it sends; rows
    whose claim has stopped beating (the worker died) go back to the queue,
    so recovery takes seconds rather than a long fixed timeout.
    """

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="+")
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Claim {self.pk} on issue {self.issue_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    Status = DeliveryStatus

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim = models.ForeignKey(
        DeliveryClaim,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        db_index=False,
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="delivery_once_per_subscriber"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DeliveryStatus.SENT)
                | models.Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "status"], name="delivery_issue_status"),
            models.Index(
                fields=["claim"],
                condition=models.Q(claim__isnull=False),
                name="delivery_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue} to {self.subscriber_id}"
