import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.editorial.factories import UserFactory
from tests.pages import text_of
from tests.tools.factories import CategoryFactory, ToolFactory, VoteFactory
from tools.models import Tool, Vote

pytestmark = pytest.mark.django_db


def test_tool_list_shows_category_tier_and_panel_figure(editor_client, panel):
    text = text_of(editor_client.get("/admin/tools/tool/"))
    assert "Claw Code" in text
    assert "75% (3 of 4)" in text
    assert "100% (4 of 4)" in text
    assert "Freemium" in text
    searched = text_of(editor_client.get("/admin/tools/tool/?q=claw"))
    assert "Claw Code" in searched and "Modal GPU" not in searched


def test_deleting_a_tool_in_use_is_refused_not_a_500(editor_client, comparison):
    url = f"/admin/tools/tool/{comparison.left_id}/delete/"
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in (
        text_of(page)
    )
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Tool.objects.filter(pk=comparison.left_id).exists()


def test_the_category_list_counts_tools_in_one_query(editor_client):
    """Each row shows its number of tools; more categories cost no more
    queries."""

    def listing() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            page = text_of(editor_client.get("/admin/tools/category/"))
        return page, len(queries)

    first = CategoryFactory(name="Agents")
    ToolFactory.create_batch(2, category=first)
    _, few = listing()
    for name in ("Coding", "Search", "Voice"):
        ToolFactory(category=CategoryFactory(name=name))
    page, many = listing()
    assert many == few
    assert re.search(r"Agents \S+ 2 Coding \S+ 1 Search \S+ 1 Voice \S+ 1", page)


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


def test_the_tool_list_shows_vote_totals(editor_client, bombed):
    page = editor_client.get(reverse("admin:tools_tool_changelist")).content.decode()
    assert "33% · 15 votes" in page


def test_the_vote_page_shows_totals_and_votes_by_hour(editor_client, bombed):
    page = editor_client.get(votes_url(bombed["tool"])).content.decode()
    assert "<strong>5</strong> ship, <strong>10</strong> skip, 15 in all" in page
    assert "The site shows <strong>33%</strong> (15 votes)" in page
    assert "Choose minutes in this hour" in page


def test_removing_a_window_asks_first_then_removes_and_the_figure_follows(
    editor_client, bombed
):
    tool, burst = bombed["tool"], bombed["burst"]
    window = {"start": local(burst), "end": local(burst + timedelta(minutes=30))}

    preview = editor_client.post(votes_url(tool), {**window, "preview": "1"})
    assert (
        "This window holds 9 votes on Claw Code (0 ship)." in preview.content.decode()
    )
    assert Vote.objects.filter(tool=tool).count() == 15

    done = editor_client.post(votes_url(tool), {**window, "confirm": "1"}, follow=True)
    assert (
        "Removed 9 votes on Claw Code. The community figure is now 83% · 6 votes."
        in done.content.decode()
    )
    assert Vote.objects.filter(tool=tool).count() == 6

    page = editor_client.get(tool.get_absolute_url()).content.decode()
    assert ">83%</span>" in page
    assert ">6 votes</span>" in page


def test_a_window_that_ends_before_it_starts_is_refused(editor_client, bombed):
    tool, burst = bombed["tool"], bombed["burst"]
    response = editor_client.post(
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
    editor_client, bombed, settings
):
    settings.TIME_ZONE = "America/New_York"
    tool = bombed["tool"]
    response = editor_client.post(
        votes_url(tool),
        {"start": "9999-12-31T22:00", "end": "9999-12-31T23:30", "confirm": "1"},
    )
    assert response.status_code == 200
    assert "Votes are only cast up to now" in response.content.decode()
    assert Vote.objects.filter(tool=tool).count() == 15


def test_staff_without_the_delete_permission_cannot_remove_votes(client, bombed):
    user = UserFactory(
        username="viewer", permissions=["tools.view_tool", "tools.view_vote"]
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


def test_the_tool_list_shows_panel_and_community_side_by_side(editor_client, panel):
    VoteFactory.create_batch(3, tool=panel["left"], verdict="skip")
    page = editor_client.get(reverse("admin:tools_tool_changelist")).content.decode()
    assert (
        '<td class="field-panel">75% (3 of 4)</td>'
        '<td class="field-community">— (3 votes so far)</td>'
    ) in page


def test_the_editor_group_may_see_and_remove_votes_but_not_cast_them():
    group = Group.objects.get(name="Editor")
    codenames = set(
        group.permissions.filter(content_type__app_label="tools").values_list(
            "codename", flat=True
        )
    )
    assert {"view_vote", "delete_vote"} <= codenames
    assert not {"add_vote", "change_vote"} & codenames
