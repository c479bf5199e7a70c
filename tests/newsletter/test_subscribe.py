import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from newsletter.models import Subscriber
from tests.newsletter.conftest import body_text
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

CHECK_INBOX = "Check your inbox"
SUBSCRIBE = "/newsletter/"


def confirm_link(message) -> str:
    match = re.search(
        r"https://verdicts\.example(/newsletter/confirm/[^/\s]+/)", body_text(message)
    )
    assert match, body_text(message)
    return match.group(1)


def test_comparison_page_ends_with_the_newsletter_form_and_no_reader_specific_token(
    client, comparison
):
    """The call to action works on a cached page: no CSRF token, no cookie."""
    response = client.get(comparison.get_absolute_url())
    html = response.content.decode()
    assert "Weekly AI Tool Verdicts: get the next comparison in your inbox" in html
    assert 'action="/newsletter/"' in html
    assert 'name="email"' in html and 'name="website"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_a_new_address_is_stored_normalised_and_gets_a_confirmation(
    smtp_sink, committed
):
    response = committed(
        Client(enforce_csrf_checks=True).post,
        SUBSCRIBE,
        {"email": "  Ada.Lovelace@Example.COM "},
    )
    assert response.status_code == 200
    assert CHECK_INBOX in response.content.decode()
    assert "The link works for 7 days." in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == (
        "Ada.Lovelace@example.com",
        "pending",
    )
    [message] = smtp_sink.to("Ada.Lovelace@example.com")
    assert message["Subject"] == "Confirm your subscription to Weekly AI Tool Verdicts"
    assert "/newsletter/confirm/" in body_text(message, "html")


def test_every_address_state_gets_the_same_answer_and_only_some_get_mail(
    client, smtp_sink, committed
):
    """No enumeration: active, pending and unsubscribed all see one page."""
    SubscriberFactory(email="active@example.com", status="active")
    SubscriberFactory(email="pending@example.com", status="pending")
    SubscriberFactory(email="left@example.com", status="unsubscribed")
    pages = {
        address: committed(client.post, SUBSCRIBE, {"email": address}).content.decode()
        for address in ("active@example.com", "pending@example.com", "left@example.com")
    }
    assert len(set(pages.values())) == 1
    assert CHECK_INBOX in pages["active@example.com"]
    assert smtp_sink.to("active@example.com") == []
    assert len(smtp_sink.to("pending@example.com")) == 1
    assert len(smtp_sink.to("left@example.com")) == 1
    assert Subscriber.objects.get(email="left@example.com").status == "unsubscribed"


def test_the_same_address_in_another_case_is_not_added_twice(client, smtp_sink):
    client.post(SUBSCRIBE, {"email": "Grace@example.com"})
    client.post(SUBSCRIBE, {"email": "GRACE@EXAMPLE.COM"})
    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        "Grace@example.com"
    ]


def test_an_invalid_address_gets_a_form_error_and_nothing_is_stored(client):
    response = client.post(SUBSCRIBE, {"email": "not-an-address"})
    assert response.status_code == 400
    assert (
        "Enter an email address such as name@example.com." in response.content.decode()
    )
    assert not Subscriber.objects.exists()


def test_the_honeypot_answers_like_a_success_but_stores_nothing(
    client, smtp_sink, committed
):
    response = committed(
        client.post,
        SUBSCRIBE,
        {"email": "bot@example.com", "website": "http://spam.example"},
    )
    assert CHECK_INBOX in response.content.decode()
    assert not Subscriber.objects.exists()
    assert smtp_sink.messages == []


def test_too_many_sign_ups_from_one_network_get_a_clear_429(client, settings):
    settings.NEWSLETTER_SUBSCRIBE_RATE = 2
    for n in range(2):
        response = client.post(
            SUBSCRIBE, {"email": f"r{n}@example.com"}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 200
    refused = client.post(
        SUBSCRIBE, {"email": "r7@example.com"}, REMOTE_ADDR="203.0.113.7"
    )
    assert refused.status_code == 429
    settings.NEWSLETTER_SUBSCRIBE_RATE = 1
    # Another host in the same IPv6 /64 shares the limit.
    response = client.post(
        SUBSCRIBE, {"email": "r8@example.com"}, REMOTE_ADDR="2001:db8:1:2::1"
    )
    assert response.status_code == 200
    response = client.post(
        SUBSCRIBE, {"email": "r9@example.com"}, REMOTE_ADDR="2001:db8:1:2::ffff"
    )
    assert response.status_code == 429
    assert "Too many sign-ups from your network" in response.content.decode()
    assert not Subscriber.objects.filter(email="r9@example.com").exists()
    other = client.post(
        SUBSCRIBE, {"email": "r10@example.com"}, REMOTE_ADDR="198.51.100.1"
    )
    assert other.status_code == 200


def test_the_link_shows_a_button_on_get_and_confirms_only_on_post(
    client, smtp_sink, committed
):
    committed(client.post, SUBSCRIBE, {"email": "lin@example.com"})
    link = confirm_link(smtp_sink.to("lin@example.com")[0])
    page = client.get(link)
    assert page.status_code == 200
    assert ">Confirm</button>" in page.content.decode()
    assert Subscriber.objects.get().status == "pending"
    done = Client(enforce_csrf_checks=False).post(link)
    assert "You are subscribed" in done.content.decode()
    assert Subscriber.objects.get().status == "active"


def test_an_unsubscribed_reader_comes_back_through_a_new_confirmation(
    client, smtp_sink, committed
):
    SubscriberFactory(email="back@example.com", status="unsubscribed")
    committed(client.post, SUBSCRIBE, {"email": "back@example.com"})
    client.post(confirm_link(smtp_sink.to("back@example.com")[0]))
    assert Subscriber.objects.get().status == "active"


def test_a_confirmation_link_expires_after_seven_days(client, smtp_sink, committed):
    with time_machine.travel("2026-11-02 09:00 +0000", tick=False):
        committed(client.post, SUBSCRIBE, {"email": "late@example.com"})
    link = confirm_link(smtp_sink.to("late@example.com")[0])
    with time_machine.travel("2026-11-09 10:00 +0000", tick=False):
        response = client.post(link)
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_a_tampered_link_is_refused_with_a_reason(client):
    response = client.get(reverse("newsletter:confirm", args=["nonsense:abc"]))
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.content.decode()


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(client, settings):
    settings.NEWSLETTER_SUBSCRIBE_RATE = 1
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    first = client.post(
        SUBSCRIBE,
        {"email": "a@example.com"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        **proxy,
    )
    other = client.post(
        SUBSCRIBE,
        {"email": "b@example.com"},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        **proxy,
    )
    again = client.post(
        SUBSCRIBE,
        {"email": "c@example.com"},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
        **proxy,
    )
    assert (first.status_code, other.status_code, again.status_code) == (
        200,
        200,
        429,
    )
