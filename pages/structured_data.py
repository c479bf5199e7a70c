"""What search engines read of a page: schema.org JSON-LD.

A tool is a `SoftwareApplication` carrying the publication's own reviews
(one per persona's verdict, rated ship 1 or skip 0) and the panel figure as
its `aggregateRating` (the ship share out of 100, with the count of
verdicts). A written comparison is an `Article` about its two tools. Every
page also says where it sits, as a `BreadcrumbList`. Everything is built
from what the page already read, so it costs no query.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from comparisons.models import Comparison
from reviewers.models import Review, Reviewer
from reviewers.panel import Scorecard
from tools.models import PricingTier, Tool

#: Characters that must not appear raw inside a <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
_NO_COST = {PricingTier.FREE, PricingTier.OPEN_SOURCE}


def absolute(path: str) -> str:
    return path if "://" in path else settings.SITE_URL + path


def as_script(graph: list[dict[str, Any]]) -> SafeString:
    """The graph as a JSON-LD script element, safe whatever the text holds."""
    data = json.dumps(
        {"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False
    )
    return mark_safe(  # noqa: S308 - the JSON cannot close the element
        '<script type="application/ld+json">'
        + data.translate(_SCRIPT_ESCAPES)
        + "</script>"
    )


def _publisher() -> dict[str, Any]:
    return {
        "@type": "Organization",
        "@id": absolute("/#publisher"),
        "name": settings.SITE_NAME,
        "url": absolute("/"),
    }


def _software(tool: Tool, scorecard: Scorecard) -> dict[str, Any]:
    url = absolute(tool.get_absolute_url())
    entity: dict[str, Any] = {
        "@type": "SoftwareApplication",
        "@id": f"{url}#software",
        "name": tool.name,
        "url": url,
        "description": tool.tagline,
        "applicationCategory": tool.category.name,
    }
    if tool.website.startswith(("https://", "http://")):
        entity["sameAs"] = tool.website
    picture = tool.logo_picture
    if picture is not None:
        entity["image"] = absolute(picture.src)
    if tool.pricing_tier in _NO_COST:
        entity["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "USD"}
    figure = scorecard.by_tool[tool.pk]
    if figure.total:
        entity["aggregateRating"] = {
            "@type": "AggregateRating",
            "name": "Panel ship",
            "ratingValue": figure.share,
            "bestRating": 100,
            "worstRating": 0,
            "ratingCount": figure.total,
            "reviewCount": figure.total,
        }
    entity["review"] = [
        _review(row.reviewer, review)
        for row in scorecard.rows
        for reviewed, review in row.cells
        if review is not None and reviewed.pk == tool.pk
    ]
    return entity


def _review(persona: Reviewer, review: Review) -> dict[str, Any]:
    entity = {
        "@type": "Review",
        "name": f"{persona.name}: {review.get_verdict_display()}",
        "author": {"@id": absolute("/#publisher")},
        "datePublished": review.updated_at.date().isoformat(),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1 if review.is_ship else 0,
            "bestRating": 1,
            "worstRating": 0,
        },
    }
    if review.quote:
        entity["reviewBody"] = review.quote
    return entity


def _breadcrumbs(*trail: tuple[str, str]) -> dict[str, Any]:
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": absolute(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def tool_page(tool: Tool, scorecard: Scorecard) -> SafeString:
    return as_script(
        [
            _publisher(),
            _software(tool, scorecard),
            _breadcrumbs(
                ("Home", reverse("home")),
                (tool.category.name, tool.category.get_absolute_url()),
                (tool.name, tool.get_absolute_url()),
            ),
        ]
    )


def comparison_page(comparison: Comparison, scorecard: Scorecard) -> SafeString:
    url = absolute(comparison.get_absolute_url())
    tools = [_software(tool, scorecard) for tool in comparison.tools]
    article: dict[str, Any] = {
        "@type": "Article",
        "@id": f"{url}#article",
        "headline": comparison.title,
        "description": comparison.standfirst,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": comparison.published_at.isoformat(),
        "dateModified": comparison.last_reviewed_at.isoformat(),
        "publisher": {"@id": absolute("/#publisher")},
        "about": [{"@id": tool["@id"]} for tool in tools],
    }
    author = comparison.author
    article["author"] = (
        {"@type": "Person", "name": author.get_full_name() or author.get_username()}
        if author
        else {"@id": absolute("/#publisher")}
    )
    if comparison.share_card:
        article["image"] = absolute(comparison.share_card.url)
    left, right = comparison.tools
    trail = [("Home", reverse("home"))]
    if left.category_id == right.category_id:
        trail.append((left.category.name, left.category.get_absolute_url()))
    trail.append((comparison.title, comparison.get_absolute_url()))
    return as_script([_publisher(), article, *tools, _breadcrumbs(*trail)])
