from django import template

from newsletter.forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("newsletter/includes/signup.html")
def newsletter_signup(heading_level: int = 2) -> dict:
    """The call to action with its form, the same for every reader."""
    return {"form": SubscribeForm(), "heading_level": heading_level}
