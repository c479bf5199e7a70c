"""Postmark's and Mailgun's tracking webhooks, posted over HTTP to a running
server with real basic auth and, for Mailgun, a real HMAC signature.

The payloads follow the providers' documented webhook examples.
"""

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from newsletter.checks import provider_webhooks_are_secured
from newsletter.models import Delivery, Issue, Subscriber, SubscriberEvent
from tests.newsletter.factories import IssueFactory, SubscriberFactory

SECRET = "provider:correct-horse-battery"
SIGNING_KEY = "mailgun-signing-key-for-tests"
POSTMARK = "/newsletter/webhooks/postmark/tracking/"
MAILGUN = "/newsletter/webhooks/mailgun/tracking/"

Kind = SubscriberEvent.Kind


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    """Both webhooks configured; anymail reads these on every request."""
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }
    settings.NEWSLETTER_BOUNCE_LIMIT = 2


@pytest.fixture
def reader(transactional_db) -> Subscriber:
    return SubscriberFactory(email="Reader@example.com")


@pytest.fixture
def deliveries(reader):
    """Two pending emails for the reader, and one already sent."""
    pending = [
        Delivery.objects.create(
            issue=IssueFactory(status=Issue.Status.SENDING), subscriber=reader
        )
        for _ in range(2)
    ]
    sent = Delivery.objects.create(
        issue=IssueFactory(status=Issue.Status.SENT),
        subscriber=reader,
        status=Delivery.Status.SENT,
        sent_at="2026-03-02T09:00:00Z",
    )
    return {"pending": pending, "sent": sent}


def post(live_server, path: str, payload: dict, *, auth: str | None = SECRET) -> int:
    """POST JSON as the provider does, with basic auth sent up front."""
    request = urllib.request.Request(
        live_server.url + path,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    if auth is not None:
        token = base64.b64encode(auth.encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def postmark_bounce(
    email: str,
    *,
    bounce_type: str = "HardBounce",
    bounce_id: int = 4323372036854775807,
    message_id: str = "883953f4-6105-42a2-a16a-77a8eac79483",
) -> dict:
    descriptions = {
        "HardBounce": "The server was unable to deliver your message (ex: unknown "
        "user, mailbox not found).",
        "SoftBounce": "Unable to temporarily deliver this message.",
    }
    return {
        "RecordType": "Bounce",
        "MessageStream": "broadcast",
        "ID": bounce_id,
        "Type": bounce_type,
        "TypeCode": {"HardBounce": 1, "SoftBounce": 4096}[bounce_type],
        "Name": "Hard bounce" if bounce_type == "HardBounce" else "Soft bounce",
        "Tag": "weekly",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": descriptions[bounce_type],
        "Details": "smtp;550 5.1.1 The email account that you tried to reach "
        "does not exist.",
        "Email": email,
        "From": "verdicts@example.com",
        "BouncedAt": "2026-03-02T09:01:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": bounce_type == "HardBounce",
        "CanActivate": True,
        "Subject": "Weekly AI Tool Verdicts",
        "Content": "<Full dump of bounce>",
    }


def postmark_complaint(email: str) -> dict:
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "broadcast",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "weekly",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {},
        "ServerID": 1234,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "verdicts@example.com",
        "BouncedAt": "2026-03-02T09:05:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "Weekly AI Tool Verdicts",
        "Content": "<Abuse report dump>",
    }


def postmark_subscription_change(email: str, *, suppress: bool = True) -> dict:
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "MessageStream": "broadcast",
        "ChangedAt": "2026-03-02T10:53:34.416071Z",
        "Recipient": email,
        "Origin": "Recipient",
        "SuppressSending": suppress,
        "SuppressionReason": "ManualSuppression" if suppress else None,
        "Tag": "weekly",
        "Metadata": {},
    }


def mailgun_signed(event_data: dict, *, key: str = SIGNING_KEY) -> dict:
    """Mailgun's JSON webhook: the event and a fresh HMAC signature block."""
    timestamp = str(int(time.time()))
    token = secrets.token_hex(25)
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }


def mailgun_event(
    event: str,
    email: str,
    *,
    event_id: str = "G9Bn5sl1TC6nu79C8C0bwg",
    message_id: str = "20260302090000.1.ABCDEF@mg.verdicts.example",
    **extra,
) -> dict:
    return {
        "event": event,
        "id": event_id,
        "timestamp": 1772442000.375624,
        "log-level": "error" if event == "failed" else "info",
        "recipient": email,
        "recipient-domain": email.split("@")[1],
        "message": {
            "headers": {
                "to": email,
                "message-id": message_id,
                "from": "Verdicts <verdicts@mg.verdicts.example>",
                "subject": "Weekly AI Tool Verdicts",
            },
            "attachments": [],
            "size": 111,
        },
        "tags": ["weekly"],
        "user-variables": {},
        "campaigns": [],
        **extra,
    }


