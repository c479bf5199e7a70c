import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone

from tests.tools.factories import ToolFactory, VoteFactory
from tools.models import Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def vote_editor(editor, client):
    """An editor, with the vote permissions the tools migration grants (made
    again here when a browser test has flushed the database)."""
    migration = importlib.import_module("tools.migrations.0003_editor_vote_permissions")
    migration.grant(django_apps, None)
    client.force_login(editor)
    return editor


@pytest.fixture
def bombed(settings):
    """A tool with 6 steady votes last week and 9 skips cast in one hour."""
    settings.COMMUNITY_MIN_VOTES = 5
    tool = ToolFactory(name="Claw Code", slug="claw-code")
    now = timezone.now()
    VoteFactory.create_batch(
        5, tool=tool, verdict="ship", cast_at=now - timedelta(days=6)
    )
    VoteFactory(tool=tool, verdict="skip", cast_at=now - timedelta(days=6))
    burst = now - timedelta(hours=3)
    for minute in range(9):
        VoteFactory(
            tool=tool, verdict="skip", cast_at=burst + timedelta(minutes=minute)
        )
    return {"tool": tool, "burst": burst}


def votes_url(tool) -> str:
    return reverse("admin:tools_tool_votes", args=[tool.pk])


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_tool_list_shows_vote_totals(client, vote_editor, bombed):
    page = client.get(reverse("admin:tools_tool_changelist")).content.decode()
    assert "33% · 15 votes" in page


def test_the_vote_page_shows_totals_and_votes_by_hour(client, vote_editor, bombed):
    page = client.get(votes_url(bombed["tool"])).content.decode()
    assert "<strong>5</strong> ship, <strong>10</strong> skip, 15 in all" in page
    assert "The site shows <strong>33%</strong> (15 votes)" in page
    assert "Remove this hour's votes" in page


def test_removing_a_window_asks_first_then_removes_and_the_figure_follows(
    client, vote_editor, bombed
):
    tool, burst = bombed["tool"], bombed["burst"]
    window = {"start": local(burst), "end": local(burst + timedelta(minutes=30))}

    preview = client.post(votes_url(tool), {**window, "preview": "1"})
    assert (
        "This window holds 9 votes on Claw Code (0 ship)." in preview.content.decode()
    )
    assert Vote.objects.filter(tool=tool).count() == 15

    done = client.post(votes_url(tool), {**window, "confirm": "1"}, follow=True)
    assert (
        "Removed 9 votes on Claw Code. The community figure is now 83% · 6 votes."
        in done.content.decode()
    )
    assert Vote.objects.filter(tool=tool).count() == 6

    page = client.get(tool.get_absolute_url()).content.decode()
    assert ">83%</span>" in page
    assert ">6 votes</span>" in page


def test_a_window_that_ends_before_it_starts_is_refused(client, vote_editor, bombed):
    tool, burst = bombed["tool"], bombed["burst"]
    response = client.post(
        votes_url(tool),
        {
            "start": local(burst),
            "end": local(burst - timedelta(hours=1)),
            "confirm": "1",
        },
    )
    assert "The window must start before it ends." in response.content.decode()
    assert Vote.objects.filter(tool=tool).count() == 15


def test_a_window_in_the_far_future_is_refused_not_a_500(
    client, vote_editor, bombed, settings
):
    settings.TIME_ZONE = "America/New_York"
    tool = bombed["tool"]
    response = client.post(
        votes_url(tool),
        {"start": "9999-12-31T22:00", "end": "9999-12-31T23:30", "confirm": "1"},
    )
    assert response.status_code == 200
    assert "Votes are only cast up to now" in response.content.decode()
    assert Vote.objects.filter(tool=tool).count() == 15


def test_staff_without_the_delete_permission_cannot_remove_votes(client, bombed):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tools", codename__in=["view_tool", "view_vote"]
        )
    )
    client.force_login(user)
    tool, burst = bombed["tool"], bombed["burst"]
    page = client.get(votes_url(tool)).content.decode()
    assert "15 in all" in page
    assert "Remove the votes cast in a time window" not in page
    response = client.post(
        votes_url(tool),
        {"start": local(burst), "end": local(timezone.now()), "confirm": "1"},
    )
    assert response.status_code == 403
    assert Vote.objects.filter(tool=tool).count() == 15


def test_the_tool_list_shows_panel_and_community_side_by_side(
    client, vote_editor, panel
):
    VoteFactory.create_batch(3, tool=panel["left"], verdict="skip")
    page = client.get(reverse("admin:tools_tool_changelist")).content.decode()
    assert (
        '<td class="field-panel">75% (3 of 4)</td>'
        '<td class="field-community">— (3 votes so far)</td>'
    ) in page


def test_the_editor_group_may_see_and_remove_votes_but_not_cast_them(editor):
    importlib.import_module("tools.migrations.0003_editor_vote_permissions").grant(
        django_apps, None
    )
    group = Group.objects.get(name="Editor")
    codenames = set(
        group.permissions.filter(content_type__app_label="tools").values_list(
            "codename", flat=True
        )
    )
    assert {"view_vote", "delete_vote"} <= codenames
    assert not {"add_vote", "change_vote"} & codenames
