import csv
import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import AuditEntry
from newsletter.models import Delivery, Follow, Issue, Subscriber, SubscriberEvent
from newsletter.services.dispatch import issue_dispatch
from tests.editorial.factories import UserFactory, newsletter_editor
from tests.editorial.helpers import admin_form_data
from tests.newsletter.factories import (
    IssueComparisonFactory,
    IssueFactory,
    SubscriberFactory,
)
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db) -> User:
    return newsletter_editor(username="editor", email="editor@verdicts.example")


@pytest.fixture
def writer(db) -> User:
    """Staff who may edit issues but are not newsletter editors."""
    return UserFactory(
        username="writer",
        email="writer@verdicts.example",
        permissions=["newsletter.view_issue", "newsletter.change_issue"],
    )


def test_only_the_newsletter_editor_group_holds_the_send_permission(editor, writer):
    holders = Group.objects.filter(permissions__codename="send_issue")
    assert list(holders.values_list("name", flat=True)) == ["Newsletter editor"]
    assert editor.has_perm("newsletter.send_issue")
    assert not writer.has_perm("newsletter.send_issue")


def test_send_now_asks_first_and_a_second_click_sends_nothing_twice(
    client, editor, issue, smtp_sink, committed
):
    SubscriberFactory.create_batch(2)
    client.force_login(editor)
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert 'value="send-now" class="button">Send now…</button>' in change
    url = f"/admin/newsletter/issue/{issue.pk}/send-now/"
    page = client.get(url).content.decode()
    assert "Send “Weekly AI Tool Verdicts: Claw Code vs Modal” now?" in page
    assert "2 active subscribers" in page
    assert not Delivery.objects.exists()

    first = committed(client.post, url, follow=True).content.decode()
    assert "The issue is going out now" in first
    second = committed(client.post, url, follow=True).content.decode()
    assert "Nothing was sent again: this issue is already sent." in second
    assert len(smtp_sink.messages) == 2
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "2 of 2 settled: 2 sent" in change
    assert "<progress" in change
    # The send is in the audit log once, by the editor who clicked.
    sends = AuditEntry.objects.filter(action="sent")
    assert [(entry.actor, entry.detail) for entry in sends] == [
        (editor, "Sending to 2 subscribers.")
    ]


def test_staff_without_the_permission_cannot_send(client, writer, issue):
    SubscriberFactory()
    client.force_login(writer)
    response = client.post(f"/admin/newsletter/issue/{issue.pk}/send-now/")
    assert response.status_code == 403
    assert Issue.objects.get().status == "scheduled"
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "Send now…" not in change


def test_a_test_send_goes_to_the_editor_only(client, editor, issue, smtp_sink):
    SubscriberFactory(email="reader@example.com")
    client.force_login(editor)
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/send-test/",
        {"to": "someone@else.example"},
        follow=True,
    )
    assert "A test copy went to editor@verdicts.example." in response.content.decode()
    assert [m["To"] for m in smtp_sink.messages] == ["editor@verdicts.example"]
    assert smtp_sink.messages[0]["Subject"].startswith("[Test] ")
    assert not Delivery.objects.exists()


def test_a_test_send_to_an_unreachable_server_says_so(
    client, editor, issue, hanging_up_server
):
    client.force_login(editor)
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/send-test/", follow=True
    )
    assert response.status_code == 200
    assert "The test copy could not be sent" in response.content.decode()
    assert len(hanging_up_server) == 1
    assert not Delivery.objects.exists()


def test_the_preview_shows_the_email_as_a_subscriber_sees_it(client, editor, issue):
    client.force_login(editor)
    html = client.get(f"/admin/newsletter/issue/{issue.pk}/preview/").content.decode()
    assert "Claw Code vs Modal GPU Serverless Inference" in html
    assert "75%</span> (3 of 4)" in html
    assert "Unsubscribe</a>" in html


