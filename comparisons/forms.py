from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

#: How far ahead an editor may schedule: far beyond any plan, and well
#: inside what the database can store in every time zone.
SCHEDULE_HORIZON = timedelta(days=36524)


class ScheduleForm(forms.Form):
    """The publication time (and optional expiry) an editor schedules, read
    in the site's time zone from the panel's datetime-local inputs."""

    publish_at = forms.DateTimeField(
        error_messages={
            "required": "Enter the publication time as a date and a time.",
            "invalid": "Enter the publication time as a date and a time.",
        }
    )
    expires_at = forms.DateTimeField(
        required=False,
        error_messages={"invalid": "Enter the expiry as a date and a time."},
    )

    def _within_horizon(self, name: str) -> datetime | None:
        moment = self.cleaned_data.get(name)
        if moment is not None and moment > timezone.now() + SCHEDULE_HORIZON:
            raise forms.ValidationError(
                "Choose a time within the next hundred years.", code="too_far"
            )
        return moment

    def clean_publish_at(self) -> datetime | None:
        return self._within_horizon("publish_at")

    def clean_expires_at(self) -> datetime | None:
        return self._within_horizon("expires_at")

    @property
    def problems(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]
