from datetime import datetime, timedelta

from django import forms
from django.utils import timezone


class VoteWindowForm(forms.Form):
    """A time window on one tool whose votes an editor wants removed."""

    start = forms.DateTimeField(
        label="Cast from",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Votes cast at or after this time…",
    )
    end = forms.DateTimeField(
        label="Cast before",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="…and before this time are removed.",
    )

    def clean(self) -> dict:
        data = super().clean()
        start: datetime | None = data.get("start")
        end: datetime | None = data.get("end")
        if start and end and start >= end:
            raise forms.ValidationError(
                "The window must start before it ends.", code="empty_window"
            )
        # No vote is cast in the future; a far-future time would also be
        # beyond what the database stores once moved to UTC.
        latest = timezone.now() + timedelta(days=1)
        if any(moment and moment > latest for moment in (start, end)):
            raise forms.ValidationError(
                "Votes are only cast up to now: choose times before tomorrow.",
                code="future_window",
            )
        return data
