import pytest

from reviewers.models import Review
from tests.pages import text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory
from tools.models import Tool

pytestmark = pytest.mark.django_db


def tool_form_data(*, verdicts: list[tuple], initial: int = 0, **fields) -> dict:
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
        tool_form_data(
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
        tool_form_data(
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
        tool_form_data(
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


def test_the_persona_of_a_verdict_row_is_picked_without_related_icons(
    editor_client, panel
):
    """No add, change, delete or view icons beside the persona select of a
    tool's verdict rows; the verdict's own fields are all there."""
    tool = panel["left"]
    page = editor_client.get(f"/admin/tools/tool/{tool.pk}/change/").content.decode()
    assert 'name="reviews-0-reviewer"' in page
    for icon in ("add", "change", "delete", "view"):
        assert f'id="{icon}_id_reviews-0-reviewer"' not in page
    assert 'name="reviews-0-verdict"' in page


def test_admin_dates_read_as_the_site_writes_them(editor_client, comparison):
    from django.utils import timezone

    listing = editor_client.get("/admin/comparisons/comparison/").content.decode()
    today = timezone.localtime(comparison.updated_at)
    assert f"{today:%-d %B %Y}, {today:%H:%M}" in listing
