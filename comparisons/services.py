"""Writes with side effects on comparisons: publishing and unpublishing."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from comparisons.models import Comparison


@transaction.atomic
def comparison_publish(
    *, comparison: Comparison, by: AbstractBaseUser | None = None
) -> Comparison:
    """Make a comparison public; keep a publication time an editor chose."""
    comparison.status = Comparison.Status.PUBLISHED
    if comparison.published_at is None:
        comparison.published_at = timezone.now()
    if comparison.author_id is None and by is not None:
        comparison.author = by
    comparison.save()
    return comparison


@transaction.atomic
def comparison_unpublish(*, comparison: Comparison) -> Comparison:
    """Take a comparison off the site; it becomes a draft again."""
    comparison.status = Comparison.Status.DRAFT
    comparison.save(update_fields=["status", "updated_at"])
    return comparison
