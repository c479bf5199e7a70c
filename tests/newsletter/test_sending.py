import datetime

import pytest
import time_machine
from django.core.checks import run_checks
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletter.beat import dispatch_due_issues
from newsletter.emails import message_id_for
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.sending import ChunkResult, delivery_chunk_send
from newsletter.services.dispatch import (
    deliveries_reconcile,
    issue_dispatch,
    issue_retry_failed,
    issues_dispatch_due,
)
from newsletter.services.subscribers import subscriber_unsubscribe
from tests.newsletter.conftest import body_text
from tests.newsletter.factories import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def send_one_chunk(issue: Issue) -> ChunkResult:
    """Run, in this process, one chunk that spans every row of the issue."""
    ids = Delivery.objects.filter(issue=issue).order_by("pk").values_list("pk")
    (first,), (last,) = ids.first(), ids.last()
    return delivery_chunk_send(issue_id=issue.pk, first_id=first, last_id=last)


def test_each_subscriber_gets_the_issue_with_its_content_and_headers(
    issue, smtp_sink, committed
):
    reader = SubscriberFactory(email="ada@example.com")
    committed(issue_dispatch, issue_id=issue.pk)

    [message] = smtp_sink.to("ada@example.com")
    assert message["Subject"] == issue.subject
    assert message["Message-ID"] == message_id_for(
        issue_id=issue.pk, subscriber_id=reader.pk
    )
    unsubscribe = f"https://verdicts.example/newsletter/unsubscribe/{reader.token}/"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    text = body_text(message)
    html = body_text(message, "html")
    for part in (text, html):
        assert "Claw Code vs Modal GPU Serverless Inference" in part
        assert "Which one should you ship with? The panel decides." in part
        assert "https://verdicts.example/compare/claw-code-vs-modal-gpu-" in part
        assert f"https://verdicts.example/newsletter/issues/{issue.pk}/" in part
        assert unsubscribe in part
        assert "ada@example.com" in part
    assert "75% (3 of 4)" in text and "100% (4 of 4)" in text
    assert "<strong>two</strong> tools" in html
    # CSS is inlined: no style sheet left, the rules sit on the elements.
    assert "<style" not in html
    assert 'style="' in html and "max-width: 600px" in html

    delivery = Delivery.objects.get()
    assert delivery.status == "sent"
    assert delivery.message_id == message["Message-ID"]
    assert Issue.objects.get().status == "sent"


def test_only_active_subscribers_at_dispatch_time_are_sent_to(
    issue, smtp_sink, committed
):
    SubscriberFactory(email="active@example.com")
    SubscriberFactory(email="pending@example.com", status="pending")
    SubscriberFactory(email="left@example.com", status="unsubscribed")
    committed(issue_dispatch, issue_id=issue.pk)
    SubscriberFactory(email="late@example.com")
    assert sorted(m["To"] for m in smtp_sink.messages) == ["active@example.com"]


def test_dispatching_twice_or_beat_firing_twice_sends_nothing_twice(
    issue, smtp_sink, committed
):
    SubscriberFactory.create_batch(3)
    issue.send_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    issue.save()
    committed(dispatch_due_issues.delay)
    committed(dispatch_due_issues.delay)
    assert committed(issue_dispatch, issue_id=issue.pk) is False
    assert len(smtp_sink.messages) == 3
    assert Delivery.objects.count() == 3


def test_beat_skips_a_due_issue_with_no_comparison_and_sends_the_others(
    issue, smtp_sink, committed
):
    SubscriberFactory()
    empty = IssueFactory(iso_week=46, subject="Nothing in it")
    for due in (issue, empty):
        due.send_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        due.save()
    assert committed(issues_dispatch_due) == [issue.pk]
    assert [m["Subject"] for m in smtp_sink.messages] == [issue.subject]
    assert Issue.objects.get(pk=empty.pk).status == "scheduled"


def test_an_issue_is_not_dispatched_before_its_send_time(issue, committed):
    SubscriberFactory()
    issue.send_at = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC)
    issue.save()
    with time_machine.travel("2026-11-24 09:59 +0000", tick=False):
        assert committed(issues_dispatch_due) == []
    with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
        assert committed(issues_dispatch_due) == [issue.pk]


