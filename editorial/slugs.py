"""Old addresses kept alive: when an object's slug changes, the slug it had
is recorded, and the reader pages answer it with a permanent redirect.

A content app calls `keep_former_slugs(Model)` once (from its signals
module); the pages ask `moved_to(Model, slug)` only after the live lookup
found nothing, so a page that exists costs nothing more. A live object
always wins over a former slug, and an object that takes back a slug it
had drops the record of it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from editorial.models import FormerSlug

_BEFORE = "_slug_before"


def keep_former_slugs(model: type[models.Model]) -> None:
    """Record this model's old slugs whenever one of its objects is saved
    under a new one, and forget them when the object is deleted."""
    label = model._meta.label_lower
    pre_save.connect(_remember, sender=model, dispatch_uid=f"former_slug_pre_{label}")
    post_save.connect(_record, sender=model, dispatch_uid=f"former_slug_post_{label}")
    post_delete.connect(_forget, sender=model, dispatch_uid=f"former_slug_del_{label}")


def slug_changed(instance: models.Model) -> str | None:
    """The slug this object had before the save that is under way or just
    done, when that save changed it; None otherwise."""
    before = getattr(instance, _BEFORE, None)
    return before if before and before != instance.slug else None


def moved_to(model: type[models.Model], slug: str) -> models.Model | None:
    """The object once published at `slug`, in one query, or None."""
    former = FormerSlug.objects.filter(
        content_type=ContentType.objects.get_for_model(model), slug=slug
    ).values("object_id")[:1]
    return model._default_manager.filter(pk__in=former).first()


def _remember(sender, instance, raw: bool, update_fields=None, **kwargs) -> None:
    setattr(instance, _BEFORE, None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and "slug" not in update_fields:
        return
    setattr(
        instance,
        _BEFORE,
        sender._default_manager.filter(pk=instance.pk)
        .values_list("slug", flat=True)
        .first(),
    )


def _record(sender, instance, raw: bool, **kwargs) -> None:
    before = None if raw else slug_changed(instance)
    if before is None:
        return
    kind = ContentType.objects.get_for_model(sender)
    FormerSlug.objects.update_or_create(
        content_type=kind, slug=before, defaults={"object_id": instance.pk}
    )
    FormerSlug.objects.filter(content_type=kind, slug=instance.slug).delete()


def _forget(sender, instance, **kwargs) -> None:
    FormerSlug.objects.filter(
        content_type=ContentType.objects.get_for_model(sender),
        object_id=instance.pk,
    ).delete()
