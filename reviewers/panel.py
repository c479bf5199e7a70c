"""The panel figure: the share of active personas' verdicts that are *ship*.

Lists read each tool's counts from its `PanelTally`, which database
triggers keep exact (`reviewers/tallies.py`), so a list of tools costs one
query and no counting, however many tools and personas there are. A
scorecard counts the verdicts it shows anyway.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from reviewers.models import Review, Reviewer
from tools.figures import ShipShare
from tools.models import Tool


@dataclass(frozen=True)
class PanelFigure(ShipShare):
    """The panel's share, always told with its counts ("3 of 4")."""

    @property
    def counts(self) -> str:
        if not self.total:
            return "No verdicts yet"
        return f"{self.ship} of {self.total}"

    def __str__(self) -> str:
        return self.label if not self.total else f"{self.label} ({self.counts})"


def with_panel(tools: QuerySet[Tool]) -> QuerySet[Tool]:
    """Annotate tools with `panel_ship` and `panel_total`, from their
    tallies (a tool nobody judged may have none: 0 of 0)."""
    return tools.annotate(
        panel_ship=Coalesce(F("panel_tally__ship"), 0),
        panel_total=Coalesce(F("panel_tally__total"), 0),
    )


def panel_figure(tool: Tool) -> PanelFigure:
    """The figure for one tool, from its annotations when it has them."""
    if hasattr(tool, "panel_total"):
        return PanelFigure(ship=tool.panel_ship, total=tool.panel_total)
    return panel_figures([tool.pk])[tool.pk]


def panel_figures(tool_ids: Iterable[int]) -> dict[int, PanelFigure]:
    """Figures for many tools in one query, keyed by tool id."""
    ids = set(tool_ids)
    rows = with_panel(Tool.objects.filter(pk__in=ids)).values_list(
        "pk", "panel_ship", "panel_total"
    )
    figures = {pk: PanelFigure(ship=ship, total=total) for pk, ship, total in rows}
    return {pk: figures.get(pk, PanelFigure(0, 0)) for pk in ids}


@dataclass(frozen=True)
class ScorecardRow:
    reviewer: Reviewer
    cells: tuple[tuple[Tool, Review | None], ...]

    @property
    def splits(self) -> bool:
        """This persona ships one tool and skips another."""
        verdicts = {review.verdict for _, review in self.cells if review}
        return len(verdicts) > 1


@dataclass(frozen=True)
class Scorecard:
    """Every active persona's verdict on each of a few tools, side by side."""

    tools: tuple[Tool, ...]
    rows: tuple[ScorecardRow, ...]
    figures: tuple[PanelFigure, ...]

    @property
    def by_tool(self) -> dict[int, PanelFigure]:
        return {tool.pk: figure for tool, figure in self.columns}

    @property
    def columns(self) -> list[tuple[Tool, PanelFigure]]:
        return list(zip(self.tools, self.figures, strict=True))

    @property
    def missing(self) -> list[str]:
        """What the panel still owes, in words an editor can act on."""
        return [
            f"{row.reviewer.name} has no verdict on {tool.name} yet"
            for row in self.rows
            for tool, review in row.cells
            if review is None
        ]

    @property
    def split_summary(self) -> str:
        """Where the panel divides between the tools, in one sentence."""
        if len(self.tools) < 2 or not self.rows:
            return ""
        splitters = [row.reviewer.name for row in self.rows if row.splits]
        if not splitters:
            return "No persona splits: each gives both tools the same verdict."
        names = ", ".join(splitters[:-1])
        names = f"{names} and {splitters[-1]}" if names else splitters[0]
        verb = "splits" if len(splitters) == 1 else "split"
        return f"{names} {verb}: ship on one tool, skip on the other."


def scorecard_for(tools: Iterable[Tool]) -> Scorecard:
    """Build the scorecard in two queries, whatever the panel's size.

    The panel figures are counted from the same verdicts the rows show
    (those of active personas), so they cost no query of their own.
    """
    tools = tuple(tools)
    reviewers = list(Reviewer.objects.active())
    reviews = {
        (review.reviewer_id, review.tool_id): review
        # Rows are placed by key, so the verdicts need no ordering (and no
        # joins for it).
        for review in Review.objects.on_panel().filter(tool__in=tools).order_by()
    }
    ship = Counter(review.tool_id for review in reviews.values() if review.is_ship)
    total = Counter(review.tool_id for review in reviews.values())
    figures = {
        tool.pk: PanelFigure(ship=ship[tool.pk], total=total[tool.pk]) for tool in tools
    }
    rows = tuple(
        ScorecardRow(
            reviewer=reviewer,
            cells=tuple((tool, reviews.get((reviewer.pk, tool.pk))) for tool in tools),
        )
        for reviewer in reviewers
    )
    return Scorecard(
        tools=tools, rows=rows, figures=tuple(figures[tool.pk] for tool in tools)
    )