def test_unsubscribing_before_the_claim_stops_the_email(issue, smtp_sink):
    stays, leaves = SubscriberFactory.create_batch(2)
    issue_dispatch(issue_id=issue.pk)  # rows frozen, chunks not run yet
    assert subscriber_unsubscribe(subscriber=leaves) == 1
    send_one_chunk(issue)
    assert [m["To"] for m in smtp_sink.messages] == [stays.email]
    assert Delivery.objects.get(subscriber=leaves).status == "cancelled"
    assert Issue.objects.get().status == "sent"


def test_a_chunk_costs_a_few_queries_whatever_its_size(issue, smtp_sink, settings):
    """Each email is recorded the moment the server took it (so a killed
    worker doubles at most one): with Redis in the chunk's journal, written
    to the database in one statement at the end; without it, one UPDATE per
    email. Everything else is a fixed few queries."""
    SubscriberFactory.create_batch(30)
    issue_dispatch(issue_id=issue.pk)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))

    def queries_for(first: int, last: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            delivery_chunk_send(issue_id=issue.pk, first_id=first, last_id=last)
        return len(captured)

    queries_for(ids[0], ids[0])  # renders the issue once for this process
    small = queries_for(ids[1], ids[2])  # 2 emails
    large = queries_for(ids[3], ids[-2])  # 26 emails
    if settings.REDIS_URL:
        assert small == large <= 11
    else:
        assert large - 26 == small - 2 <= 10
    queries_for(ids[-1], ids[-1])  # the last chunk also marks the issue sent
    assert len(smtp_sink.messages) == 30


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails(
    issue, smtp_sink, settings
):
    settings.NEWSLETTER_RETRY_BACKOFF = 60
    SubscriberFactory(email="busy@example.com")
    SubscriberFactory(email="gone@example.com")
    SubscriberFactory(email="fine@example.com")
    smtp_sink.refuse["busy@example.com"] = "451 4.3.0 Try again later"
    smtp_sink.refuse["gone@example.com"] = "550 5.1.1 No such user"
    issue_dispatch(issue_id=issue.pk)
    with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
        send_one_chunk(issue)
    # A refused recipient does not cost the chunk its connection.
    assert len(smtp_sink.connections) == 1

    rows = {
        d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")
    }
    assert rows["fine@example.com"].status == "sent"
    busy = rows["busy@example.com"]
    assert (busy.status, busy.attempts) == ("pending", 1)
    assert busy.next_attempt_at == datetime.datetime(
        2026, 11, 24, 10, 1, tzinfo=datetime.UTC
    )
    assert "451" in busy.last_error
    gone = rows["gone@example.com"]
    assert gone.status == "failed" and "550" in gone.last_error
    assert Subscriber.objects.get(email="gone@example.com").bounce_count == 1
    assert Issue.objects.get().status == "sending"

    # Too early: the row waits for its backoff.
    with time_machine.travel("2026-11-24 10:00:30 +0000", tick=False):
        send_one_chunk(issue)
    assert smtp_sink.to("busy@example.com") == []
    del smtp_sink.refuse["busy@example.com"]
    with time_machine.travel("2026-11-24 10:01 +0000", tick=False):
        send_one_chunk(issue)
    assert len(smtp_sink.to("busy@example.com")) == 1
    assert Issue.objects.get().status == "sent"


def test_repeated_permanent_failures_mark_the_subscriber_bounced(
    issue, smtp_sink, settings
):
    settings.NEWSLETTER_BOUNCE_LIMIT = 2
    reader = SubscriberFactory(email="gone@example.com", bounce_count=1)
    smtp_sink.refuse["gone@example.com"] = "550 5.1.1 No such user"
    issue_dispatch(issue_id=issue.pk)
    send_one_chunk(issue)
    assert Delivery.objects.get().status == "failed"
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == ("bounced", 2)


def test_retry_failed_sends_again_to_the_failed_rows_only(issue, smtp_sink, committed):
    SubscriberFactory(email="ok@example.com")
    SubscriberFactory(email="flaky@example.com")
    smtp_sink.refuse["flaky@example.com"] = "554 5.7.1 Rejected"
    committed(issue_dispatch, issue_id=issue.pk)
    assert Issue.objects.get().status == "sent"
    del smtp_sink.refuse["flaky@example.com"]
    assert committed(issue_retry_failed, issue=issue) == 1
    assert len(smtp_sink.to("flaky@example.com")) == 1
    assert len(smtp_sink.to("ok@example.com")) == 1
    assert Issue.objects.get().status == "sent"


def test_one_click_unsubscribe_needs_no_session_or_token_and_can_repeat(issue):
    reader = SubscriberFactory()
    issue_dispatch(issue_id=issue.pk)
    client = Client(enforce_csrf_checks=True)
    url = f"/newsletter/unsubscribe/{reader.token}/"
    page = client.get(url)
    assert ">Unsubscribe</button>" in page.content.decode()
    assert Subscriber.objects.get().status == "active"
    for _ in range(2):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
    assert Subscriber.objects.get().status == "unsubscribed"
    assert Delivery.objects.get().status == "cancelled"


def test_an_unknown_unsubscribe_token_is_a_404_that_says_so(client):
    SubscriberFactory()
    url = "/newsletter/unsubscribe/00000000-0000-0000-0000-000000000000/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This unsubscribe link is not on our list" in response.content.decode()
    assert Subscriber.objects.get().status == "active"


def test_the_archive_lists_sent_issues_only(client, issue, smtp_sink, committed):
    SubscriberFactory()
    IssueFactory(iso_week=48, subject="Next week, still a draft", status="draft")
    assert client.get(f"/newsletter/issues/{issue.pk}/").status_code == 404
    before = client.get("/newsletter/issues/").content.decode()
    assert "No issue has gone out yet." in before
    assert issue.subject not in before

    committed(issue_dispatch, issue_id=issue.pk)
    archive = client.get("/newsletter/issues/").content.decode()
    assert f'<a href="/newsletter/issues/{issue.pk}/">{issue.subject}</a>' in archive
    assert "Next week, still a draft" not in archive
    page = client.get(f"/newsletter/issues/{issue.pk}/").content.decode()
    assert f"<h1>{issue.subject}</h1>" in page
    assert "<strong>two</strong> tools" in page
    assert "Claw Code vs Modal GPU Serverless Inference" in page
    assert "75% (3 of 4)" in page


def test_the_reconciler_puts_back_rows_a_dead_worker_held_and_sends_them(
    issue, smtp_sink, committed
):
    reader = SubscriberFactory()
    issue_dispatch(issue_id=issue.pk)  # queued chunks that nobody runs
    with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
        Delivery.objects.update(status="sending", claimed_at=timezone.now(), attempts=1)
    with time_machine.travel("2026-11-24 10:00:20 +0000", tick=False):
        assert committed(deliveries_reconcile)["released"] == 0  # still fresh
    with time_machine.travel("2026-11-24 10:01 +0000", tick=False):
        outcome = committed(deliveries_reconcile)
    assert outcome["released"] == 1 and outcome["chunks"] == 1
    assert [m["To"] for m in smtp_sink.messages] == [reader.email]
    assert Delivery.objects.get().attempts == 2
    assert Issue.objects.get().status == "sent"


def test_a_row_claimed_too_often_without_an_outcome_is_marked_failed(
    issue, smtp_sink, settings
):
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    SubscriberFactory()
    issue_dispatch(issue_id=issue.pk)
    Delivery.objects.update(attempts=3)
    send_one_chunk(issue)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (
        "failed",
        "No outcome after 3 attempts",
    )
    assert smtp_sink.messages == []


def test_a_421_that_closes_the_connection_delays_only_that_email(issue, smtp_sink):
    """smtplib hangs up after a 421; the next reader's email goes out over a
    new connection."""
    SubscriberFactory(email="first@example.com")
    SubscriberFactory(email="busy@example.com")
    SubscriberFactory(email="next@example.com")
    smtp_sink.refuse["busy@example.com"] = "421 4.7.0 Too busy, closing"
    issue_dispatch(issue_id=issue.pk)
    send_one_chunk(issue)
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "first@example.com",
        "next@example.com",
    ]
    statuses = dict(Delivery.objects.values_list("subscriber__email", "status"))
    assert statuses == {
        "first@example.com": "sent",
        "busy@example.com": "pending",
        "next@example.com": "sent",
    }
    assert len(smtp_sink.connections) == 2


