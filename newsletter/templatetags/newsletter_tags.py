from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from newsletter.forms import SubscribeForm

register = template.Library()


@lru_cache(maxsize=8)
def _signup_html(heading_level: int) -> SafeString:
    return render_to_string(
        "newsletter/includes/signup.html",
        {"form": SubscribeForm(), "heading_level": heading_level},
    )


@register.simple_tag
def newsletter_signup(heading_level: int = 2) -> SafeString:
    """The call to action with its form. It is the same for every reader and
    every page (an empty form, no CSRF token), so each process renders it
    once: crispy-forms took an eighth of a comparison page's time."""
    return _signup_html(heading_level)
