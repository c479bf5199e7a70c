from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers

from comparisons.models import Comparison
from reviewers.panel import panel_figures, scorecard_for
from tools.community import community_figures
from tools.models import Tool


def can_preview(user: User | AnonymousUser) -> bool:
    """Staff who may see comparisons in the admin may read drafts on the site."""
    return bool(user.is_active and user.is_staff) and user.has_perm(
        "comparisons.view_comparison"
    )


def home(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(
        Comparison.objects.published().with_tools(), settings.COMPARISONS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    tool_ids = {
        tool_id
        for comparison in page
        for tool_id in (comparison.left_id, comparison.right_id)
    }
    figures = panel_figures(tool_ids)
    community = community_figures(tool_ids)
    cards = [
        (
            comparison,
            [(tool, figures[tool.pk], community[tool.pk]) for tool in comparison.tools],
        )
        for comparison in page
    ]
    return render(request, "comparisons/home.html", {"page": page, "cards": cards})


def _reversed(slug: str) -> Comparison | None:
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


def comparison_detail(request: HttpRequest, slug: str) -> HttpResponse:
    comparison = Comparison.objects.with_tools().filter(slug=slug).first()
    if comparison is None:
        comparison = _reversed(slug)
        if comparison is None:
            raise Http404("No comparison at this address.")
        if comparison.is_live or can_preview(request.user):
            return redirect(comparison, permanent=True)
        raise Http404("No comparison at this address.")
    if not comparison.is_live and not can_preview(request.user):
        raise Http404("No comparison at this address.")

    scorecard = scorecard_for(comparison.tools)
    community = community_figures(tool.pk for tool in comparison.tools)
    response = render(
        request,
        "comparisons/comparison_detail.html",
        {
            "comparison": comparison,
            "scorecard": scorecard,
            "contenders": [
                (tool, figure, community[tool.pk]) for tool, figure in scorecard.columns
            ],
            "preview": not comparison.is_live,
        },
    )
    if not comparison.is_live:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
    return response


def tool_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tool = get_object_or_404(Tool.objects.select_related("category"), slug=slug)
    scorecard = scorecard_for([tool])
    comparisons = list(Comparison.objects.published().involving(tool).with_tools())
    return render(
        request,
        "comparisons/tool_detail.html",
        {
            "tool": tool,
            "figure": scorecard.figures[0],
            "community": community_figures([tool.pk])[tool.pk],
            "scorecard": scorecard,
            "comparisons": comparisons,
        },
    )