def test_an_unreachable_server_is_tried_once_per_chunk_and_every_row_waits(
    issue, hanging_up_server
):
    SubscriberFactory.create_batch(3)
    issue_dispatch(issue_id=issue.pk)
    result = send_one_chunk(issue)
    assert (result.sent, result.retrying, result.failed) == (0, 3, 0)
    assert len(hanging_up_server) == 1
    rows = Delivery.objects.all()
    assert {(row.status, row.attempts) for row in rows} == {("pending", 1)}
    assert all("SMTPServerDisconnected" in row.last_error for row in rows)
    assert Issue.objects.get().status == "sending"


def test_a_delivered_email_ends_a_run_of_bounces(issue, smtp_sink, settings):
    settings.NEWSLETTER_BOUNCE_LIMIT = 2
    reader = SubscriberFactory(email="back@example.com", bounce_count=1)
    issue_dispatch(issue_id=issue.pk)
    send_one_chunk(issue)
    assert Delivery.objects.get().status == "sent"
    reader.refresh_from_db()
    assert (reader.status, reader.bounce_count) == ("active", 0)


def test_check_deploy_warns_when_the_unsubscribe_link_would_not_be_https(settings):
    def newsletter_warnings() -> list[str]:
        found = run_checks(include_deployment_checks=True)
        return [m.id for m in found if m.id.startswith("newsletter.")]

    assert newsletter_warnings() == []
    settings.SITE_URL = "http://verdicts.example"
    assert newsletter_warnings() == ["newsletter.W001"]


