"""Reads the reader pages compose: comparisons by address, newest first, or
by tool."""

from __future__ import annotations

from comparisons.models import Comparison, ComparisonQuerySet
from tools.models import Tool


def comparison_at(slug: str) -> Comparison | None:
    """The comparison at this address, whatever its state, with its tools."""
    return Comparison.objects.with_tools().filter(slug=slug).first()


def comparison_reversed(slug: str) -> Comparison | None:
    """The comparison whose tools are the other way round from this slug."""
    marker = "-vs-"
    start = slug.find(marker)
    while start != -1:
        first, second = slug[:start], slug[start + len(marker) :]
        found = Comparison.objects.filter(left__slug=second, right__slug=first).first()
        if found:
            return found
        start = slug.find(marker, start + 1)
    return None


def latest_comparisons() -> ComparisonQuerySet:
    """What readers may see, newest first, with both tools."""
    return Comparison.objects.published().with_tools()


def comparisons_of_tool(tool: Tool) -> ComparisonQuerySet:
    """The published comparisons this tool appears in, on either side."""
    return Comparison.objects.published().involving(tool).with_tools()
