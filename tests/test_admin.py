import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comparisons.models import Comparison
from reviewers.models import Review
from tests.comparisons.factories import ComparisonFactory
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory
from tools.models import Tool

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def tool_form(*, verdicts: list[tuple], initial: int = 0, **fields) -> dict:
    """POST data for the tool form with its inline panel verdicts.

    Each verdict is (reviewer pk, verdict, quote) or, for a saved one,
    (reviewer pk, verdict, quote, review pk).
    """
    data = {
        "tagline": "Does one thing well",
        "description": "Careful.",
        "pricing_tier": "freemium",
        **fields,
        "reviews-TOTAL_FORMS": str(len(verdicts)),
        "reviews-INITIAL_FORMS": str(initial),
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "1000",
    }
    for index, (reviewer, verdict, quote, *pk) in enumerate(verdicts):
        data[f"reviews-{index}-reviewer"] = reviewer
        data[f"reviews-{index}-verdict"] = verdict
        data[f"reviews-{index}-quote"] = quote
        if pk:
            data[f"reviews-{index}-id"] = pk[0]
    return data


def test_editor_group_holds_the_content_permissions_and_nothing_else():
    group = Group.objects.get(name="Editor")
    codenames = set(
        group.permissions.values_list("content_type__app_label", "codename")
    )
    expected = {
        (app, f"{action}_{model}")
        for app, models in {
            "tools": ["category", "tool"],
            "reviewers": ["reviewer", "review"],
            "comparisons": ["comparison"],
        }.items()
        for model in models
        for action in ("add", "change", "delete", "view")
    }
    # Readers' votes: editors see them and clean up review-bombing, but
    # never cast or change one.
    expected |= {("tools", "view_vote"), ("tools", "delete_vote")}
    # The editorial workflow: submit, publish (and schedule, unpublish),
    # restore revisions, read the audit log.
    expected |= {
        ("comparisons", "submit_comparison"),
        ("comparisons", "publish_comparison"),
        ("comparisons", "restore_comparison"),
        ("editorial", "view_auditentry"),
    }
    assert codenames == expected


def test_tool_list_shows_category_tier_and_panel_figure(editor_client, panel):
    text = text_of(editor_client.get("/admin/tools/tool/"))
    assert "Claw Code" in text
    assert "75% (3 of 4)" in text
    assert "100% (4 of 4)" in text
    assert "Freemium" in text
    searched = text_of(editor_client.get("/admin/tools/tool/?q=claw"))
    assert "Claw Code" in searched and "Modal GPU" not in searched


def test_editor_adds_a_tool_with_the_panels_verdicts_inline(editor_client):
    builder = ReviewerFactory(name="The Builder")
    skeptic = ReviewerFactory(name="The Skeptic")
    category = CategoryFactory()
    form = editor_client.get("/admin/tools/tool/add/").content.decode()
    # One empty verdict form per active persona, each naming its persona.
    assert 'name="reviews-TOTAL_FORMS"' in form
    assert f'<option value="{builder.pk}" selected>' in form
    assert f'<option value="{skeptic.pk}" selected>' in form
    response = editor_client.post(
        "/admin/tools/tool/add/",
        tool_form(
            name="Patchwise",
            slug="patchwise",
            category=category.pk,
            verdicts=[
                (builder.pk, "ship", "Caught a real bug on day one."),
                (skeptic.pk, "skip", "Wants read access to everything."),
            ],
        ),
    )
    assert response.status_code == 302, text_of(response)
    tool = Tool.objects.get(slug="patchwise")
    assert sorted(tool.reviews.values_list("verdict", flat=True)) == ["ship", "skip"]


def test_untouched_verdict_forms_are_left_out(editor_client):
    """Empty verdict forms named after a persona do not block saving."""
    builder, skeptic = ReviewerFactory(), ReviewerFactory()
    response = editor_client.post(
        "/admin/tools/tool/add/",
        tool_form(
            name="Shellwright",
            slug="shellwright",
            category=CategoryFactory().pk,
            verdicts=[
                (builder.pk, "ship", "Right amount of friction."),
                (skeptic.pk, "", ""),
            ],
        ),
    )
    assert response.status_code == 302, text_of(response)
    tool = Tool.objects.get(slug="shellwright")
    assert list(tool.reviews.values_list("reviewer", flat=True)) == [builder.pk]


def test_a_second_verdict_by_the_same_persona_is_a_form_error(editor_client):
    review = ReviewFactory()
    tool = review.tool
    response = editor_client.post(
        f"/admin/tools/tool/{tool.pk}/change/",
        tool_form(
            name=tool.name,
            slug=tool.slug,
            category=tool.category_id,
            initial=1,
            verdicts=[
                (review.reviewer_id, "ship", review.quote, review.pk),
                (review.reviewer_id, "skip", "Twice?"),
            ],
        ),
    )
    assert response.status_code == 200
    assert "Please correct the duplicate data for reviewer" in text_of(response)
    assert Review.objects.count() == 1


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
    assert "Only staff can see this page" in text_of(response)
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
    assert reader.get(draft.get_absolute_url()).status_code == 404


def test_deleting_a_tool_in_use_is_refused_not_a_500(editor_client, comparison):
    url = f"/admin/tools/tool/{comparison.left_id}/delete/"
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in (
        text_of(page)
    )
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Tool.objects.filter(pk=comparison.left_id).exists()


def test_deleting_a_persona_with_verdicts_is_refused(editor_client, panel):
    persona = panel["personas"][0]
    response = editor_client.post(
        f"/admin/reviewers/reviewer/{persona.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 200
    assert "protected related objects" in text_of(response)
    bulk = editor_client.post(
        "/admin/reviewers/reviewer/",
        {"action": "delete_selected", "_selected_action": [persona.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    assert "protected related objects" in text_of(bulk)
    assert persona.__class__.objects.filter(pk=persona.pk).exists()


def test_persona_seat_and_active_are_editable_from_the_list(editor_client, panel):
    first, second = panel["personas"][:2]
    page = editor_client.get("/admin/reviewers/reviewer/").content.decode()
    assert 'name="form-0-seat"' in page and 'name="form-0-active"' in page
    assert "2 verdicts" in text_of(editor_client.get("/admin/reviewers/reviewer/"))
    personas = panel["personas"]
    data = {
        "form-TOTAL_FORMS": str(len(personas)),
        "form-INITIAL_FORMS": str(len(personas)),
        "_save": "Save",
    }
    for index, persona in enumerate(personas):
        data[f"form-{index}-id"] = persona.pk
        data[f"form-{index}-seat"] = persona.seat
        if persona != first:
            data[f"form-{index}-active"] = "on"
    data["form-0-seat"] = 99
    response = editor_client.post("/admin/reviewers/reviewer/", data)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.active is False and first.seat == 99
    assert second.__class__.objects.get(pk=second.pk).active is True


def test_editor_cannot_reach_users(editor_client):
    assert editor_client.get("/admin/auth/user/").status_code == 403


def test_the_category_list_counts_tools_in_one_query(editor_client):
    """Each row shows its number of tools; more categories cost no more
    queries."""

    def listing() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            page = text_of(editor_client.get("/admin/tools/category/"))
        return page, len(queries)

    first = CategoryFactory(name="Agents")
    ToolFactory.create_batch(2, category=first)
    _, few = listing()
    for name in ("Coding", "Search", "Voice"):
        ToolFactory(category=CategoryFactory(name=name))
    page, many = listing()
    assert many == few
    assert re.search(r"Agents \S+ 2 Coding \S+ 1 Search \S+ 1 Voice \S+ 1", page)


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