def test_a_line_that_starts_with_a_dot_arrives_whole(issue, smtp_sink):
    """SMTP ends a message at a line holding a lone dot, so a line starting
    with one is sent doubled (dot-stuffing) and arrives as written."""
    Issue.objects.filter(pk=issue.pk).update(intro=".NET teams, this one is yours.")
    SubscriberFactory(email="ada@example.com")
    issue_dispatch(issue_id=issue.pk)
    send_one_chunk(issue)
    [message] = smtp_sink.to("ada@example.com")
    assert ".NET teams, this one is yours." in body_text(message)


def test_readers_who_chose_categories_get_only_those_comparisons_or_no_issue(
    issue, smtp_sink
):
    from tests.comparisons.factories import ComparisonFactory
    from tests.tools.factories import CategoryFactory

    first = issue.comparisons.get()
    second = ComparisonFactory(left__name="Ledger Lens", right__name="Tally Tower")
    issue.issuecomparison_set.create(comparison=second, position=1)
    everything = SubscriberFactory(email="all@example.com")
    only_second = SubscriberFactory(email="second@example.com", all_categories=False)
    only_second.categories.set([second.left.category])
    elsewhere = SubscriberFactory(email="elsewhere@example.com", all_categories=False)
    elsewhere.categories.set([CategoryFactory()])
    changed_mind = SubscriberFactory(email="changed@example.com", all_categories=False)
    changed_mind.categories.set([first.right.category])

    issue_dispatch(issue_id=issue.pk)
    # Nothing in their categories: no email is even planned.
    assert not Delivery.objects.filter(subscriber=elsewhere).exists()
    changed_mind.categories.set([CategoryFactory()])  # after the dispatch
    send_one_chunk(issue)

    assert {m["To"] for m in smtp_sink.messages} == {
        everything.email,
        only_second.email,
    }
    full = body_text(smtp_sink.to(everything.email)[0])
    assert first.title in full and second.title in full
    chosen = body_text(smtp_sink.to(only_second.email)[0])
    assert second.title in chosen and first.title not in chosen
    late = Delivery.objects.get(subscriber=changed_mind)
    assert (late.status, late.last_error) == (
        "cancelled",
        "Nothing in the reader's categories",
    )


