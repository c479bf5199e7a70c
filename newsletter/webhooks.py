"""What the email providers' tracking webhooks change.

django-anymail serves the webhook URLs (newsletter/urls.py), checks their
basic auth and Mailgun's signature, and sends each event as its `tracking`
signal; the receiver below hands the events that concern the list to
`newsletter.services.provider_events`.
"""

from __future__ import annotations

import logging
from typing import Any

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent
from anymail.utils import get_anymail_setting
from anymail.webhooks.base import AnymailBaseWebhookView
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from newsletter.services.provider_events import (
    provider_event_apply,
    provider_event_read,
)

logger = logging.getLogger(__name__)


def webhook_secret_is_set() -> bool:
    """Whether the webhooks ask for basic auth (ANYMAIL's WEBHOOK_SECRET)."""
    return bool(get_anymail_setting("webhook_secret", default=None))


def provider_webhook(
    view_class: type[AnymailBaseWebhookView], *, needs: tuple[str, ...] = ()
):
    """A provider's anymail tracking view that answers a clear 400 while the
    site lacks the settings it needs (the basic-auth secret, and `needs`:
    anymail setting names for that provider, any one of which will do),
    instead of failing to start the view."""
    anymail_view = view_class.as_view()
    esp_name = view_class.esp_name

    @csrf_exempt
    def webhook(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        keys_set = not needs or any(
            get_anymail_setting(name, esp_name=esp_name, default=None) for name in needs
        )
        if not (webhook_secret_is_set() and keys_set):
            return JsonResponse(
                {
                    "error": f"The {esp_name} webhook is not configured on this "
                    "site; nothing was recorded."
                },
                status=400,
            )
        return anymail_view(request, *args, **kwargs)

    return webhook


def tracking_received(
    sender: type, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    """Act on one provider event (connected in NewsletterConfig.ready).

    Without a WEBHOOK_SECRET anymail lets anyone post events, so they are
    refused here with a 400 (the provider retries later) rather than
    letting a stranger bounce or unsubscribe readers.
    """
    if not webhook_secret_is_set():
        raise AnymailWebhookValidationFailure(
            f"The {esp_name} webhook is not configured: set ANYMAIL_WEBHOOK_SECRET."
        )
    provider_event = provider_event_read(event=event, esp_name=esp_name)
    if provider_event is None:
        return
    if provider_event_apply(event=provider_event):
        logger.info(
            "%s event %s recorded: %s",
            esp_name,
            provider_event.event_id,
            provider_event.kind,
        )
