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

from newsletter.services.provider_events import (
    provider_event_apply,
    provider_event_read,
)

logger = logging.getLogger(__name__)


def webhook_secret_is_set() -> bool:
    """Whether the webhooks ask for basic auth (ANYMAIL's WEBHOOK_SECRET)."""
    return bool(get_anymail_setting("webhook_secret", default=None))


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
