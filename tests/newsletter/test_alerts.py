"""Alerts about followed tools: one short email per subscriber and period,
listing every verdict change and new comparison, sent by beat."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.alerts import alerts_send
from newsletter.beat import send_follow_alerts
from newsletter.models import Follow, Subscriber, SubscriberEvent
from reviewers.models import Review
from tests.comparisons.factories import ComparisonFactory
from tests.newsletter.conftest import body_text
from tests.newsletter.factories import SubscriberFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def follow(subscriber: Subscriber, *tools) -> None:
    for tool in tools:
        Follow.objects.create(subscriber=subscriber, tool=tool)


def change_verdict(tool, persona_index: int, panel) -> Review:
    review = Review.objects.get(tool=tool, reviewer=panel["personas"][persona_index])
    review.verdict = "skip" if review.verdict == "ship" else "ship"
    review.save()
    return review


def tick() -> int:
    """What beat runs every NEWSLETTER_ALERT_POLL_SECONDS."""
    return send_follow_alerts.delay().get()


def text_of(message) -> str:
    return " ".join(body_text(message).split())


def test_one_alert_lists_a_verdict_change_and_a_new_comparison(panel, smtp_sink):
    claw, modal = panel["left"], panel["right"]
    persona = panel["personas"][0]
    other = ToolFactory(name="Zed Agents", slug="zed-agents")
    with time_machine.travel(MONDAY, tick=False) as clock:
        reader = SubscriberFactory(email="reader@example.com")
        follow(reader, claw)
        clock.shift(HOUR)
        change_verdict(claw, 0, panel)  # ship -> skip
        ComparisonFactory(left=other, right=claw)
        change_verdict(modal, 0, panel)  # not followed
        clock.shift(HOUR)
        assert tick() == 1

    [message] = smtp_sink.to("reader@example.com")
    assert message["Subject"] == "2 updates on tools you follow: Claw Code"
    text = text_of(message)
    assert (
        f"{persona.name} changed their verdict on Claw Code from Ship to Skip." in text
    )
    assert "https://verdicts.example/tools/claw-code/" in text
    assert "New comparison: Zed Agents vs Claw Code." in text
    assert "https://verdicts.example/compare/zed-agents-vs-claw-code/" in text
    assert "Modal" not in text
    unsubscribe = f"https://verdicts.example/newsletter/unsubscribe/{reader.token}/"
    preferences = f"https://verdicts.example/newsletter/preferences/{reader.token}/"
    # (A long header is folded onto a second line.)
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe: {unsubscribe}" in text
    assert preferences in text
    html = body_text(message, "html")
    assert f'href="{unsubscribe}"' in html and f'href="{preferences}"' in html
    assert "Zed Agents vs Claw Code" in html

    reader.refresh_from_db()
    assert reader.alerted_at == MONDAY + 2 * HOUR
    event = SubscriberEvent.objects.get()
    assert (event.kind, event.detail) == ("alert_sent", "About Claw Code")


def test_a_second_tick_sends_nothing_and_the_next_period_sends_only_what_is_new(
    panel, smtp_sink
):
    claw = panel["left"]
    with time_machine.travel(MONDAY, tick=False) as clock:
        reader = SubscriberFactory(email="reader@example.com")
        follow(reader, claw)
        clock.shift(HOUR)
        change_verdict(claw, 0, panel)
        assert tick() == 1
        assert tick() == 0  # the same tick again
        assert alerts_send(subscriber_ids=[reader.pk]).sent == 0

        clock.shift(HOUR)
        change_verdict(claw, 1, panel)  # news within the period waits
        assert tick() == 0
        clock.shift(datetime.timedelta(hours=22, minutes=59))
        assert tick() == 0
        assert len(smtp_sink.to("reader@example.com")) == 1

        clock.shift(datetime.timedelta(minutes=2))  # a day after the first
        assert tick() == 1
    first, second = smtp_sink.to("reader@example.com")
    assert (
        first["Subject"]
        == second["Subject"]
        == ("1 update on tools you follow: Claw Code")
    )
    persona = panel["personas"]
    assert f"{persona[0].name} changed" in text_of(first)
    assert f"{persona[1].name} changed" in text_of(second)
    assert f"{persona[0].name} changed" not in text_of(second)
    assert SubscriberEvent.objects.filter(kind="alert_sent").count() == 2


def test_nothing_goes_to_a_reader_who_left_or_who_followed_after_the_news(
    panel, smtp_sink
):
    claw = panel["left"]
    with time_machine.travel(MONDAY, tick=False) as clock:
        left = SubscriberFactory(email="left@example.com", status="unsubscribed")
        stopped = SubscriberFactory(email="stopped@example.com", status="suppressed")
        follow(left, claw)
        follow(stopped, claw)
        clock.shift(HOUR)
        change_verdict(claw, 0, panel)
        clock.shift(HOUR)
        late = SubscriberFactory(email="late@example.com")
        follow(late, claw)
        clock.shift(HOUR)
        assert tick() == 0
        assert alerts_send(subscriber_ids=[left.pk, stopped.pk, late.pk]).sent == 0
    assert smtp_sink.messages == []
    assert not SubscriberEvent.objects.exists()
    assert set(Subscriber.objects.values_list("alerted_at", flat=True)) == {None}


def test_a_comparison_of_two_followed_tools_is_listed_once(panel, smtp_sink):
    claw, modal = panel["left"], panel["right"]
    with time_machine.travel(MONDAY, tick=False) as clock:
        reader = SubscriberFactory(email="reader@example.com")
        follow(reader, claw, modal)
        clock.shift(HOUR)
        ComparisonFactory(left=claw, right=modal)
        ComparisonFactory(left=modal, right=ToolFactory(name="Later", slug="later"))
        ComparisonFactory(left=claw, right=ToolFactory(), draft=True)
        clock.shift(HOUR)
        tick()
    [message] = smtp_sink.to("reader@example.com")
    text = text_of(message)
    assert text.count("New comparison: Claw Code vs Modal") == 1
    assert "New comparison: Modal GPU Serverless Inference vs Later." in text
    assert message["Subject"] == (
        "2 updates on tools you follow: Claw Code, Modal GPU Serverless Inference"
    )


def test_a_failed_alert_is_tried_again_on_the_next_tick(panel, smtp_sink):
    claw = panel["left"]
    with time_machine.travel(MONDAY, tick=False) as clock:
        reader = SubscriberFactory(email="refused@example.com")
        follow(reader, claw)
        clock.shift(HOUR)
        change_verdict(claw, 0, panel)
        smtp_sink.refuse["refused@example.com"] = "451 Try again later"
        assert tick() == 1
        assert Subscriber.objects.get().alerted_at is None
        assert not SubscriberEvent.objects.exists()
        smtp_sink.refuse.clear()
        clock.shift(HOUR)
        tick()
    assert len(smtp_sink.to("refused@example.com")) == 1
    assert SubscriberEvent.objects.filter(kind="alert_sent").count() == 1


def test_the_queries_do_not_grow_with_subscribers_or_followed_tools(panel, smtp_sink):
    """News for every followed tool is gathered at once, not per tool and
    subscriber."""
    tools = [panel["left"], panel["right"], *ToolFactory.create_batch(3)]

    def readers(count: int, prefix: str) -> list[int]:
        made = []
        for n in range(count):
            reader = SubscriberFactory(email=f"{prefix}{n}@example.com")
            follow(reader, *tools[: 2 + n % 4])
            made.append(reader.pk)
        return made

    with time_machine.travel(MONDAY, tick=False) as clock:
        few = readers(2, "few")
        many = readers(8, "many")
        clock.shift(HOUR)
        for tool in tools[:2]:
            change_verdict(tool, 0, panel)
        for tool in tools[2:]:
            ComparisonFactory(left=tools[0], right=tool)
        clock.shift(HOUR)
        with CaptureQueriesContext(connection) as for_few:
            assert alerts_send(subscriber_ids=few).sent == 2
        with CaptureQueriesContext(connection) as for_many:
            assert alerts_send(subscriber_ids=many).sent == 8
    assert len(for_many) == len(for_few)
    # Four reads, the claim and the history, with their savepoints.
    assert len(for_few) <= 12
    assert len(smtp_sink.messages) == 10
    # Every reader's email lists exactly their own tools' news.
    for message in smtp_sink.to("many3@example.com"):
        count = int(re.match(r"(\d+) update", message["Subject"]).group(1))
        assert count == 2 + 3  # two verdict changes, three comparisons
