"""Who is voting, without accounts and without keeping addresses.

A reader is a random id in a signed, HttpOnly, SameSite=Lax first-party
cookie. The database only ever sees a keyed hash of that id, and the rate
limiter only ever sees a keyed hash of the client's network, so neither a
cookie id nor an IP address is stored anywhere.
"""

from __future__ import annotations

import ipaddress
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

READER_COOKIE = "verdicts_reader"
READER_COOKIE_SALT = "tools.readers.cookie"
READER_COOKIE_MAX_AGE = 2 * 365 * 24 * 60 * 60
_READER_HASH_SALT = "tools.readers.reader"
_NETWORK_HASH_SALT = "tools.readers.network"


@dataclass(frozen=True)
class Reader:
    """The reader behind a request: their cookie id and whether it is new."""

    cookie_id: str
    is_new: bool

    @property
    def key(self) -> str:
        """What a vote stores: a keyed hash, useless without SECRET_KEY."""
        return reader_key(self.cookie_id)


def reader_key(cookie_id: str) -> str:
    return salted_hmac(_READER_HASH_SALT, cookie_id, algorithm="sha256").hexdigest()


def reader_for(request: HttpRequest) -> Reader:
    """The reader named by the request's cookie, or a new one."""
    cookie_id = request.get_signed_cookie(
        READER_COOKIE, default=None, salt=READER_COOKIE_SALT
    )
    if cookie_id:
        return Reader(cookie_id=cookie_id, is_new=False)
    return Reader(cookie_id=secrets.token_urlsafe(24), is_new=True)


def remember_reader(response: HttpResponse, reader: Reader) -> None:
    if not reader.is_new:
        return
    response.set_signed_cookie(
        READER_COOKIE,
        reader.cookie_id,
        salt=READER_COOKIE_SALT,
        max_age=READER_COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only as far as proxies.

    With TRUSTED_PROXY_COUNT = n, each of our n proxies appended the address
    it received the request from, so the client is the n-th entry from the
    right; anything further left was written by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def client_network(address: str) -> str:
    """The unit the rate limit counts: an IPv4 address or an IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return f"unparsed:{address}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True)
class RateLimit:
    allowed: bool
    retry_after: int


def rate_limit(
    request: HttpRequest, *, scope: str, limit: int, window: int
) -> RateLimit:
    """Count one attempt against the client's network in the current window.

    A fixed window counted in the cache (Redis in production, so every web
    process shares it); the counter is incremented by the cache itself, and
    its key holds a hash of the network, never the address.
    """
    network = client_network(client_address(request))
    digest = salted_hmac(_NETWORK_HASH_SALT, network, algorithm="sha256").hexdigest()
    now = int(time.time())
    key = f"{scope}:rate:{digest}:{now // window}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window ran out between add() and incr(): start a new one.
        cache.set(key, 1, timeout=window)
        count = 1
    return RateLimit(allowed=count <= limit, retry_after=window - now % window)


def vote_rate_limit(request: HttpRequest) -> RateLimit:
    return rate_limit(
        request,
        scope="votes",
        limit=settings.VOTE_RATE_LIMIT,
        window=settings.VOTE_RATE_WINDOW,
    )