def test_a_chunk_whose_claim_was_taken_back_stops_sending(
    issue, smtp_sink, settings, monkeypatch
):
    """A chunk so slow that the reconciler thought its worker dead finds its
    claim gone at the next heartbeat and sends nothing more; the rows are
    back in the queue for whoever claims them next."""
    from newsletter import sending

    settings.NEWSLETTER_HEARTBEAT_SECONDS = 0
    SubscriberFactory.create_batch(4)
    issue_dispatch(issue_id=issue.pk)
    record = sending._Journal.sent

    def sent_then_judged_dead(journal, pk, message_id):
        recorded = record(journal, pk, message_id)
        later = timezone.now() + datetime.timedelta(minutes=5)
        deliveries_reconcile(now=later)
        return recorded

    monkeypatch.setattr(sending._Journal, "sent", sent_then_judged_dead)
    result = send_one_chunk(issue)
    assert len(smtp_sink.messages) == 1
    assert result.sent == 1
    assert Delivery.objects.filter(issue=issue).counts() == {
        "pending": 3,
        "sending": 0,
        "sent": 1,
        "failed": 0,
        "cancelled": 0,
    }


def test_a_claim_that_keeps_beating_is_left_alone(issue, smtp_sink):
    from newsletter.models import DeliveryClaim

    SubscriberFactory.create_batch(2)
    issue_dispatch(issue_id=issue.pk)
    with time_machine.travel("2026-11-24 10:00 +0000", tick=False):
        claim = DeliveryClaim.objects.create(issue=issue)
        Delivery.objects.update(
            status="sending", claim=claim, claimed_at=timezone.now()
        )
    with time_machine.travel("2026-11-24 10:10 +0000", tick=False):
        DeliveryClaim.objects.update(heartbeat_at=timezone.now())
    with time_machine.travel("2026-11-24 10:10:20 +0000", tick=False):
        assert deliveries_reconcile()["released"] == 0
    with time_machine.travel("2026-11-24 10:10:31 +0000", tick=False):
        assert deliveries_reconcile()["released"] == 2
    assert not DeliveryClaim.objects.exists()


def test_an_email_that_cannot_be_made_fails_alone_and_the_chunk_goes_on(
    issue, smtp_sink, monkeypatch
):
    from newsletter import emails

    SubscriberFactory(email="first@example.com")
    broken = SubscriberFactory(email="broken@example.com")
    SubscriberFactory(email="last@example.com")
    issue_dispatch(issue_id=issue.pk)
    build = emails.issue_email

    def issue_email(**kwargs):
        if kwargs["email"] == broken.email:
            raise RuntimeError("the provider's API said no")
        return build(**kwargs)

    monkeypatch.setattr(emails, "issue_email", issue_email)
    send_one_chunk(issue)
    assert {m["To"] for m in smtp_sink.messages} == {
        "first@example.com",
        "last@example.com",
    }
    row = Delivery.objects.get(subscriber=broken)
    assert (row.status, row.last_error) == (
        "failed",
        "RuntimeError: the provider's API said no",
    )
    assert Issue.objects.get().status == "sent"


def test_when_redis_fails_mid_chunk_each_send_is_recorded_in_the_database(
    issue, smtp_sink, settings, monkeypatch
):
    import redis

    if not settings.REDIS_URL:
        pytest.skip("The journal lives in Redis only when REDIS_URL is set")
    SubscriberFactory.create_batch(3)
    issue_dispatch(issue_id=issue.pk)
    pushes = []
    send_command = redis.connection.Connection.send_command

    def failing_after_one_push(connection, *args, **kwargs):
        if args[0] == "RPUSHX":
            pushes.append(args)
            if len(pushes) > 1:
                raise redis.ConnectionError("Redis went away")
        return send_command(connection, *args, **kwargs)

    monkeypatch.setattr(
        redis.connection.Connection, "send_command", failing_after_one_push
    )
    send_one_chunk(issue)
    assert len(pushes) == 2  # the second failed; the third went to the database
    assert len(smtp_sink.messages) == 3
    assert Delivery.objects.filter(issue=issue).counts()["sent"] == 3
