from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clients.limits import rate_limit
from newsletter.emails import issue_context
from newsletter.forms import CategoriesForm, FollowForm, SubscribeForm
from newsletter.models import Issue, Permission, Subscriber
from newsletter.services.follows import (
    MAX_FOLLOWS,
    FollowError,
    follow_add,
    follow_remove,
)
from newsletter.services.subscribers import (
    EMAIL_LINK,
    ConfirmationError,
    subscriber_confirm,
    subscriber_for_token,
    subscriber_set_categories,
    subscriber_subscribe,
    subscriber_unsubscribe,
)


class SeeOther(HttpResponseRedirect):
    """After a form: the browser GETs the next page, and a refresh of it
    submits nothing again."""

    status_code = 303


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


#: How the check-inbox page names the page a reader came from.
BACK_LABELS = {
    "home": "the comparisons",
    "comparison-detail": "the comparison",
    "tool-detail": "the tool",
    "tool-list": "the tools",
    "reviewer-detail": "the persona",
    "reviewer-list": "the panel",
    "category-detail": "the category",
    "category-list": "the categories",
    "methodology": "the methodology",
    "search": "your search",
    "newsletter:issue-list": "past issues",
}


def _safe_next(request: HttpRequest, candidate: str) -> str:
    """A path on this site to send the reader back to, or ""."""
    candidate = (candidate or "").strip()
    if not candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=False
    ):
        return ""
    parts = urlsplit(candidate)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path == reverse("newsletter:subscribe"):
        return ""
    return path


def _back_label(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "the page you were reading"
    return BACK_LABELS.get(match.view_name, "the page you were reading")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The sign-up page; also receives the form from every comparison page.

    CSRF-exempt so the form works on cached pages: nothing happens without
    the emailed confirmation, bots trip the honeypot, and each client network
    has a rate limit. A sign-up answers with a redirect to the check-inbox
    page, which leads back to the page the reader came from.
    """
    if request.method == "GET":
        back = _safe_next(request, request.GET.get("next", ""))
        form = SubscribeForm(initial={"next": back} if back else None)
        return render(request, "newsletter/subscribe.html", {"form": form})

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
    # The page's own address when the form carries it; else where the
    # browser says the form was (same-origin referrers are sent in full).
    back = _safe_next(request, form.cleaned_data.get("next", "")) or _safe_next(
        request, request.headers.get("Referer", "")
    )
    url = reverse("newsletter:check-inbox")
    if back:
        url += "?" + urlencode({"next": back})
    return _private(SeeOther(url))


def check_inbox(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, request.GET.get("next", ""))
    return _private(
        render(
            request,
            "newsletter/check_inbox.html",
            {
                "confirm_days": settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS,
                "back_url": back or reverse("home"),
                "back_label": _back_label(back) if back else "the comparisons",
            },
        )
    )


def _refused(request: HttpRequest, error: ConfirmationError) -> HttpResponse:
    return _private(
        render(
            request,
            "newsletter/confirm_invalid.html",
            {"reason": str(error), "form": SubscribeForm()},
            status=400,
        )
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button, so link scanners confirm nothing."""
    try:
        if request.method == "POST":
            confirmation = subscriber_confirm(token=token)
            return _private(
                render(
                    request,
                    "newsletter/confirmed.html",
                    {
                        "subscriber": confirmation.subscriber,
                        "confirmed_now": confirmation.confirmed_now,
                    },
                )
            )
        subscriber = subscriber_for_token(token=token)
    except ConfirmationError as error:
        return _refused(request, error)
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
        subscriber_unsubscribe(subscriber=subscriber, source=EMAIL_LINK)
        return _private(
            render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
        )
    return _private(
        render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
    )


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """The reader's own choices, reached from the link in every email: the
    categories the weekly issue covers and the tools they follow. The link
    is the secret, so there is no login; the page is never cached."""
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return _private(
            render(request, "newsletter/preferences_unknown.html", status=404)
        )
    if not subscriber.is_mailable:
        return _private(
            render(
                request,
                "newsletter/preferences_inactive.html",
                {"subscriber": subscriber, "form": SubscribeForm()},
            )
        )
    here = reverse("newsletter:preferences", args=[subscriber.token])
    categories_form = CategoriesForm(
        initial={
            "coverage": CategoriesForm.EVERY
            if subscriber.all_categories
            else CategoriesForm.CHOSEN,
            "categories": list(subscriber.categories.all()),
        }
    )
    follow_form = FollowForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step == "categories":
            categories_form = CategoriesForm(request.POST)
            if categories_form.is_valid():
                subscriber_set_categories(
                    subscriber=subscriber,
                    all_categories=categories_form.all_categories,
                    categories=categories_form.cleaned_data["categories"],
                )
                messages.success(request, "Saved: your weekly issue's categories.")
                return _private(SeeOther(here + "#categories"))
        elif step == "follow":
            follow_form = FollowForm(request.POST)
            if follow_form.is_valid():
                tool = follow_form.cleaned_data["tool"]
                try:
                    added = follow_add(subscriber=subscriber, tool=tool)
                except FollowError as error:
                    follow_form.add_error("tool", str(error))
                else:
                    messages.success(
                        request,
                        f"You now follow {tool.name}."
                        if added
                        else f"You already follow {tool.name}.",
                    )
                    return _private(SeeOther(here + "#follows"))
        elif step == "unfollow":
            try:
                tool_id = int(request.POST.get("tool", ""))
            except ValueError:
                tool_id = 0
            tool = follow_remove(subscriber=subscriber, tool_id=tool_id)
            if tool is not None:
                messages.success(request, f"You no longer follow {tool.name}.")
            return _private(SeeOther(here + "#follows"))
        status = 400
    follows = subscriber.follows.select_related("tool").order_by("tool__name")
    return _private(
        render(
            request,
            "newsletter/preferences.html",
            {
                "subscriber": subscriber,
                "categories_form": categories_form,
                "follow_form": follow_form,
                "follows": follows,
                "max_follows": MAX_FOLLOWS,
                "alert_hours": settings.NEWSLETTER_ALERT_EVERY_HOURS,
            },
            status=status,
        )
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