def test_a_sent_issue_can_no_longer_be_edited(client, editor, issue, committed):
    SubscriberFactory()
    client.force_login(editor)
    committed(client.post, f"/admin/newsletter/issue/{issue.pk}/send-now/")
    response = client.post(
        f"/admin/newsletter/issue/{issue.pk}/change/", {"subject": "Changed"}
    )
    assert response.status_code == 403
    assert Issue.objects.get().subject == issue.subject


def test_an_editor_can_cancel_a_scheduled_issue(client, editor, issue, committed):
    SubscriberFactory()
    client.force_login(editor)
    client.post(f"/admin/newsletter/issue/{issue.pk}/cancel/")
    assert Issue.objects.get().status == "cancelled"
    committed(client.post, f"/admin/newsletter/issue/{issue.pk}/send-now/")
    assert not Delivery.objects.exists()


def test_subscribers_can_be_filtered_searched_and_exported(client, editor):
    SubscriberFactory(email="ada@example.com", status="active")
    SubscriberFactory(email="bob@example.com", status="unsubscribed")
    SubscriberFactory(email="ada.bis@example.com", status="unsubscribed")
    SubscriberFactory(email="=1+2@example.com", status="pending")
    client.force_login(editor)

    def listed(query: str) -> list[str]:
        page = client.get(f"/admin/newsletter/subscriber/?{query}").content.decode()
        return [
            email
            for email in ("ada@example.com", "bob@example.com", "ada.bis@example.com")
            if email in page
        ]

    assert listed("status__exact=active") == ["ada@example.com"]
    assert listed("q=ada") == ["ada@example.com", "ada.bis@example.com"]
    assert listed("status__exact=unsubscribed&q=ada") == ["ada.bis@example.com"]

    response = client.post(
        "/admin/newsletter/subscriber/",
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"] == "text/csv"
    assert "subscribers.csv" in response["Content-Disposition"]
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert rows[0] == ["email", "status", "source", "created_at", "confirmed_at"]
    assert sorted(row[:3] for row in rows[1:]) == [
        ["'=1+2@example.com", "pending", "form"],
        ["ada.bis@example.com", "unsubscribed", "form"],
        ["ada@example.com", "active", "form"],
        ["bob@example.com", "unsubscribed", "form"],
    ]


def test_the_issue_list_shows_each_issues_progress_in_a_fixed_number_of_queries(
    client, editor, comparison, smtp_sink, committed
):
    SubscriberFactory.create_batch(2)
    client.force_login(editor)

    def sent_issue(week: int) -> Issue:
        issue = IssueFactory(iso_week=week)
        IssueComparisonFactory(issue=issue, comparison=comparison)
        committed(issue_dispatch, issue_id=issue.pk)
        return issue

    sent_issue(10)
    with CaptureQueriesContext(connection) as one:
        client.get("/admin/newsletter/issue/")
    for week in (11, 12, 13):
        sent_issue(week)
    IssueFactory(iso_week=14)  # not sent yet
    with CaptureQueriesContext(connection) as five:
        page = client.get("/admin/newsletter/issue/").content.decode()
    assert len(five) == len(one)
    assert page.count("2 of 2 settled: 2 sent, 0 pending") == 4
    assert page.count("Not sent yet") == 1


def test_an_issues_state_follows_its_send_time_until_it_goes_out(
    client, editor, issue, comparison
):
    client.force_login(editor)
    url = f"/admin/newsletter/issue/{issue.pk}/change/"
    row = issue.issuecomparison_set.get()
    form = {
        "subject": "Edited subject",
        "intro": issue.intro,
        "send_at_0": "",
        "send_at_1": "",
        "issuecomparison_set-TOTAL_FORMS": "1",
        "issuecomparison_set-INITIAL_FORMS": "1",
        "issuecomparison_set-MIN_NUM_FORMS": "0",
        "issuecomparison_set-MAX_NUM_FORMS": "1000",
        "issuecomparison_set-0-id": row.pk,
        "issuecomparison_set-0-issue": issue.pk,
        "issuecomparison_set-0-position": "0",
        "issuecomparison_set-0-comparison": comparison.pk,
    }
    assert client.post(url, form).status_code == 302
    issue.refresh_from_db()
    assert (issue.subject, issue.status) == ("Edited subject", "draft")
    assert "Draft" in client.get(url).content.decode()

    form.update({"send_at_0": "2026-12-01", "send_at_1": "10:00:00"})
    assert client.post(url, form).status_code == 302
    issue.refresh_from_db()
    assert issue.status == "scheduled"
    assert issue.send_at == datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC)


