import pytest
from django.core.management import call_command
from django.test import Client

from comparisons.models import Comparison
from newsletter.models import Issue
from reviewers.models import Review, Reviewer
from reviewers.panel import panel_figure
from tools.models import Category, Tool

pytestmark = pytest.mark.django_db


def snapshot() -> list:
    return [
        list(model.objects.order_by("pk").values())
        for model in (Category, Tool, Reviewer, Review, Comparison)
    ]


def test_seed_demo_loads_the_seed_comparison_and_can_run_twice(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "nothing changed" in capsys.readouterr().out

    seed = Comparison.objects.get(slug="claw-code-vs-modal-gpu-serverless-inference")
    assert seed.is_live
    for tool in seed.tools:
        assert tool.category.name == "Developer Tools"
        assert tool.get_pricing_tier_display() == "Paid"
    assert str(panel_figure(seed.left)) == "75% (3 of 4)"
    assert str(panel_figure(seed.right)) == "100% (4 of 4)"

    assert Tool.objects.count() >= 8
    assert Category.objects.count() >= 3
    assert Comparison.objects.published().count() >= 4
    assert Comparison.objects.filter(status="draft").count() >= 1
    older = Comparison.objects.published().exclude(pk=seed.pk)
    assert all(comparison.published_at < seed.published_at for comparison in older)

    # The next newsletter issue waits as a draft, ready for a test send.
    (issue,) = Issue.objects.all()
    assert issue.status == "draft" and issue.send_at is None
    assert seed in issue.ordered_comparisons()

    page = Client().get(seed.get_absolute_url()).content.decode()
    assert "Claw Code" in page and "75%" in page and "100%" in page
