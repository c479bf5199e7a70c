"""Whole reader pages, cached for anonymous readers and always fresh.

Every reader page is the same HTML for every anonymous reader, so it is
stored whole in the cache (Redis in production, shared by every web
process) and answered by `PageCacheMiddleware`, near the top of the stack,
without touching the database or running the rest of the middleware. Each
process also keeps a copy of what it served (`pages/mirror.py`), dropped
the moment the page or the generation changes anywhere.

Freshness is exact rather than timed: each stored page carries the
*generation* it was rendered in, a random token that `pages_invalidate`
replaces when a change readers could see is written, and again when it is
committed (see `pages/signals.py`). A page stored under an older generation
is never served again. Because the generation is read before the page is
rendered, a page rendered while a change commits is stored under the old
generation and so is never served either. The one change that needs no
write, a published comparison's publication or expiry time coming round,
bounds how long a page may be kept: never past the next such time.

Only views marked with `cached_page` are stored. A request with a session
(staff) or a pending message is never served from the cache, and nothing
personal is ever stored: only 200 and 301 responses to GET that set no
cookie and do not ask to stay private.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag

from comparisons.models import Comparison
from pages.mirror import mirror

GENERATION_KEY = "pages:generation"
#: Query parameters that change what any reader page shows (its page of a
#: list); a view names its own others (a search's ?q=) in `cached_page`.
#: Any other parameter is ignored by the views and so by the cache key.
PAGE_PARAMETERS = ("page", "p")
STORED_STATUSES = (200, 301)


@dataclass(frozen=True)
class StoredPage:
    """A response as the stack below the middleware made it, headers and all
    (never cookies: a response that sets one is not stored)."""

    generation: str
    valid_until: float
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def pages_invalidate() -> None:
    """Make every stored page stale: now, and again once the current
    transaction commits, so that a page rendered from the rows as they were
    before the commit, and stored meanwhile, is stale too."""
    _new_generation()
    transaction.on_commit(_new_generation)


@dataclass(frozen=True)
class Generation:
    token: str
    #: When readers next see a change that needs no write (a published
    #: comparison's publication or expiry time), as a timestamp, or None.
    transition: float | None

    @property
    def is_over(self) -> bool:
        return self.transition is not None and self.transition <= time.time()


def _new_generation() -> Generation:
    generation = Generation(token=uuid.uuid4().hex, transition=_next_transition())
    mirror.replace(GENERATION_KEY, generation, timeout=None)
    return generation


def _next_transition() -> float | None:
    now = timezone.now()
    upcoming = Comparison.objects.filter(
        Q(published_at__gt=now) | Q(expires_at__gt=now),
        status=Comparison.Status.PUBLISHED,
    ).aggregate(
        publication=Min("published_at", filter=Q(published_at__gt=now)),
        expiry=Min("expires_at", filter=Q(expires_at__gt=now)),
    )
    moments = [moment for moment in upcoming.values() if moment is not None]
    return min(moments).timestamp() if moments else None


def _page_key(request: HttpRequest, names: tuple[str, ...]) -> str:
    parameters = sorted(
        (name, value) for name, value in request.GET.items() if name in names
    )
    digest = hashlib.sha256(
        f"{request.get_host()}{request.path}?{urlencode(parameters)}".encode()
    ).hexdigest()
    return f"pages:page:{digest}"


def _is_anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _storable(response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code in STORED_STATUSES
        and not response.cookies
        and not getattr(response, "streaming", False)
        and "private" not in cache_control
        and "no-cache" not in cache_control
        and "no-store" not in cache_control
    )


def _public(response: HttpResponse) -> HttpResponse:
    """Headers for a browser and a CDN in front of the site."""
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PAGE_BROWSER_SECONDS,
        s_maxage=settings.PAGE_CDN_SECONDS,
        stale_while_revalidate=settings.PAGE_STALE_SECONDS,
    )
    return response


def _answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A 304 when the reader already holds this version."""
    etag = response.get("ETag")
    if etag and etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        if "Cache-Control" in response:
            not_modified["Cache-Control"] = response["Cache-Control"]
        return not_modified
    return response


def cached_page(
    view: Callable[..., HttpResponse] | None = None,
    *,
    parameters: tuple[str, ...] = (),
):
    """Mark a reader page whose anonymous GETs `PageCacheMiddleware` may
    store and serve; a response to anyone else is marked private.

    `parameters` are the query parameters, besides the page number, that
    change what the view shows: each of their values is stored apart.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if _is_anonymous(request):
                response.page_cache = True
            elif "Cache-Control" not in response:
                patch_cache_control(response, private=True)
            return response

        wrapped.page_cache = True
        wrapped.page_parameters = PAGE_PARAMETERS + tuple(parameters)
        return wrapped

    return decorate(view) if view is not None else decorate


def _reader_page_parameters(request: HttpRequest) -> tuple[str, ...] | None:
    """The parameters of the reader page at this address; None for any
    other address."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if not getattr(match.func, "page_cache", False):
        return None
    return match.func.page_parameters


class PageCacheMiddleware:
    """Answer an anonymous reader's GET of a stored page before the rest of
    the stack runs (placed after SecurityMiddleware and WhiteNoise), and
    store the pages that `cached_page` marked on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if (
            seconds <= 0
            or request.method not in ("GET", "HEAD")
            or not _is_anonymous(request)
        ):
            return self.get_response(request)
        parameters = _reader_page_parameters(request)
        if parameters is None:
            return self.get_response(request)
        key = _page_key(request, parameters)
        found = mirror.get_many([GENERATION_KEY, key])
        generation: Generation | None = found.get(GENERATION_KEY)
        if generation is None or generation.is_over:
            # First request, an evicted key, or a publication time reached:
            # a new generation, which no stored page has.
            generation = _new_generation()
        stored: StoredPage | None = found.get(key)
        now = time.time()
        if (
            stored is not None
            and stored.generation == generation.token
            and stored.valid_until > now
        ):
            return _answer(request, stored.response())

        response = self.get_response(request)
        if not getattr(response, "page_cache", False) or not _storable(response):
            return response
        _public(response)
        response["ETag"] = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        valid_until = now + seconds
        if generation.transition is not None:
            valid_until = min(valid_until, generation.transition)
        if request.method == "GET" and valid_until > now:
            page = StoredPage(
                generation=generation.token,
                valid_until=valid_until,
                status=response.status_code,
                content=response.content,
                headers=tuple(response.items()),
            )
            mirror.set(key, page, timeout=max(1, int(valid_until - now)))
        return _answer(request, response)
