from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from reviewers.models import Review
from tools.models import Verdict

register = template.Library()

_SHIP_ICON = (
    '<svg aria-hidden="true" focusable="false" width="14" height="14" '
    'viewBox="0 0 16 16"><path fill="currentColor" d="M6.2 11.6 2.7 8.1l1.4-1.4 '
    '2.1 2.1 5.7-5.7 1.4 1.4z"/></svg>'
)
_SKIP_ICON = (
    '<svg aria-hidden="true" focusable="false" width="14" height="14" '
    'viewBox="0 0 16 16"><path fill="currentColor" d="M4.1 2.7 8 6.6l3.9-3.9 '
    '1.4 1.4L9.4 8l3.9 3.9-1.4 1.4L8 9.4l-3.9 3.9-1.4-1.4L6.6 8 2.7 4.1z"/></svg>'
)


@register.simple_tag
def verdict(review: Review | None) -> SafeString:
    """A persona's verdict as a badge, its word beside its icon (so it is not
    told by colour alone); a scorecard shows one a cell."""
    if review is None:
        return SafeString('<span class="verdict verdict-none">No verdict yet</span>')
    return format_html(
        '<span class="verdict verdict-{}">{} {}</span>',
        review.verdict,
        SafeString(_SHIP_ICON if review.is_ship else _SKIP_ICON),
        Verdict(review.verdict).label,
    )
