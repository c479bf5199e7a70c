from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clients.limits import rate_limit
from newsletter.emails import issue_context
from newsletter.forms import SubscribeForm
from newsletter.models import Issue, Permission, Subscriber
from newsletter.services.subscribers import (
    ConfirmationError,
    subscriber_confirm,
    subscriber_for_token,
    subscriber_subscribe,
    subscriber_unsubscribe,
)


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The sign-up page; also receives the form from every comparison page.

    CSRF-exempt so the form works on cached pages: nothing happens without
    the emailed confirmation, bots trip the honeypot, and each client network
    has a rate limit.
    """
    if request.method == "GET":
        return render(request, "newsletter/subscribe.html", {"form": SubscribeForm()})

    limited = rate_limit(
        request,
        scope="subscribe",
        limit=settings.NEWSLETTER_SUBSCRIBE_RATE,
        window=settings.NEWSLETTER_SUBSCRIBE_WINDOW,
    )
    if not limited.allowed:
        response = render(request, "newsletter/rate_limited.html", status=429)
        response["Retry-After"] = str(limited.retry_after)
        return _private(response)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _private(
            render(request, "newsletter/subscribe.html", {"form": form}, status=400)
        )
    if not form.is_bot:
        subscriber_subscribe(email=form.cleaned_data["email"])
    return _private(
        render(
            request,
            "newsletter/check_inbox.html",
            {"confirm_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS},
        )
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button, so link scanners confirm nothing."""
    try:
        if request.method == "POST":
            subscriber = subscriber_confirm(token=token)
            return _private(
                render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
            )
        subscriber = subscriber_for_token(token=token)
    except ConfirmationError as error:
        return _private(
            render(
                request,
                "newsletter/confirm_invalid.html",
                {"reason": str(error), "form": SubscribeForm()},
                status=400,
            )
        )
    return _private(
        render(request, "newsletter/confirm.html", {"subscriber": subscriber})
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the email or the mail client (RFC 8058): no session."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return _private(
            render(request, "newsletter/unsubscribe_unknown.html", status=404)
        )
    if request.method == "POST":
        subscriber_unsubscribe(subscriber=subscriber)
        return _private(
            render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
        )
    return _private(
        render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
    )


def issue_list(request: HttpRequest) -> HttpResponse:
    issues = Issue.objects.archived().order_by("-sent_at")
    return render(request, "newsletter/issue_list.html", {"issues": issues})


def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = get_object_or_404(Issue, pk=pk)
    preview = issue.status != Issue.Status.SENT
    if preview and not (
        request.user.is_staff and request.user.has_perm(Permission.VIEW_ISSUE)
    ):
        raise Http404("No issue at this address.")
    response = render(
        request,
        "newsletter/issue_detail.html",
        {**issue_context(issue), "preview": preview},
    )
    return _private(response) if preview else response
