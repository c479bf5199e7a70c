"""The community figure: the share of readers' votes on a tool that are *ship*.

Figures read the tools' tallies (`VoteTally`), which triggers keep exact in
the transaction of every vote, withdrawal and clean-up; nothing counts the
votes on a page view, so a figure costs the same with ten votes or a
million, and any number of tools cost one query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import F, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.dispatch import Signal

from tools.figures import ShipShare
from tools.models import Tool, VoteTally

#: Panel and community shares this many points apart earn a plain sentence.
DISAGREEMENT_POINTS = 25


def minimum_votes() -> int:
    return settings.COMMUNITY_MIN_VOTES


@dataclass(frozen=True)
class CommunityFigure(ShipShare):
    minimum: int = field(default_factory=minimum_votes)

    @property
    def skip(self) -> int:
        return self.total - self.ship

    @property
    def is_shown(self) -> bool:
        """Too few votes say more about who voted first than about the tool."""
        return self.total > 0 and self.total >= self.minimum

    @property
    def counts(self) -> str:
        if not self.total:
            return "No votes yet"
        noun = "vote" if self.total == 1 else "votes"
        if not self.is_shown:
            return f"{self.total} {noun} so far"
        return f"{self.total} {noun}"

    def __str__(self) -> str:
        if self.share is None:
            return f"— ({self.counts})"
        return f"{self.label} · {self.counts}"

    def as_dict(self) -> dict[str, object]:
        return {
            "ship": self.ship,
            "skip": self.skip,
            "total": self.total,
            "share": self.share,
            "label": self.label,
            "counts": self.counts,
            "text": str(self),
        }


def community_figures(tool_ids: Iterable[int]) -> dict[int, CommunityFigure]:
    """Figures for many tools in one query, keyed by tool id.

    One plain statement: every reader page asks for these, and building the
    equivalent ORM aggregate cost more than running it."""
    ids = {int(tool_id) for tool_id in tool_ids}
    rows = []
    if ids:
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tool_id, SUM(ship), SUM(skip) FROM tools_votetally "
                f"WHERE tool_id IN ({placeholders}) GROUP BY tool_id",
                sorted(ids),
            )
            rows = cursor.fetchall()
    minimum = minimum_votes()
    counted = {
        tool_id: CommunityFigure(ship=ship, total=ship + skip, minimum=minimum)
        for tool_id, ship, skip in rows
    }
    return {
        tool_id: counted.get(tool_id, CommunityFigure(0, 0, minimum)) for tool_id in ids
    }


def _tally_sum(expression) -> Coalesce:
    summed = (
        VoteTally.objects.filter(tool=OuterRef("pk"))
        .order_by()
        .values("tool")
        .annotate(total=Sum(expression))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def with_community(tools: QuerySet[Tool]) -> QuerySet[Tool]:
    """Annotate tools with `community_ship` and `community_total`.

    Subqueries rather than a join, so these sums stay right next to other
    aggregates on the same query (such as the panel's).
    """
    return tools.annotate(
        community_ship=_tally_sum(F("ship")),
        community_total=_tally_sum(F("ship") + F("skip")),
    )


#: Sent after votes on a tool were cast, changed, withdrawn or removed, with
#: `tool`: whatever keeps a copy of its figure must drop it.
votes_changed = Signal()

#: The most tools one request for figures or own votes may name (a category
#: page shows 24).
MAX_TOOLS_PER_REQUEST = 50
#: What a request whose ?tools= list `parse_tool_slugs` refuses is told.
TOOLS_PARAMETER_HELP = (
    f"Name between 1 and {MAX_TOOLS_PER_REQUEST} tools by slug: "
    "?tools=one-tool,another-tool"
)
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")


def parse_tool_slugs(raw: str) -> list[str] | None:
    """The tools named by a "one-tool,another-tool" list, sorted and once
    each, or None if the list is empty, too long or not made of slugs."""
    slugs = sorted({slug.strip() for slug in raw.split(",") if slug.strip()})
    if not slugs or len(slugs) > MAX_TOOLS_PER_REQUEST:
        return None
    if not all(_SLUG.fullmatch(slug) for slug in slugs):
        return None
    return slugs


def community_figure(tool_id: int) -> CommunityFigure:
    """One tool's figure (every vote is answered with it)."""
    return community_figures([tool_id])[tool_id]


def community_figure_of(tool: Tool) -> CommunityFigure:
    """The figure for one tool, from its annotations when it has them."""
    if hasattr(tool, "community_total"):
        return CommunityFigure(ship=tool.community_ship, total=tool.community_total)
    return community_figure(tool.pk)


def _stance(share: int) -> str:
    if share >= 60:
        return "ship"
    if share <= 40:
        return "skip"
    return "split"


def disagreement(panel_share: int | None, community_share: int | None) -> str:
    """A plain sentence when the panel and readers are far apart, else "".

    Shares are whole-number percentages of *ship*; None means there is no
    figure yet, and then there is nothing to compare.
    """
    if panel_share is None or community_share is None:
        return ""
    if abs(panel_share - community_share) < DISAGREEMENT_POINTS:
        return ""
    panel, readers = _stance(panel_share), _stance(community_share)
    if panel == readers:
        firmer = "the panel" if panel_share > community_share else "readers"
        if panel == "skip":
            firmer = "the panel" if panel_share < community_share else "readers"
        return (
            f"The panel and readers both lean {panel}, {firmer} more firmly: "
            f"{panel_share}% of the panel and {community_share}% of readers "
            "say ship."
        )
    panel_says = "The panel is split" if panel == "split" else f"The panel says {panel}"
    readers_say = (
        "readers are split" if readers == "split" else f"readers say {readers}"
    )
    return f"{panel_says}; {readers_say}."
