"""Reads the reader pages compose: tools with both of their figures, and a
persona's verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from reviewers.models import Review, Reviewer
from reviewers.panel import PanelFigure, panel_figures
from tools.community import CommunityFigure, community_figures
from tools.models import Category, Tool, Verdict
from tools.search import (
    NAME_SIMILARITY,
    every_word_in,
    search_terms,
    uses_full_text,
    words_in,
)


@dataclass(frozen=True)
class ToolStanding:
    """A tool with the panel's figure and the readers' figure on it."""

    tool: Tool
    panel: PanelFigure
    community: CommunityFigure


def tool_standings(
    tools: Iterable[Tool], *, panel: dict[int, PanelFigure] | None = None
) -> list[ToolStanding]:
    """Both figures for each tool, in the tools' order, in two queries (one
    when the panel figures are given, from a scorecard)."""
    tools = list(tools)
    ids = [tool.pk for tool in tools]
    if panel is None:
        panel = panel_figures(ids)
    community = community_figures(ids)
    return [
        ToolStanding(tool=tool, panel=panel[tool.pk], community=community[tool.pk])
        for tool in tools
    ]


#: How many of its tools the category list names for each category.
TOOLS_NAMED_PER_CATEGORY = 8


def categories_with_tools() -> QuerySet[Category]:
    """Categories by name, each with its number of tools (`tool_count`) and
    its first few tools by name (`first_tools`), in two queries however many
    tools a category has."""
    counted = (
        Tool.objects.filter(category=OuterRef("pk"))
        .order_by()
        .values("category")
        .annotate(count=Count("pk"))
        .values("count")
    )
    # A subquery rather than a join and GROUP BY, so the paginator's count
    # is a plain count of categories; only the columns the list shows.
    first = Tool.objects.only("id", "slug", "name", "category_id").order_by("name")
    return (
        Category.objects.annotate(
            tool_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )
        .prefetch_related(
            Prefetch(
                "tools",
                queryset=first[:TOOLS_NAMED_PER_CATEGORY],
                to_attr="first_tools",
            )
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class PersonaRecord:
    """How often a persona says ship, over all of its verdicts."""

    ship: int
    total: int


def persona_record(reviewer: Reviewer) -> PersonaRecord:
    counted = reviewer.reviews.aggregate(
        ship=Count("pk", filter=Q(verdict=Verdict.SHIP)), total=Count("pk")
    )
    return PersonaRecord(ship=counted["ship"], total=counted["total"])


def persona_verdicts(reviewer: Reviewer) -> QuerySet[Review]:
    """One persona's verdicts, newest first, with each tool's category."""
    return reviewer.reviews.select_related("tool__category").order_by(
        "-updated_at", "tool__name"
    )


def personas_matching(text: str) -> QuerySet[Reviewer]:
    """Active personas a reader's query finds by name, lens or bio. The
    panel is a few dozen at most, so the vector is made on the fly."""
    terms = search_terms(text)
    personas = Reviewer.objects.active()
    if not words_in(terms):
        return personas.none()
    if uses_full_text():
        vector = SearchVector("name", weight="A", config="english") + SearchVector(
            "lens", "bio", weight="B", config="english"
        )
        query = SearchQuery(terms, search_type="websearch", config="english")
        return (
            personas.annotate(
                score=SearchRank(vector, query),
                similarity=TrigramWordSimilarity(terms, "name"),
            )
            .filter(Q(score__gt=0) | Q(similarity__gte=NAME_SIMILARITY))
            .order_by("-score", "-similarity", "seat")
        )
    return personas.filter(every_word_in(("name", "lens", "bio"), terms))