def mailgun_failed(email: str, *, severity: str, **kwargs) -> dict:
    if severity == "permanent":
        status = {
            "attempt-no": 1,
            "code": 550,
            "message": "5.1.1 The email account that you tried to reach does not "
            "exist.",
            "description": "",
            "session-seconds": 0.4,
        }
        reason = "bounce"
    else:
        status = {
            "attempt-no": 1,
            "code": 452,
            "message": "4.2.2 The email account that you tried to reach is over quota.",
            "description": "",
            "retry-seconds": 600,
            "session-seconds": 0.2,
        }
        reason = "generic"
    return mailgun_event(
        "failed",
        email,
        severity=severity,
        reason=reason,
        **{"delivery-status": status},
        **kwargs,
    )


def history(subscriber: Subscriber) -> list[tuple[str, str]]:
    return list(
        SubscriberEvent.objects.filter(subscriber=subscriber)
        .order_by("pk")
        .values_list("kind", "source")
    )


def statuses(rows) -> list[tuple[str, str]]:
    return [
        Delivery.objects.values_list("status", "last_error").get(pk=row.pk)
        for row in rows
    ]


# Postmark


def test_postmark_hard_bounce_marks_bounced_and_cancels_pending(
    live_server, reader, deliveries
):
    """A Postmark HardBounce bounces the address and stops its unsent emails."""
    assert post(live_server, POSTMARK, postmark_bounce("reader@example.com")) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    assert statuses(deliveries["pending"]) == [("cancelled", "Bounced")] * 2
    assert statuses([deliveries["sent"]]) == [("sent", "")]
    event = SubscriberEvent.objects.get(subscriber=reader)
    assert (event.kind, event.source, event.event_id) == (
        Kind.BOUNCED,
        "postmark",
        "4323372036854775807",
    )
    assert "mailbox not found" in event.detail
    assert "550 5.1.1" in event.detail


def test_postmark_soft_bounces_count_up_to_the_limit(live_server, reader, deliveries):
    """Each SoftBounce counts once; at NEWSLETTER_BOUNCE_LIMIT the address
    bounces and its unsent emails stop."""
    first = postmark_bounce(
        reader.email, bounce_type="SoftBounce", bounce_id=1, message_id="m-1"
    )
    assert post(live_server, POSTMARK, first) == 200
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == (Subscriber.Status.ACTIVE, 1)
    assert statuses(deliveries["pending"]) == [("pending", "")] * 2

    second = postmark_bounce(
        reader.email, bounce_type="SoftBounce", bounce_id=2, message_id="m-2"
    )
    assert post(live_server, POSTMARK, second) == 200
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == (Subscriber.Status.BOUNCED, 2)
    assert statuses(deliveries["pending"]) == [("cancelled", "Bounced")] * 2
    assert history(reader) == [(Kind.SOFT_BOUNCE, "postmark")] * 2


def test_postmark_spam_complaint_stops_all_mail(live_server, reader, deliveries):
    """A SpamComplaint marks the reader complained and cancels every pending
    email."""
    assert post(live_server, POSTMARK, postmark_complaint(reader.email)) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED
    assert not reader.is_mailable
    assert statuses(deliveries["pending"]) == [("cancelled", "Complaint")] * 2
    assert statuses([deliveries["sent"]]) == [("sent", "")]
    assert history(reader) == [(Kind.COMPLAINED, "postmark")]


def test_postmark_subscription_change_unsubscribes(live_server, reader, deliveries):
    """A SubscriptionChange that suppresses sending unsubscribes the reader;
    posted twice, it is recorded once under an id derived from the payload."""
    payload = postmark_subscription_change(reader.email)
    assert post(live_server, POSTMARK, payload) == 200
    assert post(live_server, POSTMARK, payload) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None
    assert statuses(deliveries["pending"]) == [("cancelled", "Unsubscribed")] * 2
    event = SubscriberEvent.objects.get(subscriber=reader)
    assert event.kind == Kind.UNSUBSCRIBED
    assert event.event_id.startswith("digest:")


