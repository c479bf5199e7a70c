from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.factories import editor

pytestmark = pytest.mark.django_db


def test_each_status_filter_lists_exactly_the_comparisons_with_that_label(client):
    """The filter, the state and the label agree, state by state."""
    now = timezone.now()
    made = {
        "Draft": ComparisonFactory(draft=True),
        "In review": ComparisonFactory(draft=True, review_requested_at=now),
        "Scheduled": ComparisonFactory(
            draft=True, scheduled_at=now + timedelta(days=1)
        ),
        "Live": ComparisonFactory(),
        "Live with unpublished changes": ComparisonFactory(),
        "Unpublished": ComparisonFactory(
            status=Comparison.Status.DRAFT, published_at=now - timedelta(days=3)
        ),
    }
    # The factory's `draft` is its draft-state switch, so set the field here.
    changes = made["Live with unpublished changes"]
    changes.pending_changes = {"standfirst": "Pending words."}
    changes.save()
    client.force_login(editor())
    url = reverse("admin:comparisons_comparison_changelist")
    for state, label in Comparison.State.choices:
        response = client.get(url, {"state": state})
        listed = set(response.context["cl"].result_list)
        assert listed == {made[label]}, state
        (comparison,) = listed
        assert comparison.state == state
        assert comparison.status_label.startswith(label)
        assert comparison.title in response.text
