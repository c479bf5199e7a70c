import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from comparisons.models import Comparison
from reviewers.models import PanelTally, Review
from reviewers.tallies import panel_drifted
from tools.community import community_figure
from tools.models import Category, Tool, Vote
from tools.tallies import tallies_drifted

pytestmark = pytest.mark.django_db

SMALL = {
    "categories": 3,
    "tools": 20,
    "personas": 2,
    "comparisons": 5,
    "viral_votes": 100,
    "votes": 300,
}


def test_seed_scale_loads_at_scale_on_postgresql_and_refuses_elsewhere(capsys):
    """On PostgreSQL: the catalogue, the verdicts, the comparisons, the votes
    and exact tallies, once. On SQLite: a refusal that says why."""
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="seed_scale needs PostgreSQL"):
            call_command("seed_scale", **SMALL)
        return
    call_command("seed_scale", **SMALL)
    assert Category.objects.filter(slug__startswith="scale-").count() == 3
    assert Tool.objects.filter(slug__startswith="scale-tool-").count() == 20
    assert Review.objects.filter(tool__slug__startswith="scale-").count() == 40
    published = Comparison.objects.published()
    assert published.filter(slug__startswith="scale-").count() == 5
    assert Vote.objects.count() == 300
    viral = Tool.objects.get(slug="scale-tool-1")
    assert community_figure(viral.pk).total == 100
    assert tallies_drifted() == 0
    assert panel_drifted() == 0
    assert PanelTally.objects.filter(tool__slug__startswith="scale-").count() == 20
    assert "Scale content loaded." in capsys.readouterr().out

    call_command("seed_scale", **SMALL)
    assert "loaded already; nothing changed" in capsys.readouterr().out
    assert Vote.objects.count() == 300
