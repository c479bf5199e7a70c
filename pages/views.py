"""The reader pages: each gathers what the domain apps' selectors return.

Pages are the same HTML for every anonymous reader; what is personal (the
reader's vote) comes from the vote endpoint. Only drafts shown to staff or
through a preview link read the session, and they are sent never-cache and
noindex.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from comparisons.models import Comparison, PreviewLink
from comparisons.selectors import (
    comparison_at,
    comparison_reversed,
    comparisons_of_tool,
    latest_comparisons,
)
from comparisons.workflow import can_preview
from reviewers.models import Reviewer, VerdictChange
from reviewers.panel import scorecard_for
from reviewers.selectors import categories_with_tools, persona_verdicts, tool_standings
from tools.models import Category, Tool


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page out of caches and search engines."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def home(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(latest_comparisons(), settings.COMPARISONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
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
    return render(request, "pages/home.html", {"page": page, "cards": cards})


def comparison_detail(request: HttpRequest, slug: str) -> HttpResponse:
    comparison = comparison_at(slug)
    if comparison is None:
        comparison = comparison_reversed(slug)
        if comparison is None:
            raise Http404("No comparison at this address.")
        if comparison.is_live or can_preview(request.user):
            return redirect(comparison, permanent=True)
        raise Http404("No comparison at this address.")
    # Staff read the pending changes with ?preview=draft; a comparison that
    # is not live shows them to staff anyway. Only then is the session read,
    # so the live page stays the same for everyone and cacheable.
    wants_preview = not comparison.is_live or request.GET.get("preview") == "draft"
    if wants_preview and can_preview(request.user):
        return _render_comparison(
            request, comparison.with_pending_changes(), preview=True
        )
    if not comparison.is_live:
        raise Http404("No comparison at this address.")
    return _render_comparison(request, comparison, preview=False)


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
    response = render(
        request,
        "pages/comparison_detail.html",
        {
            "comparison": comparison,
            "scorecard": scorecard_for(comparison.tools),
            "contenders": tool_standings(comparison.tools),
            "preview": preview,
            "preview_link": preview_link,
            "updates": updates,
        },
    )
    if preview or not comparison.is_live:
        _private(response)
    return response


def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tool = get_object_or_404(Tool.objects.select_related("category"), slug=slug)
    return render(
        request,
        "pages/tool_detail.html",
        {
            "tool": tool,
            "standing": tool_standings([tool])[0],
            "scorecard": scorecard_for([tool]),
            "comparisons": list(comparisons_of_tool(tool)),
        },
    )


def reviewer_list(request: HttpRequest) -> HttpResponse:
    reviewers = Reviewer.objects.active()
    return render(request, "pages/reviewer_list.html", {"reviewers": reviewers})


def reviewer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reviewer = get_object_or_404(Reviewer, slug=slug)
    reviews = list(persona_verdicts(reviewer))
    return render(
        request,
        "pages/reviewer_detail.html",
        {
            "reviewer": reviewer,
            "reviews": reviews,
            "ship_count": sum(review.is_ship for review in reviews),
        },
    )


def category_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "pages/category_list.html", {"categories": categories_with_tools()}
    )


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    return render(
        request,
        "pages/category_detail.html",
        {
            "category": category,
            "tools": tool_standings(category.tools.order_by("name")),
        },
    )
