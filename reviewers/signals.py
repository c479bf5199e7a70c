"""Keep a persona's stored pictures in step with it, once committed."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions
from tools.images import delete_files_on_commit, rendition_source


@receiver(pre_save, sender=Reviewer, dispatch_uid="reviewer_remember_avatar")
def avatar_saving(
    sender: type[Reviewer], instance: Reviewer, raw: bool, **kwargs
) -> None:
    if not raw and instance.pk:
        instance._avatar_before = (
            Reviewer.objects.filter(pk=instance.pk)
            .values_list("avatar", flat=True)
            .first()
        )


@receiver(post_save, sender=Reviewer, dispatch_uid="reviewer_avatar_renditions")
def avatar_changed(
    sender: type[Reviewer], instance: Reviewer, raw: bool, **kwargs
) -> None:
    if raw:
        return
    before = getattr(instance, "_avatar_before", None)
    if before and before != instance.avatar.name:
        delete_files_on_commit(before)  # the replaced or cleared upload
    made_from = (instance.avatar_renditions or {}).get("source")
    if made_from != rendition_source(instance.avatar, instance.name):
        reviewer_avatar_renditions.delay_on_commit(instance.pk)


@receiver(post_delete, sender=Reviewer, dispatch_uid="reviewer_delete_pictures")
def reviewer_deleted(sender: type[Reviewer], instance: Reviewer, **kwargs) -> None:
    renditions = instance.avatar_renditions or {}
    delete_files_on_commit(
        instance.avatar.name,
        *renditions.get("webp", []),
        *renditions.get("fallback", []),
    )
