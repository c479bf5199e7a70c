"""Reading revisions kept by django-reversion: who saved last, and diffs."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from reversion.models import Revision, Version

from editorial.models import Action, AuditEntry


@dataclass(frozen=True)
class LastSave:
    who: str
    when: datetime | None


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@contextmanager
def revision_by(
    person: AbstractBaseUser | AnonymousUser | None, note: str
) -> Iterator[None]:
    """Keep the saves inside as one revision, with its author (none for the
    scheduler) and a note."""
    with reversion.create_revision():
        if person is not None and person.is_authenticated:
            reversion.set_user(person)
        reversion.set_comment(note)
        yield


def versions_of(obj: models.Model):
    """An object's revisions, newest first, with their authors."""
    return Version.objects.get_for_object(obj).select_related(
        "revision", "revision__user"
    )


#: The note on a revision kept for a save made outside the admin and the
#: workflow services (a script, the shell).
OUTSIDE_THE_ADMIN = "Saved outside the admin"


def person_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "the scheduler"
    return user.get_full_name() or user.get_username()


def revision_author(revision: Revision) -> str:
    """Who made a revision: a person, the scheduler, or a script."""
    if revision.user is None and revision.comment == OUTSIDE_THE_ADMIN:
        return "a script"
    return person_name(revision.user)


def last_save(obj: models.Model) -> LastSave:
    """Who saved the object last and when: from its newest revision, or for
    a model without revisions (a category) from the audit log."""
    if reversion.is_registered(type(obj)):
        version = versions_of(obj).first()
        if version is not None:
            return LastSave(
                who=revision_author(version.revision),
                when=version.revision.date_created,
            )
    entry = (
        AuditEntry.objects.for_object(obj)
        .filter(action__in=[Action.CREATED, Action.EDITED, Action.RESTORED])
        .first()
    )
    if entry is not None:
        return LastSave(who=entry.actor_name, when=entry.at)
    return LastSave(who="someone", when=getattr(obj, "updated_at", None))


def instance_at(version: Version) -> models.Model:
    """The object as it was in a revision, unsaved."""
    return version._model(**version.field_dict)


def display_value(instance: models.Model, field_name: str) -> str:
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"(deleted, id {value})"
    if isinstance(value, datetime):
        return value.strftime("%-d %b %Y, %H:%M %Z")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def diff(older: dict[str, str], newer: dict[str, str]) -> list[FieldChange]:
    """Field-by-field comparison of two revisions' displayed values."""
    return [
        FieldChange(
            label=label, before=older.get(label, ""), after=newer.get(label, "")
        )
        for label in dict.fromkeys([*older, *newer])
    ]
