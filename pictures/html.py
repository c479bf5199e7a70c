"""The markup of a logo, avatar or monogram, built without a template.

A page shows one for each tool and persona on it (a scorecard has one a
row), so the tag writes the HTML itself rather than rendering an inclusion
template each time.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

from pictures.renditions import Picture


def picture_html(
    picture: Picture | None, *, initials: str, size: int, css_class: str = ""
) -> SafeString:
    """WebP with a PNG/JPEG fallback at 1x and 2x, with its size set so
    nothing shifts; until the renditions are made, the initials stand in."""
    if picture is not None:
        return format_html(
            '<picture class="thumb {}"><source type="image/webp" srcset="{}">'
            '<img src="{}" srcset="{}" width="{}" height="{}" alt="{}" '
            'decoding="async"></picture>',
            css_class,
            picture.webp_srcset,
            picture.src,
            picture.srcset,
            size,
            size,
            picture.alt,
        )
    return format_html(
        '<span class="thumb thumb-pending {}" style="width: {}px; height: {}px; '
        'font-size: {}px" aria-hidden="true">{}</span>',
        css_class,
        size,
        size,
        round(size / 5 * 2),
        initials,
    )
