"""A revision for every save of a versioned object, wherever it is made.

The admin and the workflow services open their own revision, with the
person and a note. A save made anywhere else (a management command, the
shell, a data fix) would keep none, so it gets one here, without an author
and with a note that says where it came from.
"""

import reversion
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from editorial.revisions import OUTSIDE_THE_ADMIN, revision_by


@receiver(post_save, dispatch_uid="editorial_revision_on_any_save")
def keep_a_revision(
    sender: type[models.Model], instance: models.Model, raw: bool, **kwargs
) -> None:
    if raw or reversion.is_active() or not reversion.is_registered(sender):
        return
    with revision_by(None, OUTSIDE_THE_ADMIN):
        reversion.add_to_revision(instance)
