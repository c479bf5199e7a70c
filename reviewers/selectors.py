"""Reads the reader pages compose: tools with both of their figures, and a
persona's verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from reviewers.models import Review, Reviewer
from reviewers.panel import PanelFigure, panel_figures
from tools.community import CommunityFigure, community_figures
from tools.models import Category, Tool


@dataclass(frozen=True)
class ToolStanding:
    """A tool with the panel's figure and the readers' figure on it."""

    tool: Tool
    panel: PanelFigure
    community: CommunityFigure


def tool_standings(tools: Iterable[Tool]) -> list[ToolStanding]:
    """Both figures for each tool, in the tools' order, in two queries."""
    tools = list(tools)
    ids = [tool.pk for tool in tools]
    panel = panel_figures(ids)
    community = community_figures(ids)
    return [
        ToolStanding(tool=tool, panel=panel[tool.pk], community=community[tool.pk])
        for tool in tools
    ]


def categories_with_tools() -> QuerySet[Category]:
    """Every category with its tools by name, in two queries."""
    return Category.objects.prefetch_related(
        Prefetch("tools", queryset=Tool.objects.order_by("name"))
    )


def persona_verdicts(reviewer: Reviewer) -> QuerySet[Review]:
    """One persona's verdicts, by tool name, with each tool's category."""
    return reviewer.reviews.select_related("tool__category").order_by("tool__name")
