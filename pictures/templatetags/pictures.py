"""Logos, avatars, monograms and share cards in templates."""

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString

from pictures import cards
from pictures.html import picture_html
from pictures.monograms import initials

register = template.Library()


@register.filter
def absolute(url: str) -> str:
    """A media URL as link previews need it: with the site's scheme and host."""
    if url.startswith("/"):
        return settings.SITE_URL + url
    return url


@register.simple_tag
def picture(pictured: Any, *, name: str, size: int, css_class: str = "") -> SafeString:
    """A square picture at `size` CSS pixels, or the initials until it is made."""
    return picture_html(
        pictured, initials=initials(name), size=size, css_class=css_class
    )


@register.inclusion_tag("includes/share_card_meta.html")
def share_card_meta(card: Any, alt: str) -> dict[str, Any]:
    """og:image and twitter:image for a stored share card; nothing without one."""
    return {
        "card": card,
        "alt": alt,
        "width": cards.WIDTH,
        "height": cards.HEIGHT,
    }
