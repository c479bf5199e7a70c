"""The reader pages: each gathers what the domain apps' selectors return.

Pages are the same HTML for every anonymous reader; what is personal (the
reader's vote) comes from the vote endpoint. Only drafts shown to staff or
through a preview link read the session, and they are sent never-cache and
noindex.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods

from comparisons.models import Comparison, PreviewLink
from comparisons.selectors import (
    comparison_at,
    comparison_of_pair,
    comparisons_in_category,
    comparisons_of_tool,
    comparisons_with_any,
    latest_comparisons,
    tools_at,
)
from comparisons.workflow import can_preview
from pages import structured_data
from pages.figures import figures_by_slug
from pages.lists import page_of
from pages.moved import moved_or_404, moved_pair
from reviewers.catalogue import (
    SORTS,
    CatalogueFilter,
    catalogue,
    catalogue_standings,
)
from reviewers.models import Reviewer, VerdictChange
from reviewers.panel import scorecard_for
from reviewers.selectors import (
    categories_with_tools,
    persona_record,
    persona_verdicts,
    tool_standings,
)
from tools.community import TOOLS_PARAMETER_HELP, parse_tool_slugs
from tools.models import Category, Tool

#: How long each list may get before it continues on a further page.
TOOLS_PER_PAGE = 24
CATEGORIES_PER_PAGE = 30
PERSONAS_PER_PAGE = 24
VERDICTS_PER_PAGE = 20
COMPARISONS_PER_TOOL_PAGE = 20
#: How many comparisons a category page and a persona's verdict show.
COMPARISONS_PER_CATEGORY_PAGE = 10
COMPARISONS_PER_VERDICT = 3
#: How many categories the home page names (the category list has them all).
HOME_CATEGORIES = 12


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page out of caches and search engines."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def home(request: HttpRequest) -> HttpResponse:
    page = page_of(request, latest_comparisons(), settings.COMPARISONS_PER_PAGE)
    standings = {
        standing.tool.pk: standing
        for standing in tool_standings(
            tool for comparison in page for tool in comparison.tools
        )
    }
    cards = [
        (comparison, [standings[tool.pk] for tool in comparison.tools])
        for comparison in page
    ]
    categories = Category.objects.order_by("name")[:HOME_CATEGORIES]
    return render(
        request,
        "pages/home.html",
        {"page": page, "cards": cards, "categories": categories},
    )


def comparison_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A written comparison, or the quick comparison of any two tools.

    Three queries at most, whatever the address: the comparison at it, the
    tools it names, and the comparison of those tools at another address
    (or, when it names no two tools, the tools' former slugs, for an address
    made before a tool was renamed).
    """
    comparison = comparison_at(slug)
    if comparison is not None:
        # Staff read the pending changes with ?preview=draft; a comparison
        # that is not live shows them to staff anyway. Only then is the
        # session read, so the live page stays the same for everyone.
        wants_preview = not comparison.is_live or request.GET.get("preview") == "draft"
        if wants_preview and can_preview(request.user):
            return _render_comparison(
                request, comparison.with_pending_changes(), preview=True
            )
        if comparison.is_live:
            return _render_comparison(request, comparison, preview=False)
        return _render_quick(request, comparison.left, comparison.right)
    pair = tools_at(slug)
    if pair is None:
        # An address made from a renamed tool's old slug: to the pair's
        # address now (the written comparison's, or the quick one).
        moved = moved_pair(slug)
        if moved is None:
            raise Http404("No comparison at this address.")
        return redirect(Comparison(left=moved[0], right=moved[1]), permanent=True)
    # The pair's comparison lives at another address: the other order, or
    # the one its tools' slugs make now that a tool was renamed.
    written = comparison_of_pair(*pair)
    if written is not None and (written.is_live or can_preview(request.user)):
        return redirect(written, permanent=True)
    return _render_quick(request, *pair)


