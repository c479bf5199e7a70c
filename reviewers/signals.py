"""Enqueue a persona's avatar renditions once a change to it is committed."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions
from tools.images import rendition_source


@receiver(post_save, sender=Reviewer, dispatch_uid="reviewer_avatar_renditions")
def avatar_changed(
    sender: type[Reviewer], instance: Reviewer, raw: bool, **kwargs
) -> None:
    if raw:
        return
    made_from = (instance.avatar_renditions or {}).get("source")
    if made_from != rendition_source(instance.avatar, instance.name):
        reviewer_avatar_renditions.delay_on_commit(instance.pk)
