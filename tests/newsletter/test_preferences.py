"""The reader's preferences page, reached from the link in every email:
the categories the weekly issue covers and the tools they follow."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from newsletter.models import Follow, Subscriber, SubscriberEvent
from newsletter.services.follows import MAX_FOLLOWS
from tests.newsletter.factories import SubscriberFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> Subscriber:
    return SubscriberFactory(email="reader@example.com")


@pytest.fixture
def categories():
    return [
        CategoryFactory(name=name, slug=name.lower().replace(" ", "-"))
        for name in ("Coding agents", "GPU clouds", "Search")
    ]


def url(subscriber: Subscriber) -> str:
    return reverse("newsletter:preferences", args=[subscriber.token])


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_link_opens_the_readers_own_page_never_cached(client, reader, categories):
    assert url(reader) == f"/newsletter/preferences/{reader.token}/"
    response = client.get(url(reader))
    assert response.status_code == 200
    text = page_text(response)
    assert "Your newsletter preferences" in text
    assert "For <strong>reader@example.com</strong>" in text
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    for category in categories:
        assert f">{category.name}</label>" in text
    assert 'value="all" id="id_coverage_0" checked' in text
    assert "You follow no tool yet." in text
    assert f'action="/newsletter/unsubscribe/{reader.token}/"' in text


def test_choosing_categories_saves_them_and_comes_back_with_a_message(
    client, reader, categories
):
    coding, gpu, _ = categories
    response = client.post(
        url(reader),
        {"step": "categories", "coverage": "chosen", "categories": [coding.pk, gpu.pk]},
    )
    assert response.status_code == 303
    assert response["Location"] == url(reader) + "#categories"
    page = client.get(response["Location"])
    text = page_text(page)
    assert "Saved: your weekly issue&#x27;s categories." in text
    assert 'value="chosen" id="id_coverage_1" checked' in text
    assert f'value="{coding.pk}" id="id_categories_0" checked' in text
    reader.refresh_from_db()
    assert reader.all_categories is False
    assert set(reader.categories.all()) == {coding, gpu}
    event = SubscriberEvent.objects.get(kind="preferences")
    assert (event.source, event.detail) == (
        "email link",
        "Weekly issue: Coding agents, GPU clouds.",
    )

    client.post(url(reader), {"step": "categories", "coverage": "all"})
    reader.refresh_from_db()
    assert reader.all_categories is True
    assert not reader.categories.exists()


def test_only_chosen_categories_with_none_ticked_is_a_form_error(
    client, reader, categories
):
    response = client.post(url(reader), {"step": "categories", "coverage": "chosen"})
    assert response.status_code == 400
    assert "Tick at least one category, or choose “Every category”." in (
        response.content.decode()
    )
    reader.refresh_from_db()
    assert reader.all_categories is True


def test_following_a_tool_by_name_or_slug_in_any_case_and_stopping(client, reader):
    claw = ToolFactory(name="Claw Code", slug="claw-code")
    modal = ToolFactory(name="Modal GPU Serverless Inference", slug="modal-gpu")
    for typed in ("  claw   CODE ", "MODAL-GPU"):
        response = client.post(url(reader), {"step": "follow", "tool": typed})
        assert response.status_code == 303
        assert response["Location"] == url(reader) + "#follows"
    text = page_text(client.get(url(reader)))
    assert "You now follow Modal GPU Serverless Inference." in text
    assert '<a href="/tools/claw-code/">Claw Code</a>' in text
    assert 'Stop following<span class="visually-hidden"> Claw Code' in text
    assert set(reader.followed_tools.all()) == {claw, modal}

    again = client.post(
        url(reader), {"step": "follow", "tool": "Claw Code"}, follow=True
    )
    assert "You already follow Claw Code." in page_text(again)
    assert Follow.objects.count() == 2

    gone = client.post(url(reader), {"step": "unfollow", "tool": claw.pk}, follow=True)
    assert "You no longer follow Claw Code." in page_text(gone)
    assert list(reader.followed_tools.all()) == [modal]
    details = SubscriberEvent.objects.order_by("pk").values_list("detail", flat=True)
    assert list(details) == [
        "Follows Claw Code.",
        "Follows Modal GPU Serverless Inference.",
        "Stopped following Claw Code.",
    ]


def test_an_unknown_tool_name_is_a_clear_form_error(client, reader):
    ToolFactory(name="Claw Code", slug="claw-code")
    response = client.post(url(reader), {"step": "follow", "tool": "Clow Code"})
    assert response.status_code == 400
    text = page_text(response)
    assert "We have no tool called “Clow Code”. Check the spelling" in text
    assert 'value="Clow Code"' in text
    assert not Follow.objects.exists()


def test_a_reader_follows_at_most_fifty_tools(client, reader):
    tools = ToolFactory.create_batch(MAX_FOLLOWS + 1)
    Follow.objects.bulk_create(
        [Follow(subscriber=reader, tool=tool) for tool in tools[:MAX_FOLLOWS]]
    )
    response = client.post(url(reader), {"step": "follow", "tool": tools[-1].name})
    assert response.status_code == 400
    assert "You already follow 50 tools" in response.content.decode()
    assert Follow.objects.count() == MAX_FOLLOWS


def test_an_unknown_token_is_a_404_with_a_way_to_subscribe(client, reader):
    response = client.get(f"/newsletter/preferences/{uuid.uuid4()}/")
    assert response.status_code == 404
    text = page_text(response)
    assert "This preferences link is not on our list" in text
    assert 'href="/newsletter/">subscribe</a>' in text
    assert client.get("/newsletter/preferences/not-a-token/").status_code == 404


@pytest.mark.parametrize("status", ["unsubscribed", "pending", "suppressed"])
def test_a_reader_who_is_not_subscribed_sees_how_to_subscribe_again(client, status):
    subscriber = SubscriberFactory(email="gone@example.com", status=status)
    response = client.get(url(subscriber))
    text = page_text(response)
    assert "gone@example.com is not subscribed" in text
    assert 'action="/newsletter/"' in text and 'name="email"' in text
    assert "Save categories" not in text
    ToolFactory(name="Claw Code")
    client.post(url(subscriber), {"step": "follow", "tool": "Claw Code"})
    client.post(url(subscriber), {"step": "categories", "coverage": "all"})
    assert not Follow.objects.exists()
    assert not SubscriberEvent.objects.exists()


def test_the_unsubscribe_button_takes_the_reader_off_the_list(reader):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url(reader)).content.decode()
    assert ">Unsubscribe</button>" in page
    response = browser.post(f"/newsletter/unsubscribe/{reader.token}/")
    assert "You are unsubscribed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == "unsubscribed"
    assert "is not subscribed" in browser.get(url(reader)).content.decode()


def test_changes_need_the_pages_csrf_token(reader, categories):
    browser = Client(enforce_csrf_checks=True)
    refused = browser.post(url(reader), {"step": "categories", "coverage": "chosen"})
    assert refused.status_code == 403
    page = browser.get(url(reader))
    token = page.context["csrf_token"]
    saved = browser.post(
        url(reader),
        {
            "step": "categories",
            "coverage": "chosen",
            "categories": [categories[0].pk],
            "csrfmiddlewaretoken": str(token),
        },
    )
    assert saved.status_code == 303
    assert list(Subscriber.objects.get().categories.all()) == [categories[0]]
