import pytest

from reviewers.panel import PanelFigure, panel_figure, panel_figures, scorecard_for
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def test_no_verdicts_shows_a_dash_and_says_so():
    figure = panel_figure(ToolFactory())
    assert (figure.label, figure.counts) == ("—", "No verdicts yet")


def test_one_ship_verdict_is_100_percent():
    review = ReviewFactory(verdict="ship")
    figure = panel_figure(review.tool)
    assert (figure.label, figure.counts) == ("100%", "1 of 1")


def test_all_ship():
    tool = ToolFactory()
    ReviewFactory.create_batch(3, tool=tool, verdict="ship")
    assert str(panel_figure(tool)) == "100% (3 of 3)"


def test_mixed_verdicts_three_of_four():
    tool = ToolFactory()
    ReviewFactory.create_batch(3, tool=tool, verdict="ship")
    ReviewFactory(tool=tool, verdict="skip")
    figure = panel_figure(tool)
    assert (figure.share, figure.label, figure.counts) == (75, "75%", "3 of 4")


def test_all_skip_is_zero_percent_not_a_dash():
    tool = ToolFactory()
    ReviewFactory.create_batch(2, tool=tool, verdict="skip")
    assert str(panel_figure(tool)) == "0% (0 of 2)"


def test_inactive_persona_is_left_out():
    tool = ToolFactory()
    ReviewFactory.create_batch(2, tool=tool, verdict="ship")
    ReviewFactory(tool=tool, verdict="skip", reviewer=ReviewerFactory(active=False))
    assert str(panel_figure(tool)) == "100% (2 of 2)"


def test_rounding_two_of_three():
    tool = ToolFactory()
    ReviewFactory.create_batch(2, tool=tool, verdict="ship")
    ReviewFactory(tool=tool, verdict="skip")
    assert panel_figure(tool).label == "67%"


def test_figures_for_many_tools_in_one_query(django_assert_num_queries):
    tools = ToolFactory.create_batch(3)
    ReviewFactory(tool=tools[0], verdict="ship")
    ReviewFactory(tool=tools[0], verdict="skip")
    with django_assert_num_queries(1):
        figures = panel_figures(tool.pk for tool in tools)
    assert figures[tools[0].pk] == PanelFigure(ship=1, total=2)
    assert figures[tools[2].pk] == PanelFigure(ship=0, total=0)


def test_scorecard_names_what_is_missing():
    left, right = ToolFactory(name="Alpha"), ToolFactory(name="Beta")
    skeptic = ReviewerFactory(name="The Skeptic")
    builder = ReviewerFactory(name="The Builder")
    for persona in (skeptic, builder):
        ReviewFactory(reviewer=persona, tool=left)
    ReviewFactory(reviewer=builder, tool=right)
    scorecard = scorecard_for([left, right])
    assert scorecard.missing == ["The Skeptic has no verdict on Beta yet"]
