"""List hygiene: links that only confirm pending addresses, coming back after
unsubscribing, the daily limit on confirmation emails, forgetting sign-ups
nobody confirmed, and the subscriber's history."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client

from newsletter.beat import forget_unconfirmed
from newsletter.models import Subscriber, SubscriberEvent
from newsletter.services.subscribers import subscriber_subscribe
from tests.newsletter.factories import SubscriberFactory
from tests.newsletter.test_subscribe import SUBSCRIBE, confirm_link

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
LEFT = "it left the list after this link was sent"


def kinds(subscriber: Subscriber) -> list[str]:
    return list(
        subscriber.events.order_by("created_at", "pk").values_list("kind", flat=True)
    )


def test_an_old_link_after_unsubscribing_is_refused_until_the_reader_signs_up_again(
    client, smtp_sink, committed
):
    """The link that confirmed once does not bring a reader who left back; a
    new sign-up sends a new link, and the old one still does not work."""
    with time_machine.travel(MONDAY, tick=False) as clock:
        committed(client.post, SUBSCRIBE, {"email": "ada@example.com"})
        old_link = confirm_link(smtp_sink.to("ada@example.com")[0])
        client.post(old_link)
        subscriber = Subscriber.objects.get()
        assert subscriber.status == "active"

        clock.shift(datetime.timedelta(hours=1))
        client.post(f"/newsletter/unsubscribe/{subscriber.token}/")
        assert Subscriber.objects.get().status == "unsubscribed"

        clock.shift(datetime.timedelta(hours=1))
        for method in (client.get, client.post):
            refused = method(old_link)
            assert refused.status_code == 400
            page = refused.content.decode()
            assert "This link cannot be used" in page
            assert LEFT in page
            assert "Subscribe again" in page and 'name="email"' in page
        assert Subscriber.objects.get().status == "unsubscribed"

        clock.shift(datetime.timedelta(hours=1))
        smtp_sink.clear()
        response = committed(client.post, SUBSCRIBE, {"email": "ada@example.com"})
        assert response.status_code == 303
        subscriber = Subscriber.objects.get()
        assert subscriber.status == "pending"
        assert subscriber.requested_at == MONDAY + datetime.timedelta(hours=3)
        [message] = smtp_sink.to("ada@example.com")
        new_link = confirm_link(message)
        assert new_link != old_link

        stale = client.post(old_link)
        assert stale.status_code == 400 and LEFT in stale.content.decode()
        assert Subscriber.objects.get().status == "pending"
        done = client.post(new_link)
        assert "will get the next Weekly AI Tool Verdicts" in done.content.decode()
        assert Subscriber.objects.get().status == "active"

    assert kinds(Subscriber.objects.get()) == [
        "signed_up",
        "confirmation_sent",
        "confirmed",
        "unsubscribed",
        "signed_up",
        "confirmation_sent",
        "confirmed",
    ]
    unsubscribed = SubscriberEvent.objects.get(kind="unsubscribed")
    assert (unsubscribed.source, unsubscribed.actor) == ("email link", None)


@pytest.mark.parametrize("status", ["bounced", "complained", "suppressed"])
def test_a_link_to_an_address_that_is_off_the_list_is_refused(
    client, smtp_sink, committed, status
):
    committed(client.post, SUBSCRIBE, {"email": "gone@example.com"})
    link = confirm_link(smtp_sink.to("gone@example.com")[0])
    Subscriber.objects.update(status=status)
    response = client.post(link)
    assert response.status_code == 400
    assert LEFT in response.content.decode()
    assert Subscriber.objects.get().status == status


@pytest.mark.parametrize("status", ["complained", "suppressed"])
def test_a_stopped_address_signing_up_gets_nothing_and_the_usual_page(
    client, smtp_sink, committed, status
):
    SubscriberFactory(email="stop@example.com", status=status)
    response = committed(client.post, SUBSCRIBE, {"email": "stop@example.com"})
    assert response.status_code == 303
    assert "Check your inbox" in client.get(response["Location"]).content.decode()
    assert smtp_sink.messages == []
    subscriber = Subscriber.objects.get()
    assert subscriber.status == status
    assert kinds(subscriber) == ["signed_up"]


def test_an_address_gets_three_confirmations_a_day_however_many_clients_ask(
    smtp_sink, committed
):
    """Five sign-ups from five networks: three emails, the same page each
    time, and the refusals in the history; a day later one more is sent."""
    with time_machine.travel(MONDAY, tick=True) as clock:
        answers = []
        for n in range(5):
            answers.append(
                committed(
                    Client().post,
                    SUBSCRIBE,
                    {"email": "target@example.com"},
                    REMOTE_ADDR=f"198.51.100.{n + 1}",
                )
            )
            clock.shift(datetime.timedelta(minutes=10))
        assert {(a.status_code, a["Location"]) for a in answers} == {
            (303, "/newsletter/check-inbox/")
        }
        assert len(smtp_sink.to("target@example.com")) == 3
        subscriber = Subscriber.objects.get()
        assert kinds(subscriber).count("confirmation_sent") == 3
        refused = subscriber.events.filter(kind="confirmation_limited")
        assert refused.count() == 2
        assert refused.first().detail == (
            "3 confirmation emails in the last 24 hours already."
        )

        clock.shift(datetime.timedelta(hours=24))
        committed(
            Client().post,
            SUBSCRIBE,
            {"email": "target@example.com"},
            REMOTE_ADDR="203.0.113.9",
        )
        assert len(smtp_sink.to("target@example.com")) == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_of_one_address_send_at_most_three_confirmations(
    smtp_sink,
):
    """Eight sign-ups at the same moment take turns on the subscriber's row,
    so the day's count cannot be overrun (PostgreSQL's row locks)."""
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite runs one writer at a time")
    SubscriberFactory(email="race@example.com", status="pending")
    start = threading.Barrier(8)
    errors = []

    def sign_up() -> None:
        try:
            start.wait()
            subscriber_subscribe(email="race@example.com")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subscriber = Subscriber.objects.get()
    assert kinds(subscriber).count("confirmation_sent") == 3
    assert kinds(subscriber).count("confirmation_limited") == 5
    assert len(smtp_sink.to("race@example.com")) == 3


def test_forget_unconfirmed_deletes_only_sign_ups_pending_for_too_long(settings):
    """Fourteen days after the last request, counted from the sign-up when
    no request time was kept."""
    now = MONDAY
    days = datetime.timedelta(days=1)
    rows = {
        "old-request@example.com": ("pending", now - 30 * days, now - 15 * days),
        "recent-request@example.com": ("pending", now - 30 * days, now - 13 * days),
        "old-no-request@example.com": ("pending", now - 15 * days, None),
        "new-no-request@example.com": ("pending", now - 2 * days, None),
        "active@example.com": ("active", now - 30 * days, now - 30 * days),
        "left@example.com": ("unsubscribed", now - 30 * days, now - 30 * days),
        "stopped@example.com": ("suppressed", now - 30 * days, None),
    }
    for email, (status, created, requested) in rows.items():
        subscriber = SubscriberFactory(
            email=email, status=status, requested_at=requested
        )
        Subscriber.objects.filter(pk=subscriber.pk).update(created_at=created)
    SubscriberEvent.objects.create(
        subscriber=Subscriber.objects.get(email="old-request@example.com"),
        kind="signed_up",
        source="form",
    )
    assert settings.NEWSLETTER_UNCONFIRMED_DAYS == 14
    with time_machine.travel(now, tick=False):
        deleted = forget_unconfirmed.delay().get()
    assert deleted == 2
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "recent-request@example.com",
        "new-no-request@example.com",
        "active@example.com",
        "left@example.com",
        "stopped@example.com",
    }
    assert not SubscriberEvent.objects.exists()
    with time_machine.travel(now, tick=False):
        assert forget_unconfirmed.delay().get() == 0


def test_unsubscribing_a_suppressed_address_keeps_it_suppressed(client):
    """Otherwise the one-click link would turn a stopped address into one
    that may sign up again."""
    subscriber = SubscriberFactory(status="suppressed")
    response = client.post(f"/newsletter/unsubscribe/{subscriber.token}/")
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "suppressed"
    assert not SubscriberEvent.objects.exists()
    page = client.get(f"/newsletter/unsubscribe/{subscriber.token}/")
    assert "is already off the list" in page.content.decode()