def test_postmark_resubscription_and_deliveries_are_ignored(live_server, reader):
    """Events that do not take anyone off the list change nothing."""
    resubscribed = postmark_subscription_change(reader.email, suppress=False)
    delivered = {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "broadcast",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": reader.email,
        "Tag": "weekly",
        "DeliveredAt": "2026-03-02T09:01:00Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }
    assert post(live_server, POSTMARK, resubscribed) == 200
    assert post(live_server, POSTMARK, delivered) == 200

    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == (Subscriber.Status.ACTIVE, 0)
    assert not SubscriberEvent.objects.exists()


def test_same_postmark_soft_bounce_twice_counts_once(live_server, reader):
    """A webhook delivered twice is acted on once."""
    payload = postmark_bounce(reader.email, bounce_type="SoftBounce", bounce_id=7)
    assert post(live_server, POSTMARK, payload) == 200
    assert post(live_server, POSTMARK, payload) == 200

    reader.refresh_from_db()
    assert reader.bounce_count == 1
    assert history(reader) == [(Kind.SOFT_BOUNCE, "postmark")]


def test_unknown_address_is_ignored(live_server, reader):
    """An event for an address not on the list answers 200 and writes
    nothing."""
    assert post(live_server, POSTMARK, postmark_bounce("stranger@example.com")) == 200
    unknown = mailgun_signed(mailgun_event("complained", "stranger@example.com"))
    assert post(live_server, MAILGUN, unknown) == 200

    assert not SubscriberEvent.objects.exists()
    assert list(Subscriber.objects.values_list("email", "status")) == [
        ("Reader@example.com", Subscriber.Status.ACTIVE)
    ]


@pytest.mark.parametrize("auth", [None, "provider:wrong-password"])
def test_postmark_refuses_wrong_basic_auth(live_server, reader, deliveries, auth):
    """Without the right user:password the event is refused and changes
    nothing."""
    payload = postmark_complaint(reader.email)
    assert post(live_server, POSTMARK, payload, auth=auth) == 400

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE
    assert statuses(deliveries["pending"]) == [("pending", "")] * 2
    assert not SubscriberEvent.objects.exists()


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailInsecureWebhookWarning")
def test_unconfigured_webhook_refuses_events(live_server, settings, reader):
    """With no WEBHOOK_SECRET, anymail would take anyone's events: they are
    refused with a 400 instead, and change nothing."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": None}

    assert post(live_server, POSTMARK, postmark_complaint(reader.email)) == 400
    assert (
        post(live_server, POSTMARK, postmark_complaint(reader.email), auth=None) == 400
    )

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE
    assert not SubscriberEvent.objects.exists()


# Mailgun


def test_mailgun_permanent_failure_marks_bounced(live_server, reader, deliveries):
    """A permanent "failed" event bounces the address."""
    payload = mailgun_signed(mailgun_failed(reader.email, severity="permanent"))
    assert post(live_server, MAILGUN, payload) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.BOUNCED
    assert statuses(deliveries["pending"]) == [("cancelled", "Bounced")] * 2
    event = SubscriberEvent.objects.get(subscriber=reader)
    assert (event.kind, event.source) == (Kind.BOUNCED, "mailgun")
    assert event.event_id == "G9Bn5sl1TC6nu79C8C0bwg:1772442000.375624"
    assert "does not exist" in event.detail


def test_mailgun_temporary_failures_count_once_per_email(
    live_server, reader, deliveries
):
    """Temporary failures count as soft bounces, once for each email however
    often Mailgun retries it; at the limit the address bounces."""
    for attempt in ("a1", "a2"):
        retry = mailgun_failed(
            reader.email, severity="temporary", event_id=f"retry-{attempt}"
        )
        assert post(live_server, MAILGUN, mailgun_signed(retry)) == 200
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == (Subscriber.Status.ACTIVE, 1)
    assert statuses(deliveries["pending"]) == [("pending", "")] * 2

    other_email = mailgun_failed(
        reader.email, severity="temporary", event_id="next", message_id="m2@mg"
    )
    assert post(live_server, MAILGUN, mailgun_signed(other_email)) == 200
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == (Subscriber.Status.BOUNCED, 2)
    assert statuses(deliveries["pending"]) == [("cancelled", "Bounced")] * 2
    assert history(reader) == [(Kind.SOFT_BOUNCE, "mailgun")] * 2


def test_mailgun_complaint_stops_all_mail(live_server, reader, deliveries):
    """A "complained" event marks the reader complained and cancels every
    pending email."""
    payload = mailgun_signed(mailgun_event("complained", reader.email))
    assert post(live_server, MAILGUN, payload) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED
    assert statuses(deliveries["pending"]) == [("cancelled", "Complaint")] * 2
    assert history(reader) == [(Kind.COMPLAINED, "mailgun")]


def test_mailgun_unsubscribe(live_server, reader, deliveries):
    """An "unsubscribed" event takes the reader off the list."""
    payload = mailgun_signed(
        mailgun_event(
            "unsubscribed",
            reader.email,
            ip="50.56.129.169",
            **{"client-info": {"client-type": "browser", "user-agent": "Mozilla"}},
        )
    )
    assert post(live_server, MAILGUN, payload) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.UNSUBSCRIBED
    assert reader.unsubscribed_at is not None
    assert statuses(deliveries["pending"]) == [("cancelled", "Unsubscribed")] * 2
    assert history(reader) == [(Kind.UNSUBSCRIBED, "mailgun")]


def test_unsubscribe_does_not_undo_a_complaint(live_server, reader):
    """A reader who complained stays complained when an unsubscribe follows."""
    complaint = mailgun_event("complained", reader.email, event_id="c")
    unsubscribe = mailgun_event("unsubscribed", reader.email, event_id="u")
    assert post(live_server, MAILGUN, mailgun_signed(complaint)) == 200
    assert post(live_server, MAILGUN, mailgun_signed(unsubscribe)) == 200

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED
    assert history(reader) == [
        (Kind.COMPLAINED, "mailgun"),
        (Kind.UNSUBSCRIBED, "mailgun"),
    ]


def test_same_mailgun_event_redelivered_counts_once(live_server, reader):
    """Mailgun signs each delivery of a webhook afresh; the event is still
    recorded once."""
    failure = mailgun_failed(reader.email, severity="permanent")
    assert post(live_server, MAILGUN, mailgun_signed(failure)) == 200
    assert post(live_server, MAILGUN, mailgun_signed(failure)) == 200

    assert history(reader) == [(Kind.BOUNCED, "mailgun")]


@pytest.mark.parametrize(
    ("key", "auth"),
    [
        ("not-the-signing-key", SECRET),
        (SIGNING_KEY, "provider:wrong-password"),
        (SIGNING_KEY, None),
    ],
)
def test_mailgun_refuses_bad_signature_or_auth(
    live_server, reader, deliveries, key, auth
):
    """A wrong signature or missing basic auth is refused and changes
    nothing."""
    payload = mailgun_signed(mailgun_event("complained", reader.email), key=key)
    assert post(live_server, MAILGUN, payload, auth=auth) == 400

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE
    assert statuses(deliveries["pending"]) == [("pending", "")] * 2
    assert not SubscriberEvent.objects.exists()


def test_simultaneous_copies_count_once(live_server, reader):
    """Copies of one webhook arriving at the same moment are acted on once."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writes need PostgreSQL (SQLite serialises them)")
    payload = postmark_bounce(reader.email, bounce_type="SoftBounce", bounce_id=99)
    start = threading.Barrier(4)
    answers = []

    def deliver():
        start.wait()
        answers.append(post(live_server, POSTMARK, payload))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 4
    reader.refresh_from_db()
    assert reader.bounce_count == 1
    assert history(reader) == [(Kind.SOFT_BOUNCE, "postmark")]


