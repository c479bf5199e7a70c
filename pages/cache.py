"""Whole reader pages, cached for anonymous readers and always fresh.

Every reader page is the same HTML for every anonymous reader, so it is
stored whole in the cache (Redis in production, shared by every web
process) and served from there without touching the database.

Freshness is exact rather than timed: each stored page carries the
*generation* it was rendered in, a random token that `pages_invalidate`
replaces when a change readers could see is written, and again when it is
committed (see `pages/signals.py`). A page stored under an older generation is never
served again. Because the generation is read before the page is rendered,
a page rendered while a change commits is stored under the old generation
and so is never served either. The one change that needs no write, a
published comparison's publication or expiry time coming round, bounds how
long a page may be kept: never past the next such time.

A request with a session (staff) or a pending message is never served from
the cache, and nothing personal is ever stored: only 200 and 301 responses
that set no cookie and do not ask to stay private.
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
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import quote_etag

from comparisons.models import Comparison

GENERATION_KEY = "pages:generation"
#: Query parameters that change what a reader page shows; any other is
#: ignored by the views and so by the cache key.
PAGE_PARAMETERS = ("page", "p")
STORED_STATUSES = (200, 301)
KEPT_HEADERS = ("Content-Type", "Location", "X-Robots-Tag", "Content-Language")


@dataclass(frozen=True)
class StoredPage:
    generation: str
    valid_until: float
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        response["ETag"] = self.etag
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
    cache.set(GENERATION_KEY, generation, timeout=None)
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


def _page_key(request: HttpRequest) -> str:
    parameters = sorted(
        (name, value) for name, value in request.GET.items() if name in PAGE_PARAMETERS
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
        for name in ("Cache-Control",):
            if name in response:
                not_modified[name] = response[name]
        return not_modified
    return response


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous GET of this reader page from the cache."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = settings.PAGE_CACHE_SECONDS
        if seconds <= 0 or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if not _is_anonymous(request):
            response = view(request, *args, **kwargs)
            if "Cache-Control" not in response:
                patch_cache_control(response, private=True)
            return response
        key = _page_key(request)
        found = cache.get_many([GENERATION_KEY, key])
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
            return _answer(request, _public(stored.response()))

        response = view(request, *args, **kwargs)
        if not _storable(response):
            return response
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        valid_until = now + seconds
        if generation.transition is not None:
            valid_until = min(valid_until, generation.transition)
        etag = quote_etag(
            hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        )
        response["ETag"] = etag
        if valid_until > now:
            page = StoredPage(
                generation=generation.token,
                valid_until=valid_until,
                status=response.status_code,
                content=response.content,
                headers=tuple(
                    (name, response[name]) for name in KEPT_HEADERS if name in response
                ),
                etag=etag,
            )
            cache.set(key, page, timeout=max(1, int(valid_until - now)))
        return _answer(request, _public(response))

    return wrapped
