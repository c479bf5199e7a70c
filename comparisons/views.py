"""Readers asking for a comparison the editors have not written yet."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clients.limits import rate_limit
from comparisons.models import Comparison
from comparisons.reader_requests import has_asked, pair_request
from comparisons.selectors import comparison_of_pair, tools_at
from tools.readers import reader_for, remember_reader

ASKED = (
    "Thank you: the editors now know you want {left} and {right} compared. "
    "Subscribe to the newsletter to hear when they publish it."
)
ASKED_BEFORE = "You have already asked for this comparison; each reader counts once."
RATE_LIMITED = (
    "Too many requests from your network in a short time. Yours was not "
    "counted; please try again in a few minutes."
)


@never_cache
@require_http_methods(["GET", "POST"])
def comparison_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask the editors to compare two tools: a confirmation page (GET), so
    that the cached quick comparison needs no CSRF token, and the request
    itself (POST), counted once per reader and pair."""
    pair = tools_at(slug)
    if pair is None:
        raise Http404("No pair of tools at this address.")
    left, right = pair
    written = comparison_of_pair(left, right)
    if written is not None and written.is_live:
        return redirect(written)
    back = Comparison(left=left, right=right).get_absolute_url()
    reader = reader_for(request)
    context = {"left": left, "right": right, "back": back}
    if request.method == "GET":
        context["asked"] = not reader.is_new and has_asked(
            left=left, right=right, reader_key=reader.key
        )
        response = render(request, "comparisons/ask.html", context)
    else:
        limit = rate_limit(
            request,
            scope="asks",
            limit=settings.VOTE_RATE_LIMIT,
            window=settings.VOTE_RATE_WINDOW,
        )
        if not limit.allowed:
            context["refusal"] = RATE_LIMITED
            response = render(request, "comparisons/ask.html", context, status=429)
            response["Retry-After"] = str(limit.retry_after)
            return response
        counted = pair_request(left=left, right=right, reader_key=reader.key)
        if counted:
            messages.success(request, ASKED.format(left=left.name, right=right.name))
        else:
            messages.info(request, ASKED_BEFORE)
        response = redirect(back)
    response["X-Robots-Tag"] = "noindex"
    remember_reader(request, response, reader)
    return response