# System check


def test_check_warns_about_a_provider_without_webhook_secret(settings):
    """In production, a provider without WEBHOOK_SECRET is reported."""
    settings.DEBUG = False
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": None}
    assert [w.id for w in provider_webhooks_are_secured(None)] == ["newsletter.W002"]

    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    assert provider_webhooks_are_secured(None) == []


def test_check_warns_about_mailgun_without_signing_key(settings):
    settings.DEBUG = False
    settings.EMAIL_PROVIDER = "mailgun"
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": None}
    assert [w.id for w in provider_webhooks_are_secured(None)] == ["newsletter.W003"]


def test_check_is_quiet_for_smtp_and_in_debug(settings):
    """SMTP needs no webhook, and local development no secrets."""
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": None}
    settings.DEBUG = False
    settings.EMAIL_PROVIDER = ""
    assert provider_webhooks_are_secured(None) == []
    settings.DEBUG = True
    settings.EMAIL_PROVIDER = "postmark"
    assert provider_webhooks_are_secured(None) == []


def test_mailgun_webhook_without_a_signing_key_answers_400_not_500(
    live_server, settings, reader
):
    """A site that set up Postmark but not Mailgun: Mailgun's address says it
    is not configured, and Postmark's still works."""
    settings.ANYMAIL = {
        name: value
        for name, value in settings.ANYMAIL.items()
        if name not in ("MAILGUN_WEBHOOK_SIGNING_KEY", "MAILGUN_API_KEY")
    }
    payload = mailgun_failed(reader.email, severity="permanent")
    assert post(live_server, MAILGUN, payload) == 400
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.ACTIVE

    assert post(live_server, POSTMARK, postmark_complaint(reader.email)) == 200
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.COMPLAINED
