"""Stored pages go stale the moment anything readers see has changed.

Any save or delete of editorial content (comparisons, tools, categories,
personas, verdicts and verdict changes) and any new rendition or share card
makes every stored page stale once the change commits. Votes do not: the
figures on a stored page are refreshed from the vote endpoint by votes.js.
"""

from django.db.models.signals import post_delete, post_save

from comparisons.models import Comparison
from pages.cache import pages_invalidate
from pictures.signals import picture_stored
from reviewers.models import Review, Reviewer, VerdictChange
from tools.models import Category, Tool

SHOWN_ON_PAGES = (Category, Tool, Reviewer, Review, VerdictChange, Comparison)


def content_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        pages_invalidate()


for model in SHOWN_ON_PAGES:
    label = model._meta.label_lower
    post_save.connect(
        content_changed, sender=model, dispatch_uid=f"pages:{label}:saved"
    )
    post_delete.connect(
        content_changed, sender=model, dispatch_uid=f"pages:{label}:deleted"
    )
picture_stored.connect(content_changed, dispatch_uid="pages:picture-stored")
