from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsletter.services.subscribers import normalise_email


class SubscribeForm(forms.Form):
    email = forms.CharField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "placeholder": "you@example.com"}
        ),
    )
    # A field people never see: software that fills every input fills it.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("newsletter:subscribe")
        self.helper.form_method = "post"
        self.helper.form_class = "newsletter-form"
        # The form sits on cached pages: no per-reader CSRF token in it.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("email"),
            Div(Field("website"), css_class="newsletter-hp", aria_hidden="true"),
            Submit("subscribe", "Subscribe", css_class="btn-primary"),
            HTML(
                '<p class="form-text mt-2">One email a week. We send a '
                "confirmation first; unsubscribe in one click.</p>"
            ),
        )

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except ValidationError as error:
            raise ValidationError(
                "Enter an email address such as name@example.com."
            ) from error

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
