import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from editorial.models import AuditEntry
from editorial.services import SCHEDULER_NAME
from newsletter.models import Delivery, Subscriber
from tests.comparisons.factories import ComparisonFactory
from tests.newsletter.factories import SubscriberFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_reports_added_duplicates_and_invalid_and_can_run_again(tmp_path):
    SubscriberFactory(email="known@example.com", status="unsubscribed")
    source = tmp_path / "list.csv"
    source.write_text(
        "name,Email\n"
        "Ada, Ada@Example.COM \n"
        "Bob,bob@example.com\n"
        "Again,ada@example.com\n"
        "Known,KNOWN@example.com\n"
        "Bad,not an address\n"
        f"Long,{'a' * 64}@{'b' * 60}.{'c' * 60}.{'d' * 60}.{'e' * 60}.com\n"
    )
    first = run("import_subscribers", str(source))
    assert first.startswith(
        "Added 2, skipped 2 already on the list, refused 2 invalid."
    )
    assert "'not an address'" in first
    assert Subscriber.objects.get(email="Ada@example.com").status == "active"
    assert Subscriber.objects.get(email="known@example.com").status == "unsubscribed"
    second = run("import_subscribers", str(source))
    assert second.startswith("Added 0, skipped 4 already on the list")
    assert Subscriber.objects.count() == 3


@pytest.mark.django_db
def test_import_without_an_email_column_says_so(tmp_path):
    source = tmp_path / "list.csv"
    source.write_text("address\nada@example.com\n")
    with pytest.raises(CommandError, match="has no 'email' column"):
        run("import_subscribers", str(source))


@pytest.mark.django_db(transaction=True)
def test_send_weekly_issue_sends_now_prints_the_number_and_waits(smtp_sink):
    SubscriberFactory.create_batch(3)
    last_week = timezone.now() - datetime.timedelta(days=7)
    ComparisonFactory(published_at=last_week)
    out = run("send_weekly_issue", "--wait")
    again = run("send_weekly_issue")
    year, week, _ = timezone.localtime(last_week).isocalendar()
    assert f"(Week {week}, {year}) is going out." in out
    assert "3/3" in out
    assert "is already sent; nothing new was queued." in again
    assert len(smtp_sink.messages) == 3
    assert Delivery.objects.filter(status="sent").count() == 3
    sends = AuditEntry.objects.filter(action="sent")
    assert [(entry.actor_name, entry.detail) for entry in sends] == [
        (SCHEDULER_NAME, "Sending to 3 subscribers.")
    ]


@pytest.mark.django_db
def test_send_weekly_issue_with_nothing_published_says_so():
    with pytest.raises(CommandError, match="Nothing was published last week"):
        run("send_weekly_issue")
