from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def site_url_is_https(app_configs, **kwargs) -> list[Warning]:
    """Mail clients only offer one-click unsubscribe for https links."""
    if urlsplit(settings.SITE_URL).scheme == "https":
        return []
    return [
        Warning(
            "SITE_URL is not an https URL, so the newsletter's List-Unsubscribe "
            "link is not https and mail clients will not offer one-click "
            "unsubscribe.",
            hint="Set SITE_URL to the site's public https address.",
            id="newsletter.W001",
        )
    ]
