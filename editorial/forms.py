"""The edit guard: no save overwrites one made after the form was opened."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from editorial.revisions import last_save


def edit_token(obj: models.Model) -> str:
    """What the object looked like when the form was opened: its save time."""
    updated_at = getattr(obj, "updated_at", None)
    return updated_at.isoformat() if updated_at else ""


class EditGuardForm(forms.ModelForm):
    """Refuses a save when someone else saved the object after it was opened.

    The refusal is a form error, so everything typed stays in the form.
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_token"].initial = edit_token(self.instance)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opened = self.data.get(self.add_prefix("edit_token"), "")
        if self.instance.pk is None or not opened:
            return cleaned
        current = (
            type(self.instance)
            ._default_manager.filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if current is not None and current.isoformat() != opened:
            saved = last_save(self.instance)
            when = (
                date_format(timezone.localtime(saved.when), "j F Y, H:i")
                if saved.when
                else "a moment ago"
            )
            raise ValidationError(
                f"{saved.who} saved this {self.instance._meta.verbose_name} at "
                f"{when}, after you opened it. Your changes have not been saved "
                "and are still in the form below: copy what you need, reload "
                "the page to see their version, then apply your changes again.",
                code="edit_conflict",
            )
        return cleaned
