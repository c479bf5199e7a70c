from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tools.community import (
    TOOLS_PARAMETER_HELP,
    CommunityFigure,
    community_figure,
    parse_tool_slugs,
)
from tools.models import Tool, Vote
from tools.readers import Reader, reader_for, remember_reader, vote_rate_limit
from tools.services import vote_cast, vote_of, voted_tool, votes_of

VERDICTS = [*Vote.Verdict.values, "none"]
RATE_LIMITED = (
    "Too many votes from your network in a short time. Your vote was not "
    "counted; please try again in a few minutes."
)
CONFIRMATIONS = {
    "ship": "Vote recorded: you say ship to {tool}.",
    "skip": "Vote recorded: you say skip to {tool}.",
    "none": "Vote withdrawn: you no longer vote on {tool}.",
}


def _wants_html(request: HttpRequest) -> bool:
    """A browser following a form asks for HTML; scripts get JSON."""
    preferred = request.get_preferred_type(["application/json", "text/html"])
    return preferred == "text/html"


def _next_url(request: HttpRequest, tool: Tool) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return tool.get_absolute_url()


def _state(
    request: HttpRequest, *, tool: Tool, figure: CommunityFigure, vote: str
) -> dict[str, object]:
    return {
        "tool": tool.slug,
        "ship": figure.ship,
        "skip": figure.skip,
        "community": figure.as_dict(),
        "vote": vote,
        "csrf_token": get_token(request),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def tool_vote(request: HttpRequest, slug: str) -> HttpResponse:
    """This reader's vote on a tool: read it (GET) or cast it (POST).

    Pages stay the same for every reader; this endpoint is where the
    reader's own vote, the fresh figure and the CSRF token come from.
    """
    tool = voted_tool(slug)
    if tool is None:
        raise Http404("No tool at this address.")
    reader = reader_for(request)
    if request.method == "POST":
        response = _cast(request, tool=tool, reader=reader)
    else:
        response = _show(request, tool=tool, reader=reader)
    remember_reader(request, response, reader)
    return response


def _show(request: HttpRequest, *, tool: Tool, reader: Reader) -> HttpResponse:
    vote = "none" if reader.is_new else vote_of(tool=tool, reader_key=reader.key)
    figure = community_figure(tool.pk)
    if not _wants_html(request):
        return JsonResponse(_state(request, tool=tool, figure=figure, vote=vote))
    chosen = request.GET.get("verdict")
    chosen = chosen if chosen in VERDICTS else None
    return render(
        request,
        "tools/vote.html",
        {
            "tool": tool,
            "community": figure,
            "vote": vote,
            "chosen": chosen,
            # The one change this reader asked for, to confirm with a POST.
            "confirm": chosen if chosen and chosen != vote else None,
            "next": _next_url(request, tool),
        },
    )


def _refuse(
    request: HttpRequest, *, tool: Tool, message: str, status: int
) -> HttpResponse:
    if not _wants_html(request):
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "tools/vote_refused.html",
        {"tool": tool, "message": message, "next": _next_url(request, tool)},
        status=status,
    )


def _cast(request: HttpRequest, *, tool: Tool, reader: Reader) -> HttpResponse:
    verdict = request.POST.get("verdict", "")
    if verdict not in VERDICTS:
        return _refuse(
            request,
            tool=tool,
            message="Choose ship, skip or none (to withdraw your vote).",
            status=400,
        )
    limit = vote_rate_limit(request)
    if not limit.allowed:
        response = _refuse(request, tool=tool, message=RATE_LIMITED, status=429)
        response["Retry-After"] = str(limit.retry_after)
        return response

    figure = vote_cast(tool=tool, reader_key=reader.key, verdict=verdict)
    confirmation = CONFIRMATIONS[verdict].format(tool=tool.name)
    if _wants_html(request):
        messages.success(request, confirmation)
        return redirect(_next_url(request, tool))
    state = _state(request, tool=tool, figure=figure, vote=verdict)
    state["message"] = "Vote withdrawn" if verdict == "none" else "Vote recorded"
    state["detail"] = confirmation
    return JsonResponse(state)


@never_cache
@require_http_methods(["GET"])
def reader_votes_json(request: HttpRequest) -> HttpResponse:
    """This reader's own votes on a page's tools, and a CSRF token to vote.

    votes.js asks only when the browser has voted before (it carries the
    voted marker), so most page views never reach this uncached endpoint.
    """
    slugs = parse_tool_slugs(request.GET.get("tools", ""))
    if slugs is None:
        return JsonResponse({"error": TOOLS_PARAMETER_HELP}, status=400)
    reader = reader_for(request)
    votes = {} if reader.is_new else votes_of(slugs=slugs, reader_key=reader.key)
    response = JsonResponse(
        {
            "votes": {slug: votes.get(slug, "none") for slug in slugs},
            "csrf_token": get_token(request),
        }
    )
    remember_reader(request, response, reader)
    return response
