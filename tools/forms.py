from datetime import datetime

from django import forms


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
        return data
