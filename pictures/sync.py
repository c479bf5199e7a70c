"""Keep a model's picture files in step with it, once changes are committed."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from pictures.renditions import delete_files_on_commit, rendition_source


def keep_pictures_in_step(
    model: type[models.Model],
    *,
    image_field: str,
    renditions_field: str,
    task: Any,
    also_delete: tuple[str, ...] = (),
) -> None:
    """Connect the signals that keep a model's picture files in step with it.

    Before a save, the stored upload's name is remembered; after it, a
    replaced or cleared upload is deleted and, when what the renditions are
    made from has changed, `task` redraws them after commit. Deleting the
    object deletes its upload, its renditions and the files named by the
    `also_delete` fields.
    """
    label = f"{model._meta.label_lower}.{image_field}"
    before_attr = f"_{image_field}_before"

    def remember(sender, instance, raw: bool, **kwargs) -> None:
        if not raw and instance.pk:
            stored = sender.objects.filter(pk=instance.pk)
            setattr(
                instance,
                before_attr,
                stored.values_list(image_field, flat=True).first(),
            )

    def saved(sender, instance, raw: bool, **kwargs) -> None:
        if raw:
            return
        image = getattr(instance, image_field)
        before = getattr(instance, before_attr, None)
        if before and before != image.name:
            delete_files_on_commit(before)  # the replaced or cleared upload
        made_from = (getattr(instance, renditions_field) or {}).get("source")
        if made_from != rendition_source(image, instance.name):
            task.delay_on_commit(instance.pk)

    def deleted(sender, instance, **kwargs) -> None:
        renditions = getattr(instance, renditions_field) or {}
        delete_files_on_commit(
            getattr(instance, image_field).name,
            *(getattr(instance, field).name for field in also_delete),
            *renditions.get("webp", []),
            *renditions.get("fallback", []),
        )

    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=f"{label}:pre")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{label}:post")
    post_delete.connect(
        deleted, sender=model, weak=False, dispatch_uid=f"{label}:delete"
    )