def test_retry_failed_in_the_admin_says_how_many_go_again(
    client, editor, issue, smtp_sink, committed
):
    SubscriberFactory(email="ok@example.com")
    SubscriberFactory(email="flaky@example.com")
    smtp_sink.refuse["flaky@example.com"] = "554 5.7.1 Rejected"
    client.force_login(editor)
    committed(client.post, f"/admin/newsletter/issue/{issue.pk}/send-now/")
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "2 of 2 settled: 1 sent, 0 pending, 0 sending, 1 failed" in change
    assert "Retry failed</button>" in change
    del smtp_sink.refuse["flaky@example.com"]
    url = f"/admin/newsletter/issue/{issue.pk}/retry-failed/"
    first = committed(client.post, url, follow=True).content.decode()
    assert "1 failed email will be tried again." in first
    change = client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert "2 of 2 settled: 2 sent" in change
    again = committed(client.post, url, follow=True).content.decode()
    assert "nothing to retry" in again
    assert len(smtp_sink.to("flaky@example.com")) == 1


def test_an_issue_with_no_comparison_left_is_refused_with_the_reason(
    client, editor, issue, smtp_sink, committed
):
    SubscriberFactory()
    issue.issuecomparison_set.all().delete()
    client.force_login(editor)
    page = committed(
        client.post, f"/admin/newsletter/issue/{issue.pk}/send-now/", follow=True
    ).content.decode()
    assert "This issue has no comparison in it, so it was not sent." in page
    assert Issue.objects.get().status == "scheduled"
    assert not Delivery.objects.exists()
    assert smtp_sink.messages == []


