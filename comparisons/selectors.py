"""Reads the reader pages compose: comparisons by address, newest first, or
by tool."""

from __future__ import annotations

from django.db.models import Q

from comparisons.models import Comparison, ComparisonQuerySet
from tools.models import Category, Tool


def comparison_at(slug: str) -> Comparison | None:
    """The comparison at this address, whatever its state, with its tools."""
    # A slug names one comparison at most, so no ordering is needed.
    found = Comparison.objects.with_tools().select_related("author").filter(slug=slug)
    return next(iter(found.order_by()[:1]), None)


#: What joins the two tools' slugs in a comparison's address.
PAIR_MARKER = "-vs-"


def pair_splits(slug: str) -> list[tuple[str, str]]:
    """Every way a "<a>-vs-<b>" address can name two tool slugs."""
    longest = Tool._meta.get_field("slug").max_length
    splits = []
    start = slug.find(PAIR_MARKER)
    while start != -1:
        first, second = slug[:start], slug[start + len(PAIR_MARKER) :]
        fits = all(0 < len(part) <= longest for part in (first, second))
        if fits and first != second:
            splits.append((first, second))
        start = slug.find(PAIR_MARKER, start + 1)
    return splits


def tools_at(slug: str) -> tuple[Tool, Tool] | None:
    """The two tools a "<a>-vs-<b>" address names, in its order.

    A tool's slug may itself hold "-vs-", so every split is a candidate;
    they are all looked up in one query, however many there are, and the
    first split naming two different tools wins.
    """
    splits = pair_splits(slug)
    if not splits:
        return None
    named = {part for split in splits for part in split}
    tools = {
        tool.slug: tool
        for tool in Tool.objects.select_related("category").filter(slug__in=named)
    }
    for first, second in splits:
        if first in tools and second in tools:
            return tools[first], tools[second]
    return None


def comparison_of_pair(first: Tool, second: Tool) -> Comparison | None:
    """The comparison of these two tools in either order, whatever its
    state (there is at most one)."""
    return (
        Comparison.objects.filter(
            Q(left=first, right=second) | Q(left=second, right=first)
        )
        .select_related("left", "right")
        .first()
    )


def latest_comparisons() -> ComparisonQuerySet:
    """What readers may see, newest first, with both tools."""
    return Comparison.objects.published().with_tools()


def comparisons_of_tool(tool: Tool) -> ComparisonQuerySet:
    """The published comparisons this tool appears in, on either side."""
    return Comparison.objects.published().involving(tool).with_tools()


def comparisons_with_any(tool_ids: list[int], *, most: int) -> list[Comparison]:
    """The newest published comparisons with any of these tools, at most
    `most` of them, in one query."""
    return list(
        Comparison.objects.published()
        .filter(Q(left__in=tool_ids) | Q(right__in=tool_ids))
        .with_tools()[:most]
    )


def comparisons_in_category(category: Category, *, most: int) -> list[Comparison]:
    """The newest published comparisons with a tool of this category."""
    return list(
        Comparison.objects.published()
        .filter(Q(left__category=category) | Q(right__category=category))
        .with_tools()[:most]
    )
