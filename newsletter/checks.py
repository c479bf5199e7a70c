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


@register()
def provider_webhooks_are_secured(app_configs, **kwargs) -> list[Warning]:
    """A provider's tracking webhooks need their secrets to be of any use.

    Without ANYMAIL_WEBHOOK_SECRET the events are refused (400), so bounces,
    complaints and unsubscribes reported by the provider change nothing;
    without Mailgun's signing key its webhook cannot even start (500).
    """
    if settings.DEBUG or not settings.EMAIL_PROVIDER:
        return []
    from newsletter.webhooks import webhook_secret_is_set

    found = []
    if not webhook_secret_is_set():
        found.append(
            Warning(
                f"EMAIL_PROVIDER is {settings.EMAIL_PROVIDER} but "
                "ANYMAIL_WEBHOOK_SECRET is empty: the provider's tracking "
                "webhook events are refused, so bounces, complaints and "
                "unsubscribes it reports change no subscriber.",
                hint='Set ANYMAIL_WEBHOOK_SECRET to "user:password" and put the '
                "same pair in the webhook URL registered at the provider.",
                id="newsletter.W002",
            )
        )
    signing_key = settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY")
    if settings.EMAIL_PROVIDER == "mailgun" and not signing_key:
        found.append(
            Warning(
                "EMAIL_PROVIDER is mailgun but ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY "
                "is empty: Mailgun's tracking webhook cannot check signatures "
                "and answers every event with an error.",
                hint="Copy the HTTP webhook signing key from Mailgun's "
                "Webhooks page into ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY.",
                id="newsletter.W003",
            )
        )
    return found
