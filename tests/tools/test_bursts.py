"""Vote bursts: found by their rate, held out of the figures, judged by an
editor, with the tallies exact at every step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tools.factories import ToolFactory
from tools.bursts import BurstDecided, burst_accept, burst_remove, bursts_detect
from tools.community import community_figure
from tools.models import Vote, VoteBurst
from tools.readers import reader_key
from tools.services import vote_cast, vote_of
from tools.tallies import tallies_drifted

pytestmark = pytest.mark.django_db


def votes(tool, verdicts: str, *, ago: timedelta, spread: timedelta, prefix: str):
    """One vote per letter (s = ship, k = skip), spread over `spread` ending
    `ago` before now."""
    now = timezone.now()
    step = spread / max(len(verdicts), 1)
    Vote.objects.bulk_create(
        Vote(
            tool=tool,
            reader=reader_key(f"{prefix}-{index}"),
            verdict="ship" if letter == "s" else "skip",
            cast_at=now - ago - index * step,
        )
        for index, letter in enumerate(verdicts)
    )


def figure(tool) -> tuple[int, int]:
    shown = community_figure(tool.pk)
    assert tallies_drifted() == 0
    return shown.ship, shown.total


@pytest.fixture
def bombed():
    """25% of 12 readers say ship over the past days; then 29 fresh cookie
    jars say ship within five minutes, which moves the figure to 78%."""
    tool = ToolFactory(name="Patchwise")
    votes(tool, "sss" + "k" * 9, ago=timedelta(days=1), spread=timedelta(days=3),
          prefix="usual")  # fmt: skip
    votes(tool, "s" * 29, ago=timedelta(seconds=5), spread=timedelta(minutes=5),
          prefix="burst")  # fmt: skip
    assert figure(tool) == (32, 41)
    return tool


def test_a_burst_is_found_and_its_votes_held_out_of_the_figure(bombed):
    (burst,) = bursts_detect()
    assert burst.tool == bombed and burst.is_pending
    assert burst.votes_in_window == 29
    assert burst.usual_in_window < 1
    assert figure(bombed) == (3, 12)  # as before the burst
    assert Vote.objects.filter(tool=bombed, held=True).count() == 29
    assert bursts_detect() == []  # found once


def test_new_votes_wait_with_the_burst_and_count_once_accepted(bombed):
    (burst,) = bursts_detect()
    vote_cast(tool=bombed, reader_key=reader_key("late"), verdict="ship")
    assert figure(bombed) == (3, 12)
    assert vote_of(tool=bombed, reader_key=reader_key("late")) == "ship"

    assert burst_accept(burst=burst, by=None) == 30
    assert figure(bombed) == (33, 42)
    burst.refresh_from_db()
    assert (burst.status, burst.votes_decided) == ("accepted", 30)
    vote_cast(tool=bombed, reader_key=reader_key("after"), verdict="skip")
    assert figure(bombed) == (33, 43)  # no longer held


def test_removing_deletes_the_held_votes_only(bombed):
    (burst,) = bursts_detect()
    assert burst_remove(burst=burst, by=None) == 29
    assert figure(bombed) == (3, 12)
    assert Vote.objects.filter(tool=bombed).count() == 12
    with pytest.raises(BurstDecided):
        burst_accept(burst=burst, by=None)


def test_a_busy_tool_at_its_usual_rate_is_no_burst():
    """Five thousand votes over the week (about five per ten minutes):
    twenty-five in the last ten minutes is busy, not a burst."""
    tool = ToolFactory()
    votes(tool, "sk" * 2500, ago=timedelta(minutes=11), spread=timedelta(days=7),
          prefix="week")  # fmt: skip
    votes(tool, "s" * 25, ago=timedelta(seconds=5), spread=timedelta(minutes=9),
          prefix="now")  # fmt: skip
    assert bursts_detect() == []
    assert not Vote.objects.filter(held=True).exists()


def test_a_few_votes_are_never_a_burst(settings):
    tool = ToolFactory()
    votes(tool, "s" * (settings.VOTE_BURST_MIN_VOTES - 1), ago=timedelta(seconds=5),
          spread=timedelta(minutes=5), prefix="few")  # fmt: skip
    assert bursts_detect() == []


def test_the_rule_reads_its_settings(bombed, settings):
    settings.VOTE_BURST_MIN_VOTES = 30
    assert bursts_detect() == []
    settings.VOTE_BURST_MIN_VOTES = 20
    settings.VOTE_BURST_WINDOW = 60  # only the last minute's few votes
    assert bursts_detect() == []
    settings.VOTE_BURST_WINDOW = 600
    assert len(bursts_detect()) == 1
    assert VoteBurst.objects.get().votes_in_window == 29


def test_the_editor_sees_the_held_votes_by_minute_and_accepts(editor_client, bombed):
    (burst,) = bursts_detect()
    url = f"/admin/tools/voteburst/{burst.pk}/change/"
    page = editor_client.get(url).content.decode()
    assert "Held votes, minute by minute" in page
    assert "29 votes held in all" in page
    assert "Accept: count these 29 votes" in page
    assert "Remove these 29 votes" in page
    response = editor_client.post(url, {"_burst": "accept"}, follow=True)
    assert "Accepted: the 29 held votes on Patchwise count now." in (
        response.content.decode()
    )
    assert figure(bombed) == (32, 41)


def test_the_newsroom_shows_a_held_burst(editor_client, bombed):
    bursts_detect()
    page = editor_client.get("/admin/").content.decode()
    assert "Vote bursts held for an editor" in page
    assert "Patchwise: 29 votes in 10 minutes" in page


def test_the_clean_up_shows_each_vote_it_would_remove(editor_client, bombed):
    now = timezone.localtime()
    start = (now - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M")
    end = (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    response = editor_client.post(
        f"/admin/tools/tool/{bombed.pk}/votes/", {"start": start, "end": end}
    )
    page = response.content.decode()
    assert "By minute" in page and "The votes that would be removed" in page
    listed = page.count("<td>ship</td>")
    assert 1 <= listed < 29  # the minutes chosen, not the whole burst
    assert Vote.objects.filter(tool=bombed).count() == 41  # nothing removed yet


def test_accepted_votes_are_not_found_again_as_a_burst(bombed):
    (burst,) = bursts_detect()
    burst_accept(burst=burst, by=None)
    assert bursts_detect() == []
    assert figure(bombed) == (32, 41)
    assert not Vote.objects.filter(held=True).exists()


def test_a_decision_on_a_count_that_changed_is_refused(bombed):
    (burst,) = bursts_detect()
    vote_cast(tool=bombed, reader_key=reader_key("meanwhile"), verdict="skip")
    with pytest.raises(BurstDecided, match="30 votes are held now, not the 29"):
        burst_remove(burst=burst, by=None, seen=29)
    assert burst_remove(burst=burst, by=None, seen=30) == 30


def test_a_counted_reader_repeating_their_verdict_stays_counted(bombed):
    usual = reader_key("usual-0")  # one of the readers from before the burst
    bursts_detect()
    vote_cast(tool=bombed, reader_key=usual, verdict="ship")
    assert not Vote.objects.get(tool=bombed, reader=usual).held
    assert figure(bombed) == (3, 12)
