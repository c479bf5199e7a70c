"""Writes to the editorial record: the audit log."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from editorial.models import Action, AuditEntry

SCHEDULER_NAME = "schedule"


def audit_record(
    *,
    action: Action | str,
    actor: AbstractBaseUser | AnonymousUser | None,
    obj: models.Model | None = None,
    object_repr: str = "",
    detail: str = "",
) -> AuditEntry:
    """Write one audit entry; `actor=None` means the scheduler did it.

    `obj` may be any model instance (a comparison, a tool, a newsletter
    issue); `object_repr` overrides its name, which is useful for an object
    that is about to be deleted or has no row.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    person = actor if actor is not None and actor.is_authenticated else None
    if person is not None:
        actor_name = person.get_full_name() or person.get_username()
    else:
        actor_name = SCHEDULER_NAME
    return AuditEntry.objects.create(
        actor=person,
        actor_name=actor_name[:150],
        action=action,
        content_type=(
            ContentType.objects.get_for_model(obj) if obj is not None else None
        ),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or str(obj or ""))[:255],
        detail=detail,
    )
