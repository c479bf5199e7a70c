"""The catalogue as readers browse it: every tool, filtered and sorted by
its category, entry tier, the panel's stance and the readers' figure.

The panel's stance is a rule on its ship share, with the counts behind it:
"ship" when at least two thirds of the panel's verdicts are ship, "skip"
when at most a third are, "split" in between; a tool the panel has not
judged has no stance. Filters and sorts are done by the database, one
query for a page and one for the count, whatever the catalogue's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf

from reviewers.panel import PanelFigure, with_panel
from reviewers.selectors import ToolStanding, tool_standings
from tools.community import minimum_votes, with_community
from tools.models import Category, PricingTier, Tool

STANCES = {
    "ship": "The panel ships",
    "split": "The panel splits",
    "skip": "The panel skips",
}
SORTS = {
    "panel": "Panel ship, highest first",
    "community": "Community ship, highest first",
    "newest": "Newest in the catalogue",
    "name": "Name, A to Z",
}
DEFAULT_SORT = "panel"


def stance_of(ship: int, total: int) -> str | None:
    """The panel's stance on a tool with `ship` of `total` verdicts ship."""
    if not total:
        return None
    if 3 * ship >= 2 * total:
        return "ship"
    if 3 * ship <= total:
        return "skip"
    return "split"


_STANCE_CONDITIONS = {
    "ship": Q(panel_total__gt=0) & Q(triple_ship__gte=2 * F("panel_total")),
    "skip": Q(panel_total__gt=0) & Q(triple_ship__lte=F("panel_total")),
    "split": Q(triple_ship__gt=F("panel_total"))
    & Q(triple_ship__lt=2 * F("panel_total")),
}


@dataclass(frozen=True)
class CatalogueFilter:
    """What a reader chose on the tools index, each value checked."""

    category: Category | None = None
    tier: str = ""
    stance: str = ""
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.tier or self.stance)

    def as_query(self) -> dict[str, str]:
        """The canonical query parameters for this view, in a fixed order
        and without defaults, so one view has one address."""
        query = {}
        if self.category:
            query["category"] = self.category.slug
        if self.tier:
            query["tier"] = self.tier
        if self.stance:
            query["stance"] = self.stance
        if self.sort != DEFAULT_SORT:
            query["sort"] = self.sort
        return query


def catalogue_filter(
    *, category: str = "", tier: str = "", stance: str = "", sort: str = ""
) -> CatalogueFilter:
    """A filter from what the address says; unknown values are dropped."""
    chosen = Category.objects.filter(slug=category).first() if category else None
    return CatalogueFilter(
        category=chosen,
        tier=tier if tier in PricingTier.values else "",
        stance=stance if stance in STANCES else "",
        sort=sort if sort in SORTS else DEFAULT_SORT,
    )


def _share(ship: str, total: str):
    return Cast(F(ship), FloatField()) / NullIf(
        Cast(F(total), FloatField()), Value(0.0)
    )


def catalogue(chosen: CatalogueFilter) -> QuerySet[Tool]:
    """The tools the filter keeps, in its order, annotated with both
    figures' counts (`panel_ship`, `panel_total`, `community_ship`,
    `community_total`)."""
    tools = Tool.objects.select_related("category")
    if chosen.category:
        tools = tools.filter(category=chosen.category)
    if chosen.tier:
        tools = tools.filter(pricing_tier=chosen.tier)
    tools = with_panel(tools).annotate(triple_ship=3 * F("panel_ship"))
    if chosen.stance:
        tools = tools.filter(_STANCE_CONDITIONS[chosen.stance])
    if chosen.sort == "name":
        return tools.order_by("name")
    if chosen.sort == "newest":
        return tools.order_by("-created_at", "name")
    if chosen.sort == "community":
        tools = with_community(tools).annotate(
            shown=Case(
                When(community_total__gte=minimum_votes(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            community_share=_share("community_ship", "community_total"),
        )
        return tools.order_by(
            "-shown",
            F("community_share").desc(nulls_last=True),
            "-community_total",
            "name",
        )
    tools = tools.annotate(panel_share=_share("panel_ship", "panel_total"))
    return tools.order_by(
        F("panel_share").desc(nulls_last=True), "-panel_total", "name"
    )


def catalogue_standings(tools) -> list[ToolStanding]:
    """Both figures for tools from `catalogue`: the panel's from their
    annotations, the readers' in one query."""
    panel = {
        tool.pk: PanelFigure(ship=tool.panel_ship, total=tool.panel_total)
        for tool in tools
    }
    return tool_standings(tools, panel=panel)
