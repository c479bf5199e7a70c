"""Who is asking, as far as a rate limit needs to know, without keeping it.

The client's address is read trusting `X-Forwarded-For` only as far as our
own proxies; the limiter counts per network (an IPv4 address or an IPv6 /64)
in the cache (Redis in production, shared by every web process), under a
keyed hash of the network, so no address is ever stored.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

# The salt keeps the hashes (and so the counters) of before the move.
_NETWORK_HASH_SALT = "tools.readers.network"


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
    return RateLimit(
        allowed=_count(key, window) <= limit, retry_after=window - now % window
    )


def _count(key: str, window: int) -> int:
    """Add one to the window's counter and return it.

    On Redis it is one round trip: SET NX starts the window with its expiry,
    INCR counts, in one MULTI. Other caches use add() and incr().
    """
    backend = caches["default"]  # `cache` is a proxy to it
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        client = backend._cache.get_client(full_key, write=True)
        pipeline = client.pipeline(transaction=True)
        pipeline.set(full_key, 0, ex=window, nx=True)
        pipeline.incr(full_key)
        return pipeline.execute()[1]
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:
        # The window ran out between add() and incr(): start a new one.
        cache.set(key, 1, timeout=window)
        return 1
