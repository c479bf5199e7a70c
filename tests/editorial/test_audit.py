from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from editorial.models import AuditEntry
from editorial.services import audit_record
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import contributor, editor, superuser
from tests.editorial.helpers import save_form, workflow_url
from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def actions_on(obj) -> list[str]:
    return list(
        AuditEntry.objects.for_object(obj)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def test_the_workflow_leaves_a_trail(client, panel):
    """Created, edited, submitted, scheduled, unscheduled, published,
    unpublished, restored and deleted: each by its person."""
    writer = contributor(first_name="Wanda", last_name="Writer")
    boss = editor(first_name="Bo", last_name="Boss")
    client.force_login(writer)
    response = client.post(
        reverse("admin:comparisons_comparison_add"),
        {
            "left": panel["left"].pk,
            "right": panel["right"].pk,
            "standfirst": "A first go.",
            "bottom_line": "Ship the left one.",
        },
    )
    assert response.status_code == 302
    comparison = panel["left"].comparisons_on_left.get()
    save_form(client, comparison, standfirst="A second go.")
    client.post(workflow_url(comparison, "submit"))

    client.force_login(boss)
    later = timezone.localtime() + timedelta(days=2)
    client.post(
        workflow_url(comparison, "schedule"),
        {"publish_at": later.strftime("%Y-%m-%dT%H:%M")},
    )
    client.post(workflow_url(comparison, "unschedule"))
    client.post(workflow_url(comparison, "publish"))
    client.post(workflow_url(comparison, "unpublish"))
    oldest = Version.objects.get_for_object(comparison).last()
    client.post(
        reverse("admin:comparisons_comparison_restore", args=[comparison.pk, oldest.pk])
    )
    client.post(
        reverse("admin:comparisons_comparison_delete", args=[comparison.pk]),
        {"post": "yes"},
    )

    entries = list(
        AuditEntry.objects.filter(object_id=str(comparison.pk)).order_by("at", "pk")
    )
    assert [(entry.actor_name, entry.action) for entry in entries] == [
        ("Wanda Writer", "created"),
        ("Wanda Writer", "edited"),
        ("Wanda Writer", "submitted"),
        ("Bo Boss", "scheduled"),
        ("Bo Boss", "unscheduled"),
        ("Bo Boss", "published"),
        ("Bo Boss", "unpublished"),
        ("Bo Boss", "restored"),
        ("Bo Boss", "deleted"),
    ]
    # Kept, and still named, after the comparison is gone.
    assert entries[-1].object_repr == "Claw Code vs Modal GPU Serverless Inference"
    assert not panel["left"].comparisons_on_left.exists()


def test_the_log_is_read_only_and_filterable(client, comparison):
    """Editors filter by person, action and object; nobody can add, change or
    delete an entry."""
    alice = editor(first_name="Alice", last_name="")
    bob = editor(first_name="Bob", last_name="")
    audit_record(action="published", actor=alice, obj=comparison)
    audit_record(action="edited", actor=bob, obj=comparison)
    other = ComparisonFactory()
    audit_record(action="edited", actor=alice, obj=other)

    client.force_login(alice)
    url = reverse("admin:editorial_auditentry_changelist")
    assert client.get(url).status_code == 200
    by_bob = client.get(url, {"actor__id__exact": bob.pk})
    assert [e.actor_name for e in by_bob.context["cl"].result_list] == ["Bob"]
    published = client.get(url, {"action__exact": "published"})
    assert [e.action for e in published.context["cl"].result_list] == ["published"]
    on_other = client.get(url, {"object_id": other.pk})
    assert [e.object_repr for e in on_other.context["cl"].result_list] == [str(other)]

    entry = AuditEntry.objects.first()
    change = client.post(
        reverse("admin:editorial_auditentry_change", args=[entry.pk]),
        {"detail": "tampered"},
    )
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.detail != "tampered"
    delete = client.post(
        reverse("admin:editorial_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert client.get(reverse("admin:editorial_auditentry_add")).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_contributors_cannot_read_the_log(client):
    client.force_login(contributor())
    url = reverse("admin:editorial_auditentry_changelist")
    assert client.get(url).status_code == 403


def test_tool_and_persona_edits_are_logged(client):
    """The catalogue and panel admins write to the same log."""
    client.force_login(superuser(username="root"))
    tool = ToolFactory()
    persona = ReviewerFactory()
    client.post(reverse("admin:tools_tool_delete", args=[tool.pk]), {"post": "yes"})
    client.post(
        reverse("admin:reviewers_reviewer_delete", args=[persona.pk]), {"post": "yes"}
    )
    assert actions_on(tool) == ["deleted"]
    assert actions_on(persona) == ["deleted"]
    entry = AuditEntry.objects.for_object(tool).get(action="deleted")
    assert entry.object_repr == tool.name


def test_the_newsletter_can_log_a_send():
    """audit_record accepts any object and the 'sent' action; the scheduler
    (no person) is named as such."""
    tool = ToolFactory()
    entry = audit_record(action="sent", actor=None, obj=tool, detail="To 3 people")
    assert entry.actor_name == "schedule"
    assert entry.get_action_display() == "Newsletter sent"
    with pytest.raises(ValueError):
        audit_record(action="exploded", actor=None, obj=tool)
