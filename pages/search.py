"""The search page: tools, comparisons and personas a query finds.

With no `type`, each group shows its best few and how many there are in
all; `?type=tools` (or comparisons, personas) pages through one group. At
most eight queries, whatever the query and the catalogue's size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from comparisons.search import comparisons_matching
from pages.lists import page_of
from reviewers.selectors import personas_matching, tool_standings
from tools.search import marked, search_terms, tools_matching, words_in

#: How many of each group the summary shows, and a group's page size.
BEST_OF_EACH = 5
PER_PAGE = {"tools": 24, "comparisons": 20, "personas": 24}
GROUP_TITLES = {"tools": "Tools", "comparisons": "Comparisons", "personas": "Personas"}


@dataclass(frozen=True)
class ResultGroup:
    kind: str
    title: str
    count: int
    items: list
    page: Page | None
    more_url: str

    @property
    def shown(self) -> int:
        return len(self.items)


def _matching(kind: str, terms: str):
    if kind == "tools":
        return tools_matching(terms)
    if kind == "comparisons":
        return comparisons_matching(terms)
    return personas_matching(terms)


def _items(kind: str, rows: list) -> list:
    """What the template lists: tools with their figures, the others as
    they are, each excerpt escaped with its matches marked."""
    for row in rows:
        row.excerpt_html = marked(getattr(row, "excerpt", "") or "")
    if kind == "tools":
        return tool_standings(rows)
    return rows


def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    terms = search_terms(text)
    kind = request.GET.get("type")
    kind = kind if kind in PER_PAGE else None
    groups: list[ResultGroup] = []
    if words_in(terms):
        for each in [kind] if kind else list(PER_PAGE):
            matching = _matching(each, terms)
            more_url = "?" + urlencode({"q": terms, "type": each})
            if kind:
                page = page_of(request, matching, PER_PAGE[each])
                rows, count = list(page), page.paginator.count
            else:
                page, count = None, matching.count()
                rows = list(matching[:BEST_OF_EACH]) if count else []
            groups.append(
                ResultGroup(
                    kind=each,
                    title=GROUP_TITLES[each],
                    count=count,
                    items=_items(each, rows),
                    page=page,
                    more_url=more_url,
                )
            )
    return render(
        request,
        "pages/search.html",
        {
            "q": terms,
            "kind": kind,
            "groups": groups,
            "found": sum(group.count for group in groups),
            "page_query": urlencode({"q": terms, "type": kind}) if kind else "",
        },
    )
