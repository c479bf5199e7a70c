import pytest

from tests.tools.factories import ToolFactory, VoteFactory
from tools.community import CommunityFigure, community_figures, disagreement

pytestmark = pytest.mark.django_db


def test_no_votes_shows_a_dash_and_says_so():
    figure = CommunityFigure(ship=0, total=0, minimum=5)
    assert (figure.label, figure.counts) == ("—", "No votes yet")


def test_below_the_minimum_shows_a_dash_and_the_votes_so_far():
    figure = CommunityFigure(ship=4, total=4, minimum=5)
    assert (figure.share, figure.label, figure.counts) == (None, "—", "4 votes so far")
    assert CommunityFigure(ship=1, total=1, minimum=5).counts == "1 vote so far"


def test_at_the_minimum_shows_the_share_of_ship_votes_with_the_count():
    figure = CommunityFigure(ship=3, total=5, minimum=5)
    assert (figure.label, figure.counts, figure.skip) == ("60%", "5 votes", 2)
    assert str(CommunityFigure(ship=30, total=48, minimum=5)) == "62% · 48 votes"


def test_the_minimum_comes_from_the_setting(settings):
    settings.COMMUNITY_MIN_VOTES = 2
    assert CommunityFigure(ship=1, total=2).label == "50%"
    settings.COMMUNITY_MIN_VOTES = 3
    assert CommunityFigure(ship=1, total=2).label == "—"


def test_figures_for_many_tools_in_one_query(django_assert_num_queries, settings):
    settings.COMMUNITY_MIN_VOTES = 1
    voted, unvoted = ToolFactory(), ToolFactory()
    VoteFactory.create_batch(3, tool=voted, verdict="ship")
    VoteFactory(tool=voted, verdict="skip")
    with django_assert_num_queries(1):
        figures = community_figures([voted.pk, unvoted.pk])
    assert str(figures[voted.pk]) == "75% · 4 votes"
    assert (figures[unvoted.pk].label, figures[unvoted.pk].counts) == (
        "—",
        "No votes yet",
    )


@pytest.mark.parametrize(
    ("panel", "community", "sentence"),
    [
        (75, 55, ""),
        (100, 50, "The panel says ship; readers are split."),
        (75, 20, "The panel says ship; readers say skip."),
        (50, 90, "The panel is split; readers say ship."),
        (10, 45, "The panel says skip; readers are split."),
        (
            100,
            75,
            "The panel and readers both lean ship, the panel more firmly: 100% "
            "of the panel and 75% of readers say ship.",
        ),
        (None, 10, ""),
        (90, None, ""),
    ],
)
def test_a_plain_sentence_where_panel_and_readers_differ_by_25_points(
    panel, community, sentence
):
    assert disagreement(panel, community) == sentence
