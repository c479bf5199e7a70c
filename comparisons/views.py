from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from comparisons.models import Comparison, PreviewLink
from reviewers.models import VerdictChange
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
    # Staff read the pending changes with ?preview=draft; a comparison that
    # is not live shows its draft to them anyway. Only then is the session
    # read, so the live page stays the same for everyone and cacheable.
    wants_draft = not comparison.is_live or request.GET.get("preview") == "draft"
    if wants_draft and can_preview(request.user):
        return _render_comparison(request, comparison.with_draft(), preview=True)
    if not comparison.is_live:
        raise Http404("No comparison at this address.")
    return _render_comparison(request, comparison, preview=False)


def comparison_preview(request: HttpRequest, token: str) -> HttpResponse:
    """A draft read through a shareable link, by someone without an account."""
    link = PreviewLink.from_token(token)
    if link is None:
        response = render(request, "comparisons/preview_link_invalid.html", status=404)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response
    return _render_comparison(
        request, link.comparison.with_draft(), preview=True, preview_link=link
    )


def _render_comparison(
    request: HttpRequest,
    comparison: Comparison,
    *,
    preview: bool,
    preview_link: PreviewLink | None = None,
) -> HttpResponse:
    updates = (
        list(
            VerdictChange.objects.on_tools_since(
                comparison.tools, comparison.published_at
            )
        )
        if comparison.published_at and comparison.published_at <= timezone.now()
        else []
    )
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
            "preview": preview,
            "preview_link": preview_link,
            "updates": updates,
        },
    )
    if preview or not comparison.is_live:
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