def _render_quick(request: HttpRequest, left: Tool, right: Tool) -> HttpResponse:
    """Two tools the editors have not compared yet, built like a written
    comparison from the catalogue, the panel and the readers; kept out of
    search engines."""
    comparison = Comparison(left=left, right=right)
    scorecard = scorecard_for(comparison.tools)
    response = render(
        request,
        "pages/comparison_detail.html",
        {
            "comparison": comparison,
            "scorecard": scorecard,
            "contenders": tool_standings(comparison.tools, panel=scorecard.by_tool),
            "quick": True,
            "ask_url": reverse(
                "comparison-ask", args=[Comparison.make_slug(left, right)]
            ),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def comparison_preview(request: HttpRequest, token: str) -> HttpResponse:
    """A draft read through a shareable link, by someone without an account."""
    link = PreviewLink.from_token(token)
    if link is None:
        return _private(render(request, "pages/preview_link_invalid.html", status=404))
    return _render_comparison(
        request,
        link.comparison.with_pending_changes(),
        preview=True,
        preview_link=link,
    )


def _render_comparison(
    request: HttpRequest,
    comparison: Comparison,
    *,
    preview: bool,
    preview_link: PreviewLink | None = None,
) -> HttpResponse:
    published = comparison.published_at
    updates = (
        list(VerdictChange.objects.on_tools_since(comparison.tools, published))
        if published and published <= timezone.now()
        else []
    )
    scorecard = scorecard_for(comparison.tools)
    response = render(
        request,
        "pages/comparison_detail.html",
        {
            "comparison": comparison,
            "scorecard": scorecard,
            "contenders": tool_standings(comparison.tools, panel=scorecard.by_tool),
            "preview": preview,
            "preview_link": preview_link,
            "edit_url": (
                reverse("admin:comparisons_comparison_change", args=[comparison.pk])
                if preview and preview_link is None
                else None
            ),
            "updates": updates,
            "structured_data": (
                None
                if preview
                else structured_data.comparison_page(comparison, scorecard)
            ),
        },
    )
    if preview or not comparison.is_live:
        _private(response)
    return response


def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tool = Tool.objects.select_related("category").filter(slug=slug).first()
    if tool is None:
        return moved_or_404(request, Tool, slug)
    scorecard = scorecard_for([tool])
    return render(
        request,
        "pages/tool_detail.html",
        {
            "tool": tool,
            "standing": tool_standings([tool], panel=scorecard.by_tool)[0],
            "scorecard": scorecard,
            "structured_data": structured_data.tool_page(tool, scorecard),
            "comparisons": page_of(
                request, comparisons_of_tool(tool), COMPARISONS_PER_TOOL_PAGE
            ),
        },
    )


def reviewer_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, Reviewer.objects.active(), PERSONAS_PER_PAGE)
    return render(request, "pages/reviewer_list.html", {"reviewers": page})


def reviewer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reviewer = Reviewer.objects.filter(slug=slug).first()
    if reviewer is None:
        return moved_or_404(request, Reviewer, slug)
    reviews = page_of(request, persona_verdicts(reviewer), VERDICTS_PER_PAGE)
    # Each verdict links to the comparisons its tool appears in.
    ids = [review.tool_id for review in reviews]
    appears_in: dict[int, list[Comparison]] = {tool_id: [] for tool_id in ids}
    for comparison in comparisons_with_any(ids, most=COMPARISONS_PER_VERDICT * 10):
        for tool in comparison.tools:
            shown = appears_in.get(tool.pk)
            if shown is not None and len(shown) < COMPARISONS_PER_VERDICT:
                shown.append(comparison)
    return render(
        request,
        "pages/reviewer_detail.html",
        {
            "reviewer": reviewer,
            "reviews": reviews,
            "verdicts": [(review, appears_in[review.tool_id]) for review in reviews],
            "record": persona_record(reviewer),
        },
    )


def category_list(request: HttpRequest) -> HttpResponse:
    page = page_of(request, categories_with_tools(), CATEGORIES_PER_PAGE)
    return render(request, "pages/category_list.html", {"categories": page})


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        return moved_or_404(request, Category, slug)
    sort = request.GET.get("sort", "name")
    chosen = CatalogueFilter(category=category, sort=sort if sort in SORTS else "name")
    page = page_of(request, catalogue(chosen), TOOLS_PER_PAGE)
    sorts = [
        (label, "" if key == "name" else f"?sort={key}", chosen.sort == key)
        for key, label in SORTS.items()
    ]
    return render(
        request,
        "pages/category_detail.html",
        {
            "category": category,
            "page": page,
            "tools": catalogue_standings(page),
            "sorts": sorts,
            "page_query": "" if chosen.sort == "name" else f"sort={chosen.sort}",
            "comparisons": comparisons_in_category(
                category, most=COMPARISONS_PER_CATEGORY_PAGE
            ),
        },
    )


@require_http_methods(["GET", "HEAD"])
def community_figures_json(request: HttpRequest) -> HttpResponse:
    """The live community figures of a page's tools, the same for every
    reader, so it sets no cookie and a CDN may keep it a few seconds."""
    slugs = parse_tool_slugs(request.GET.get("tools", ""))
    if slugs is None:
        return JsonResponse({"error": TOOLS_PARAMETER_HELP}, status=400)
    figures = figures_by_slug(slugs)
    response = JsonResponse(
        {"figures": {slug: figure.as_dict() for slug, figure in figures.items()}}
    )
    patch_cache_control(
        response, public=True, max_age=0, s_maxage=settings.FIGURES_CDN_SECONDS
    )
    return response
