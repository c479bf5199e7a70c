"""Browsing the catalogue: the tools index, a tool's alternatives, the
"Compare with…" picker and the methodology."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from comparisons.models import Comparison
from pages.lists import page_of
from pages.moved import moved_or_404
from reviewers.catalogue import (
    SORTS,
    STANCES,
    CatalogueFilter,
    catalogue,
    catalogue_filter,
    catalogue_standings,
)
from reviewers.panel import with_panel
from tools.models import Category, PricingTier, Tool
from tools.search import search_terms, tools_matching

#: When the methodology page last changed what it says; readers see it and
#: the sitemap dates the page by it.
METHODOLOGY_REVISED = datetime(2026, 12, 1, tzinfo=UTC)

TOOLS_PER_INDEX_PAGE = 30
ALTERNATIVES_PER_PAGE = 20
CANDIDATES_SHOWN = 10
FILTERS = ("category", "tier", "stance", "sort")


def tool_list(request: HttpRequest) -> HttpResponse:
    chosen = catalogue_filter(**{name: request.GET.get(name, "") for name in FILTERS})
    canonical = chosen.as_query()
    given = {name: request.GET[name] for name in FILTERS if name in request.GET}
    if given != canonical:
        # One address per view: a submitted form's empty fields, defaults
        # and unknown values are dropped.
        query = dict(canonical)
        if "page" in request.GET:
            query["page"] = request.GET["page"]
        return redirect(_address(reverse("tool-list"), query))
    page = page_of(request, catalogue(chosen), TOOLS_PER_INDEX_PAGE)
    return render(
        request,
        "pages/tool_list.html",
        {
            "chosen": chosen,
            "page": page,
            "standings": catalogue_standings(page),
            "categories": Category.objects.order_by("name"),
            "tiers": PricingTier.choices,
            "stances": STANCES,
            "sorts": SORTS,
            "page_query": urlencode(canonical),
            "canonical_url": settings.SITE_URL
            + _address(request.path, {**canonical, **_page_number(request)}),
            "links": _filter_links(chosen),
        },
    )


def _address(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _page_number(request: HttpRequest) -> dict[str, str]:
    number = request.GET.get("page", "")
    return {"page": number} if number.isdigit() and number != "1" else {}


def _filter_links(chosen: CatalogueFilter) -> dict[str, list[tuple[str, str, bool]]]:
    """Plain links for each stance and sort, keeping the other choices."""
    path = reverse("tool-list")

    def link(**change: str) -> str:
        query = chosen.as_query()
        for name, value in change.items():
            query.pop(name, None)
            if value:
                query[name] = value
        ordered = {name: query[name] for name in FILTERS if name in query}
        return _address(path, ordered)

    stance_links = [("Any stance", link(stance=""), not chosen.stance)] + [
        (label, link(stance=key), chosen.stance == key)
        for key, label in STANCES.items()
    ]
    sort_links = [
        (label, link(sort="" if key == "panel" else key), chosen.sort == key)
        for key, label in SORTS.items()
    ]
    return {"stance": stance_links, "sort": sort_links}


def tool_alternatives(request: HttpRequest, slug: str) -> HttpResponse:
    """The other tools of a tool's category, the panel's favourites first,
    each linked to its comparison with this tool, or to the quick one."""
    tools = with_panel(Tool.objects.select_related("category"))
    tool = tools.filter(slug=slug).first()
    if tool is None:
        return moved_or_404(request, Tool, slug)
    others = catalogue(CatalogueFilter(category=tool.category)).exclude(pk=tool.pk)
    page = page_of(request, others, ALTERNATIVES_PER_PAGE)
    ids = [other.pk for other in page]
    written = {}
    for comparison in Comparison.objects.published().filter(
        Q(left=tool, right__in=ids) | Q(right=tool, left__in=ids)
    ):
        other_id = (
            comparison.right_id if comparison.left_id == tool.pk else comparison.left_id
        )
        written[other_id] = comparison
    # The tool's own figures come with its alternatives' in one query.
    own, *standings = catalogue_standings([tool, *page])
    rows = [
        (
            standing,
            written.get(standing.tool.pk),
            Comparison(left=tool, right=standing.tool).get_absolute_url(),
        )
        for standing in standings
    ]
    return render(
        request,
        "pages/tool_alternatives.html",
        {
            "tool": tool,
            "standing": own,
            "page": page,
            "rows": rows,
        },
    )


def compare_pick(request: HttpRequest) -> HttpResponse:
    """Two tools side by side from the "Compare with…" picker: straight to
    the pair when both are named exactly, otherwise the closest names."""
    first = Tool.objects.filter(slug=request.GET.get("tool", "")).first()
    wanted = search_terms(request.GET.get("with", ""))
    second = None
    if wanted:
        second = (
            Tool.objects.filter(Q(slug=wanted) | Q(name__iexact=wanted))
            .exclude(pk=getattr(first, "pk", None))
            .first()
        )
    if first and second:
        return redirect(Comparison(left=first, right=second))
    candidates = []
    if first and wanted:
        candidates = [
            (other, Comparison(left=first, right=other).get_absolute_url())
            for other in tools_matching(wanted).exclude(pk=first.pk)[:CANDIDATES_SHOWN]
        ]
    response = render(
        request,
        "pages/compare_pick.html",
        {"first": first, "wanted": wanted, "candidates": candidates},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def methodology(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/methodology.html",
        {
            "minimum_votes": settings.COMMUNITY_MIN_VOTES,
            "revised": METHODOLOGY_REVISED,
        },
    )
