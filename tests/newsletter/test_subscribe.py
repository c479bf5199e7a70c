import re
from urllib.parse import urlencode

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
        follow=True,
    )
    assert response.redirect_chain == [("/newsletter/check-inbox/", 303)]
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
    """No enumeration: every state sees one page; a suppressed or complained
    address gets nothing, one that left is pending again."""
    addresses = {
        "active@example.com": "active",
        "pending@example.com": "pending",
        "left@example.com": "unsubscribed",
        "stopped@example.com": "suppressed",
        "spam@example.com": "complained",
    }
    for address, status in addresses.items():
        SubscriberFactory(email=address, status=status)
    answers = {
        address: committed(client.post, SUBSCRIBE, {"email": address})
        for address in addresses
    }
    assert {(r.status_code, r["Location"]) for r in answers.values()} == {
        (303, "/newsletter/check-inbox/")
    }
    page = client.get("/newsletter/check-inbox/").content.decode()
    assert CHECK_INBOX in page
    mailed = {address for address in addresses if smtp_sink.to(address)}
    assert mailed == {"pending@example.com", "left@example.com"}
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {**addresses, "left@example.com": "pending"}


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
        follow=True,
    )
    assert response.redirect_chain == [("/newsletter/check-inbox/", 303)]
    assert CHECK_INBOX in response.content.decode()
    assert not Subscriber.objects.exists()
    assert smtp_sink.messages == []


def test_too_many_sign_ups_from_one_network_get_a_clear_429(client, settings):
    settings.NEWSLETTER_SUBSCRIBE_RATE = 2
    for n in range(2):
        response = client.post(
            SUBSCRIBE, {"email": f"r{n}@example.com"}, REMOTE_ADDR="203.0.113.7"
        )
        assert response.status_code == 303
    refused = client.post(
        SUBSCRIBE, {"email": "r7@example.com"}, REMOTE_ADDR="203.0.113.7"
    )
    assert refused.status_code == 429
    settings.NEWSLETTER_SUBSCRIBE_RATE = 1
    # Another host in the same IPv6 /64 shares the limit.
    response = client.post(
        SUBSCRIBE, {"email": "r8@example.com"}, REMOTE_ADDR="2001:db8:1:2::1"
    )
    assert response.status_code == 303
    response = client.post(
        SUBSCRIBE, {"email": "r9@example.com"}, REMOTE_ADDR="2001:db8:1:2::ffff"
    )
    assert response.status_code == 429
    assert "Too many sign-ups from your network" in response.content.decode()
    assert not Subscriber.objects.filter(email="r9@example.com").exists()
    other = client.post(
        SUBSCRIBE, {"email": "r10@example.com"}, REMOTE_ADDR="198.51.100.1"
    )
    assert other.status_code == 303


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
        303,
        303,
        429,
    )


def test_a_sign_up_from_a_comparison_page_leads_back_to_it(
    client, comparison, smtp_sink, committed
):
    """The cached page names itself beside the form; after the redirect the
    check-inbox page links back, and reloading it sends nothing again."""
    path = comparison.get_absolute_url()
    html = client.get(path).content.decode()
    assert 'id="newsletter-signup"' in html
    assert (
        f'<input type="hidden" name="next" value="{path}" form="newsletter-signup">'
        in html
    )
    response = committed(
        client.post, SUBSCRIBE, {"email": "reader@example.com", "next": path}
    )
    assert response.status_code == 303
    assert response["Location"] == "/newsletter/check-inbox/?" + urlencode(
        {"next": path}
    )
    assert "no-cache" in response["Cache-Control"]
    for _ in range(2):  # the reader refreshes the page
        page = client.get(response["Location"])
    html = page.content.decode()
    assert CHECK_INBOX in html
    assert (
        f'<a class="btn btn-outline-primary" href="{path}">Back to the comparison</a>'
        in html
    )
    assert "private" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]
    assert len(smtp_sink.to("reader@example.com")) == 1


def test_another_site_as_next_is_ignored_and_the_referrer_is_used_instead(
    client, comparison
):
    response = client.post(
        SUBSCRIBE,
        {"email": "reader@example.com", "next": "https://evil.example/phish"},
        HTTP_REFERER=f"http://testserver{comparison.get_absolute_url()}",
    )
    assert response["Location"] == "/newsletter/check-inbox/?" + urlencode(
        {"next": comparison.get_absolute_url()}
    )
    response = client.post(
        SUBSCRIBE, {"email": "other@example.com", "next": "//evil.example/"}
    )
    assert response["Location"] == "/newsletter/check-inbox/"
    page = client.get("/newsletter/check-inbox/?next=https://evil.example/")
    html = page.content.decode()
    assert "evil.example" not in html
    assert (
        '<a class="btn btn-outline-primary" href="/">Back to the comparisons</a>'
        in html
    )


def test_the_sign_up_page_keeps_next_through_a_typing_error(client):
    page = client.get(SUBSCRIBE + "?next=/tools/").content.decode()
    assert 'name="next" value="/tools/"' in page
    response = client.post(SUBSCRIBE, {"email": "nope", "next": "/tools/"})
    assert response.status_code == 400
    assert 'name="next" value="/tools/"' in response.content.decode()
    fixed = client.post(SUBSCRIBE, {"email": "yes@example.com", "next": "/tools/"})
    assert fixed["Location"] == "/newsletter/check-inbox/?next=%2Ftools%2F"
    back = client.get(fixed["Location"]).content.decode()
    assert 'href="/tools/">Back to the tools</a>' in back


def test_the_confirmation_email_says_how_to_leave(client, smtp_sink, committed):
    committed(client.post, SUBSCRIBE, {"email": "new@example.com"})
    [message] = smtp_sink.to("new@example.com")
    for kind in ("plain", "html"):
        text = " ".join(body_text(message, kind).split())
        assert "every email we send has an unsubscribe link at the bottom" in text
        assert "one click on it takes you off the list. No login" in text


def test_a_confirmed_reader_confirming_again_is_told_so(client, smtp_sink, committed):
    committed(client.post, SUBSCRIBE, {"email": "twice@example.com"})
    link = confirm_link(smtp_sink.to("twice@example.com")[0])
    first = client.post(link).content.decode()
    assert "will get the next Weekly AI Tool Verdicts" in first
    again = client.post(link)
    assert again.status_code == 200
    assert "Already confirmed: twice@example.com gets" in again.content.decode()
    page = client.get(link).content.decode()
    assert "Already confirmed" in page and ">Confirm</button>" not in page
    events = Subscriber.objects.get().events.values_list("kind", flat=True)
    assert sorted(events) == ["confirmation_sent", "confirmed", "signed_up"]
