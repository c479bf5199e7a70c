from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from newsletter.services.follows import tool_named
from newsletter.services.subscribers import normalise_email
from tools.models import Category, Tool

#: The id of the sign-up form, so the page around a cached copy of it can
#: add the page's own address (`<input form="newsletter-signup">`).
SIGNUP_FORM_ID = "newsletter-signup"


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
    #: The page the reader signed up from, to take them back to it. The
    #: cached call to action has none inside the form: its page adds it
    #: (templates/newsletter/includes/cta.html).
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("newsletter:subscribe")
        self.helper.form_method = "post"
        self.helper.form_class = "newsletter-form"
        self.helper.form_id = SIGNUP_FORM_ID
        # The form sits on cached pages: no per-reader CSRF token in it.
        self.helper.disable_csrf = True
        carries_next = self.initial.get("next") or self.data.get("next")
        self.helper.layout = Layout(
            *([Field("next")] if carries_next else []),
            Field("email"),
            Div(Field("website"), css_class="newsletter-hp", aria_hidden="true"),
            Submit("subscribe", "Subscribe", css_class="btn-primary"),
            HTML(
                '<p class="form-text mt-2">One email a week. We send a '
                "confirmation first; unsubscribe in one click, no login.</p>"
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


class CategoriesForm(forms.Form):
    """Which categories the weekly issue covers for a reader."""

    EVERY = "all"
    CHOSEN = "chosen"

    coverage = forms.ChoiceField(
        label="The weekly issue covers",
        choices=[
            (EVERY, "Every category"),
            (CHOSEN, "Only the categories I tick"),
        ],
        widget=forms.RadioSelect,
    )
    categories = forms.ModelMultipleChoiceField(
        label="Categories",
        queryset=Category.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("coverage") == self.CHOSEN and not cleaned.get("categories"):
            self.add_error(
                "categories",
                "Tick at least one category, or choose “Every category”.",
            )
        return cleaned

    @property
    def all_categories(self) -> bool:
        return self.cleaned_data["coverage"] == self.EVERY


class FollowForm(forms.Form):
    """Follow a tool by typing its name."""

    tool = forms.CharField(
        label="Follow a tool",
        max_length=120,
        help_text="Type its name as the site writes it, such as “Claw Code”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_tool(self) -> Tool:
        typed = self.cleaned_data["tool"]
        tool = tool_named(typed)
        if tool is None:
            raise ValidationError(
                "We have no tool called “%(name)s”. Check the spelling, or "
                "find its name on the tools page.",
                params={"name": " ".join(typed.split())},
            )
        return tool
