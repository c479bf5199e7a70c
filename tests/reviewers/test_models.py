import pytest
from django.db.models import ProtectedError

from reviewers.models import Review, Reviewer
from tests.integrity import refused_by_database
from tests.reviewers.factories import ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_verdict_outside_the_choices_is_refused_by_the_database():
    review = ReviewFactory()
    refused_by_database(
        lambda: Review.objects.filter(pk=review.pk).update(verdict="meh")
    )


def test_one_verdict_per_persona_and_tool():
    review = ReviewFactory()
    refused_by_database(
        lambda: ReviewFactory(reviewer=review.reviewer, tool=review.tool)
    )


def test_persona_with_verdicts_cannot_be_deleted():
    review = ReviewFactory()
    with pytest.raises(ProtectedError):
        review.reviewer.delete()


def test_tool_with_verdicts_cannot_be_deleted():
    review = ReviewFactory()
    with pytest.raises(ProtectedError):
        review.tool.delete()


def test_inactive_persona_filter():
    ReviewerFactory(active=False)
    active = ReviewerFactory()
    assert list(Reviewer.objects.active()) == [active]
