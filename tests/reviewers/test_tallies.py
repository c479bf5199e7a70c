"""Panel tallies stay equal to a fresh count of active personas' verdicts,
whatever writes them, and lists read them instead of counting."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from reviewers.models import PanelTally, Review, Reviewer
from reviewers.panel import panel_figures
from reviewers.tallies import panel_drifted
from tests.conftest import missing_service
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def counted(tool) -> tuple[int, int]:
    on_panel = Review.objects.filter(tool=tool, reviewer__active=True)
    return on_panel.filter(verdict="ship").count(), on_panel.count()


def assert_exact(tool, ship: int, total: int) -> None:
    """The figure lists show, a recount and the drift check all agree."""
    assert counted(tool) == (ship, total)
    figure = panel_figures([tool.pk])[tool.pk]
    assert (figure.ship, figure.total) == (ship, total)
    assert panel_drifted() == 0


def test_every_kind_of_change_keeps_the_panel_tallies_exact():
    tool, other = ToolFactory(), ToolFactory()
    first, second, third = ReviewerFactory.create_batch(3)
    assert_exact(tool, 0, 0)

    ship = ReviewFactory(reviewer=first, tool=tool, verdict="ship")  # new verdicts
    skip = ReviewFactory(reviewer=second, tool=tool, verdict="skip")
    ReviewFactory(reviewer=third, tool=other, verdict="ship")
    assert_exact(tool, 1, 2)

    skip.verdict = "ship"  # a change of mind, through the model
    skip.save()
    assert_exact(tool, 2, 2)

    Review.objects.filter(pk=skip.pk).update(verdict="skip")  # a bulk update
    assert_exact(tool, 1, 2)

    ship.tool = other  # an editor moves a verdict to another tool
    ship.save()
    assert_exact(tool, 0, 1)
    assert_exact(other, 2, 2)

    Review.objects.filter(pk=ship.pk).update(reviewer=third, tool=tool)
    assert_exact(tool, 1, 2)  # a persona who already judged `other` there

    second.active = False  # standing a persona down, and seating it again
    second.save()
    assert_exact(tool, 1, 1)
    Reviewer.objects.filter(pk=second.pk).update(active=True)
    assert_exact(tool, 1, 2)

    # A stood-down persona's verdicts count for nothing until it returns.
    second.refresh_from_db()
    second.active = False
    second.save()
    ReviewFactory(reviewer=second, tool=other, verdict="skip")
    assert_exact(other, 1, 1)
    Review.objects.filter(reviewer=second, tool=tool).update(verdict="ship")
    assert_exact(tool, 1, 1)

    Review.objects.filter(reviewer=third).delete()  # deletions
    assert_exact(tool, 0, 0)
    Review.objects.bulk_create(
        [Review(reviewer=first, tool=tool, verdict="ship", quote="Bulk.")]
    )
    assert_exact(tool, 1, 1)


def test_a_rolled_back_change_leaves_no_trace():
    tool = ToolFactory()
    persona = ReviewerFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        ReviewFactory(reviewer=persona, tool=tool, verdict="ship")
        raise RuntimeError
    assert_exact(tool, 0, 0)


def test_the_rebuild_command_recounts_what_drifted():
    tool = ToolFactory()
    for persona in ReviewerFactory.create_batch(3):
        ReviewFactory(reviewer=persona, tool=tool, verdict="ship")
    PanelTally.objects.filter(tool=tool).update(ship=0, total=9)
    assert panel_drifted() == 1

    out = StringIO()
    call_command("rebuild_panel_tallies", stdout=out)
    assert "1 tool's tally disagreed with the verdicts; recounted." in out.getvalue()
    assert_exact(tool, 3, 3)
    out = StringIO()
    call_command("rebuild_panel_tallies", stdout=out)
    assert "Every panel tally agreed with the verdicts." in out.getvalue()


def test_the_tools_index_reads_the_tallies_not_the_verdicts(client):
    """Proof that the page reads the tally: a tally set by hand shows."""
    tool = ToolFactory(name="Tallied")
    PanelTally.objects.create(tool=tool, ship=2, total=8)
    text = client.get("/tools/").content.decode()
    assert "25%" in text and "2 of 8" in text


@pytest.fixture
def postgresql(transactional_db):
    if connection.vendor != "postgresql":
        missing_service(
            "Concurrent verdicts need PostgreSQL (set DATABASE_URL); SQLite "
            "serialises every write, so it would prove nothing"
        )


def test_simultaneous_verdicts_and_a_persona_stood_down_stay_exact(postgresql):
    """Twelve editors' transactions at once: eleven give verdicts on the same
    tool while one stands a persona down; the tally ends exactly right."""
    tool = ToolFactory()
    personas = ReviewerFactory.create_batch(11)
    leaving = personas[0]
    start = threading.Barrier(len(personas) + 1)
    errors: list[BaseException] = []

    def give(persona) -> None:
        try:
            start.wait(timeout=60)
            with transaction.atomic():
                Review.objects.create(
                    reviewer=persona, tool=tool, verdict="ship", quote="At once."
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def stand_down() -> None:
        try:
            start.wait(timeout=60)
            Reviewer.objects.filter(pk=leaving.pk).update(active=False)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(p,)) for p in personas]
    threads.append(threading.Thread(target=stand_down))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert_exact(tool, 10, 10)