def test_the_buttons_beside_the_issue_form_act_on_what_was_typed(
    client, editor, issue, smtp_sink
):
    """Change the subject, press "Send a test to me": the test carries the
    new subject; press "Send now…": the confirmation names it."""
    client.force_login(editor)
    url = f"/admin/newsletter/issue/{issue.pk}/change/"
    data = admin_form_data(client, url)
    page = client.get(url).content.decode()
    assert 'name="_issue_step" value="send-test"' in page

    response = client.post(
        url,
        {**data, "subject": "Typed, then tested", "_issue_step": "send-test"},
        follow=True,
    )
    said = response.content.decode()
    assert "Your changes were saved." in said
    assert "A test copy went to editor@verdicts.example." in said
    assert smtp_sink.messages[0]["Subject"] == "[Test] Typed, then tested"
    issue.refresh_from_db()
    assert issue.subject == "Typed, then tested"

    data = admin_form_data(client, url)
    response = client.post(
        url,
        {**data, "subject": "Typed, then sent", "_issue_step": "send-now"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"/{issue.pk}/send-now/")
    assert "Send “Typed, then sent” now?" in response.content.decode()
    assert not Delivery.objects.exists()  # asks first


def test_cancelling_from_the_issue_form_keeps_what_was_typed(
    client, editor, issue, committed
):
    client.force_login(editor)
    url = f"/admin/newsletter/issue/{issue.pk}/change/"
    data = admin_form_data(client, url)
    client.post(
        url,
        {**data, "intro": "Kept with the cancelled issue.", "_issue_step": "cancel"},
    )
    issue.refresh_from_db()
    assert issue.status == "cancelled"
    assert issue.intro == "Kept with the cancelled issue."


def test_the_issue_list_explains_the_schedule_and_assembles_the_next_issue(
    client, editor, comparison
):
    client.force_login(editor)
    listing = client.get("/admin/newsletter/issue/").content.decode()
    assert "Every Monday 09:00, beat assembles the issue" in listing
    assert "schedules it for Tuesday 10:00" in listing
    assert "Assemble the next issue now" in listing

    response = client.post("/admin/newsletter/issue/assemble-next/", follow=True)
    issue = Issue.objects.get()
    assert response.redirect_chain[-1][0].endswith(f"/{issue.pk}/change/")
    assert "This is the next issue" in response.content.decode()
    assert issue.status == "draft" and issue.send_at is None
    assert list(issue.ordered_comparisons()) == [comparison]
    # The preview is there at once.
    preview = client.get(f"/admin/newsletter/issue/{issue.pk}/preview/").content
    assert comparison.title.encode() in preview

    # Pressing it again opens the same issue.
    client.post("/admin/newsletter/issue/assemble-next/")
    assert Issue.objects.count() == 1


def test_assembling_with_nothing_published_this_week_says_why(client, editor):
    client.force_login(editor)
    response = client.post("/admin/newsletter/issue/assemble-next/", follow=True)
    assert "Nothing has been published this week yet" in response.content.decode()
    assert not Issue.objects.exists()


def test_staff_who_may_only_read_issues_cannot_assemble(client, comparison):
    client.force_login(
        UserFactory(username="reader", permissions=["newsletter.view_issue"])
    )
    listing = client.get("/admin/newsletter/issue/")
    assert "Assemble the next issue now" not in listing.content.decode()
    assert client.post("/admin/newsletter/issue/assemble-next/").status_code == 403
    assert not Issue.objects.exists()


def _suppress_action(client, subscribers, **extra):
    return client.post(
        "/admin/newsletter/subscriber/",
        {
            "action": "suppress",
            "_selected_action": [subscriber.pk for subscriber in subscribers],
            **extra,
        },
        follow=True,
    )


def test_suppressing_from_the_admin_stops_mail_and_cancels_unsent_issues(
    client, editor, issue, comparison, smtp_sink, committed
):
    """The editor names a reason; the history keeps it with their name."""
    stopped = SubscriberFactory(email="stop@example.com")
    kept = SubscriberFactory(email="keep@example.com")
    issue.status = Issue.Status.SENDING
    issue.save()
    waiting = Delivery.objects.create(issue=issue, subscriber=stopped)
    client.force_login(editor)

    asked = _suppress_action(client, [stopped])
    page = asked.content.decode()
    assert "Suppress these addresses?" in page
    assert "stop@example.com (active)" in page
    assert Subscriber.objects.get(pk=stopped.pk).status == "active"

    done = _suppress_action(
        client, [stopped], _reason_given="1", reason="Asked by phone to stop"
    )
    assert "1 address suppressed: no email goes to it any more." in (
        done.content.decode()
    )
    stopped.refresh_from_db()
    assert stopped.status == "suppressed"
    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error) == ("cancelled", "Suppressed")
    event = stopped.events.get()
    assert (event.kind, event.source, event.actor) == ("suppressed", "editor", editor)
    assert event.detail == (
        "Asked by phone to stop (was: Active; 1 unsent email cancelled)"
    )

    next_week = IssueFactory(iso_week=48)
    IssueComparisonFactory(issue=next_week, comparison=comparison)
    committed(issue_dispatch, issue_id=next_week.pk)
    assert [m["To"] for m in smtp_sink.messages] == ["keep@example.com"]
    committed(client.post, "/newsletter/", {"email": "stop@example.com"})
    assert smtp_sink.to("stop@example.com") == []
    assert kept.events.count() == 0


