import re

import pytest
from django.test import Client

from comparisons.models import Comparison
from tests.comparisons.factories import ComparisonFactory
from tests.pages import shows_no_written_comparison, text_of
from tests.reviewers.factories import ReviewerFactory

pytestmark = pytest.mark.django_db


def test_editor_creates_a_comparison_through_autocomplete(editor_client, editor, panel):
    found = editor_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "comparisons",
            "model_name": "comparison",
            "field_name": "left",
            "term": "claw",
        },
    ).json()
    assert [item["text"] for item in found["results"]] == ["Claw Code"]
    form = editor_client.get("/admin/comparisons/comparison/add/").content.decode()
    assert 'class="admin-autocomplete"' in form
    response = editor_client.post(
        "/admin/comparisons/comparison/add/",
        {
            "left": found["results"][0]["id"],
            "right": panel["right"].pk,
            "standfirst": "Which one?",
            "bottom_line": "Both.",
            "status": "draft",
        },
    )
    assert response.status_code == 302
    comparison = Comparison.objects.get()
    assert comparison.slug == "claw-code-vs-modal-gpu-serverless-inference"
    assert comparison.author == editor
    assert comparison.status_label == "Draft"


def test_the_same_pair_reversed_is_refused_with_a_message(editor_client, comparison):
    response = editor_client.post(
        "/admin/comparisons/comparison/add/",
        {
            "left": comparison.right_id,
            "right": comparison.left_id,
            "standfirst": "Again?",
            "status": "draft",
        },
    )
    assert response.status_code == 200
    assert "These two tools are already compared" in text_of(response)
    assert Comparison.objects.count() == 1


def test_scorecard_preview_names_what_is_missing(editor_client, comparison):
    ReviewerFactory(name="The Latecomer")
    page = text_of(
        editor_client.get(f"/admin/comparisons/comparison/{comparison.pk}/change/")
    )
    assert "The Latecomer has no verdict on Claw Code yet" in page
    assert "The Latecomer has no verdict on Modal GPU Serverless Inference yet" in page
    assert "Claw Code : panel ship 75% (3 of 5)" not in page
    assert "panel ship 75% (3 of 4)" in page


def test_draft_and_live_comparisons_link_to_the_site_once(editor_client, panel):
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    url = f"/admin/comparisons/comparison/{draft.pk}/change/"
    page = editor_client.get(url).content.decode()
    link = re.findall(r'<a href="([^"]+)"[^>]*>View draft on site</a>', page)
    assert link == [draft.get_absolute_url()]
    assert "View on site" not in page
    # The link leads the editor to the draft at its real URL.
    response = editor_client.get(link[0])
    assert response.status_code == 200
    assert "Only staff can see this text" in text_of(response)
    draft.status = "published"
    draft.save()
    page = editor_client.get(url).content.decode()
    assert page.count(">View on site</a>") == 1


def test_publish_and_unpublish_actions(editor_client, panel):
    reader = Client()
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    listing = text_of(editor_client.get("/admin/comparisons/comparison/"))
    assert "Claw Code vs Modal GPU Serverless Inference Draft" in listing
    response = editor_client.post(
        "/admin/comparisons/comparison/",
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Published 1 comparison." in text_of(response)
    draft.refresh_from_db()
    assert draft.status_label == "Live" and draft.published_at is not None
    assert reader.get(draft.get_absolute_url()).status_code == 200
    response = editor_client.post(
        "/admin/comparisons/comparison/",
        {"action": "unpublish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Unpublished 1 comparison" in text_of(response)
    assert shows_no_written_comparison(reader.get(draft.get_absolute_url()), draft)


def test_bulk_unpublish_skips_a_draft_and_says_so(editor_client, comparison):
    """The live one comes down; the draft in the selection is named as not
    published, and nothing fails."""
    draft = ComparisonFactory(draft=True)
    response = editor_client.post(
        "/admin/comparisons/comparison/",
        {"action": "unpublish", "_selected_action": [comparison.pk, draft.pk]},
        follow=True,
    )
    page = text_of(response)
    assert "Unpublished 1 comparison; readers no longer see them." in page
    assert f"{draft} is not published." in page
    comparison.refresh_from_db()
    assert comparison.status == Comparison.Status.DRAFT
