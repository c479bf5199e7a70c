"""A fixed-window counter per client network, kept in the cache (Redis)."""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the address the trusted proxies in front reported.

    With NEWSLETTER_TRUSTED_PROXIES = n, the n-th address from the right of
    X-Forwarded-For is the client: the ones after it were added by our own
    proxies, the ones before it by the client and cannot be trusted.
    """
    proxies = settings.NEWSLETTER_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_network(request: HttpRequest) -> str:
    """The client's /24 (IPv4) or /64 (IPv6): one household or office."""
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def hit(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt; False once the limit for the window is passed."""
    cache_key = f"ratelimit:{scope}:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit
