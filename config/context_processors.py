from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


@lru_cache(maxsize=1)
def _site_urls() -> dict[str, str]:
    """The addresses every page's head, menu and footer link to; they never
    change while the process runs, so they are reversed once."""
    names = {
        "home": "home",
        "categories": "category-list",
        "tools": "tool-list",
        "search": "search",
        "methodology": "methodology",
        "panel": "reviewer-list",
        "feed": "feed",
        "newsletter": "newsletter:subscribe",
        "figures": "community-figures",
        "mine": "community-mine",
    }
    return {key: reverse(name) for key, name in names.items()}


def site(request: HttpRequest) -> dict[str, object]:
    """Names and addresses every page needs for its head and footer."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "canonical_url": settings.SITE_URL + request.path,
        "site_urls": _site_urls(),
    }