def test_an_address_not_on_the_list_can_be_suppressed_by_hand(
    client, editor, smtp_sink, committed
):
    client.force_login(editor)
    changelist = client.get("/admin/newsletter/subscriber/").content.decode()
    assert 'href="/admin/newsletter/subscriber/suppress/">Suppress an address</a>' in (
        changelist
    )
    form = client.get("/admin/newsletter/subscriber/suppress/").content.decode()
    assert "Suppress this address" in form
    bad = client.post("/admin/newsletter/subscriber/suppress/", {"email": "nope"})
    assert "Enter an email address such as name@example.com." in bad.content.decode()

    response = client.post(
        "/admin/newsletter/subscriber/suppress/",
        {"email": " Someone@Example.COM ", "reason": "Legal request"},
        follow=True,
    )
    text = response.content.decode()
    assert (
        "Someone@example.com was not on the list; it is now, as suppressed: "
        "signing up sends it nothing." in text
    )
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == (
        "Someone@example.com",
        "suppressed",
    )
    assert response.redirect_chain[-1][0] == (
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/"
    )
    event = subscriber.events.get()
    assert (event.kind, event.actor, event.detail) == (
        "suppressed",
        editor,
        "Legal request",
    )
    committed(client.post, "/newsletter/", {"email": "someone@example.com"})
    assert smtp_sink.messages == []


def test_lifting_a_suppression_restores_what_the_reader_had_chosen(
    client, editor, smtp_sink, committed
):
    """A confirmed reader gets the newsletter again; an address added as
    suppressed may sign up and confirm like anyone."""
    confirmed = SubscriberFactory(
        email="was-active@example.com",
        status="suppressed",
        confirmed_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
    )
    added = SubscriberFactory(email="added@example.com", status="suppressed")
    active = SubscriberFactory(email="active@example.com")
    client.force_login(editor)
    response = client.post(
        "/admin/newsletter/subscriber/",
        {
            "action": "lift_suppression",
            "_selected_action": [confirmed.pk, added.pk, active.pk],
            "_reason_given": "1",
            "reason": "Suppressed by mistake",
        },
        follow=True,
    )
    assert (
        "Suppression lifted for 2 addresses: 1 get the newsletter again, 1 may "
        "sign up again." in response.content.decode()
    )
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses == {
        "was-active@example.com": "active",
        "added@example.com": "unsubscribed",
        "active@example.com": "active",
    }
    event = Subscriber.objects.get(email="added@example.com").events.get()
    assert (event.kind, event.actor, event.detail) == (
        "restored",
        editor,
        "Suppressed by mistake (Now unsubscribed.)",
    )
    committed(client.post, "/newsletter/", {"email": "added@example.com"})
    assert len(smtp_sink.to("added@example.com")) == 1


def test_the_subscriber_page_shows_history_newest_first_and_what_they_follow(
    client, editor
):
    subscriber = SubscriberFactory(email="reader@example.com", all_categories=False)
    subscriber.categories.set([CategoryFactory(name="Coding agents")])
    Follow.objects.create(subscriber=subscriber, tool=ToolFactory(name="Claw Code"))
    day = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    for n, kind in enumerate(["signed_up", "confirmation_sent", "confirmed"]):
        SubscriberEvent.objects.create(
            subscriber=subscriber,
            kind=kind,
            source="form",
            created_at=day + datetime.timedelta(minutes=n),
        )
    client.force_login(editor)
    page = client.get(
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/"
    ).content.decode()
    assert "Coding agents" in page
    assert ">Claw Code</a> (since" in page
    labels = ["Confirmed", "Confirmation email sent", "Asked to subscribe"]
    positions = [page.index(f"<p>{label}</p>") for label in labels]
    assert positions == sorted(positions)
    assert 'name="events-0-kind"' not in page  # read-only
    assert 'name="status"' not in page  # changed through the actions only


def test_staff_who_may_only_look_cannot_suppress(client, db):
    viewer = UserFactory(
        username="viewer",
        email="viewer@verdicts.example",
        permissions=["newsletter.view_subscriber"],
    )
    subscriber = SubscriberFactory()
    client.force_login(viewer)
    page = client.get("/admin/newsletter/subscriber/").content.decode()
    assert "Suppress an address" not in page
    assert 'value="suppress"' not in page
    response = client.post(
        "/admin/newsletter/subscriber/suppress/", {"email": "x@example.com"}
    )
    assert response.status_code == 403
    _suppress_action(client, [subscriber], _reason_given="1")
    assert Subscriber.objects.get(pk=subscriber.pk).status == "active"
    assert not Subscriber.objects.filter(email="x@example.com").exists()
