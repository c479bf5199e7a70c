from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Action(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    SCHEDULED = "scheduled", "Scheduled"
    UNSCHEDULED = "unscheduled", "Schedule cancelled"
    UNPUBLISHED = "unpublished", "Unpublished"
    RESTORED = "restored", "Restored a revision"
    DELETED = "deleted", "Deleted"
    PREVIEW_LINK_CREATED = "preview_link_created", "Preview link created"
    PREVIEW_LINK_REVOKED = "preview_link_revoked", "Preview link revoked"
    SENT = "sent", "Newsletter sent"
    REJECTED = "rejected", "Rejected"


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
        )


class AuditEntry(models.Model):
    """One thing someone did to the publication, kept for good.

    The entry names its object by content type, id and a copy of its name
    rather than by a foreign key, so it outlives the object: the record of
    a deletion is still there after the row is gone. The actor's name is
    copied for the same reason.
    """

    Action = Action

    at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name="person",
    )
    actor_name = models.CharField(
        "person's name",
        max_length=150,
        help_text="Kept even if the account is deleted; “schedule” for "
        "what the scheduler did.",
    )
    action = models.CharField(max_length=24, choices=Action.choices, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="kind of object",
    )
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("object", max_length=255)
    detail = models.TextField(blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values),
                name="auditentry_action_valid",
                violation_error_message="Unknown audit action.",
            ),
        ]

    def __str__(self) -> str:
        action = self.get_action_display().lower()
        return f"{self.actor_name} {action} {self.object_repr}"


class FormerSlug(models.Model):
    """An address an object was once published at. Its old URLs answer with
    a permanent redirect to the current one, so published links never break
    (see `editorial/slugs.py`)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name="kind of object"
    )
    slug = models.SlugField(max_length=255, db_index=False)
    object_id = models.PositiveBigIntegerField()
    retired_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "former address"
        verbose_name_plural = "former addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"], name="formerslug_unique_slug"
            ),
        ]
        indexes = [
            models.Index(
                fields=["content_type", "object_id"], name="formerslug_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.slug
