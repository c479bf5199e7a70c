import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from comparisons.models import Comparison
from tests.comparisons.factories import ComparisonFactory
from tests.integrity import refused_by_database
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def test_comparison_status_outside_the_choices_is_refused_by_the_database():
    comparison = ComparisonFactory()
    refused_by_database(
        lambda: Comparison.objects.filter(pk=comparison.pk).update(status="gone")
    )


def test_pair_is_unique_whatever_the_order():
    comparison = ComparisonFactory()
    refused_by_database(
        lambda: ComparisonFactory(left=comparison.right, right=comparison.left)
    )
    refused_by_database(
        lambda: Comparison.objects.create(
            left=comparison.left, right=comparison.right, slug="other-slug"
        )
    )


def test_reversed_pair_fails_validation_with_a_clear_message():
    comparison = ComparisonFactory()
    reversed_pair = Comparison(left=comparison.right, right=comparison.left)
    with pytest.raises(ValidationError) as error:
        reversed_pair.full_clean()
    assert "already compared" in str(error.value)


def test_a_tool_cannot_be_compared_with_itself():
    tool = ToolFactory()
    refused_by_database(lambda: ComparisonFactory(left=tool, right=tool))
    with pytest.raises(ValidationError) as error:
        Comparison(left=tool, right=tool).full_clean()
    assert "cannot be compared with itself" in str(error.value)


def test_published_comparison_needs_a_publication_time():
    comparison = ComparisonFactory()
    refused_by_database(
        lambda: Comparison.objects.filter(pk=comparison.pk).update(published_at=None)
    )


def test_slug_is_made_from_the_two_tools():
    comparison = ComparisonFactory(
        left=ToolFactory(slug="claw-code"), right=ToolFactory(slug="modal")
    )
    assert comparison.slug == "claw-code-vs-modal"
    assert comparison.get_absolute_url() == "/compare/claw-code-vs-modal/"


def test_tool_used_by_a_comparison_cannot_be_deleted():
    comparison = ComparisonFactory()
    with pytest.raises(ProtectedError):
        comparison.left.delete()


def test_status_labels():
    assert ComparisonFactory(draft=True).status_label == "Draft"
    assert ComparisonFactory().status_label == "Live"
