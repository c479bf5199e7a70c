import pytest
from django.test import Client
from django.urls import reverse

from tests.editorial.factories import contributor, editor
from tests.editorial.helpers import change_url, opened_form, save_form, tool_form
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


def test_a_save_after_someone_elses_is_refused_and_keeps_the_input(comparison):
    """Bea opens the form, Carl saves, Bea saves: Bea is told Carl saved and
    when, nothing of hers is written, and her text is still in the form."""
    bea, carl = Client(), Client()
    bea.force_login(contributor(first_name="Bea", last_name="Writer"))
    carl.force_login(editor(first_name="Carl", last_name="Editor"))
    beas_form = opened_form(bea, comparison)

    save_form(carl, comparison, standfirst="Carl's standfirst.")

    response = bea.post(
        change_url(comparison),
        {**beas_form, "standfirst": "Bea's standfirst, typed with care."},
    )
    assert response.status_code == 200
    assert "Carl Editor saved this comparison at" in response.text
    assert "after you opened it" in response.text
    assert "Bea&#x27;s standfirst, typed with care." in response.text
    comparison.refresh_from_db()
    assert comparison.pending_changes["standfirst"] == "Carl's standfirst."


def test_a_save_with_a_fresh_form_goes_through(client, comparison):
    client.force_login(editor())
    save_form(client, comparison, standfirst="One.")
    save_form(client, comparison, standfirst="Two.")
    comparison.refresh_from_db()
    assert comparison.pending_changes["standfirst"] == "Two."


def test_tools_are_guarded_too(client):
    """The same refusal protects a tool's page."""
    tool = ToolFactory()
    url = reverse("admin:tools_tool_change", args=[tool.pk])
    client.force_login(editor(first_name="Dee", last_name="Desk"))
    data = tool_form(client, url)
    client.post(url, {**data, "tagline": "First save wins."})
    response = client.post(url, {**data, "tagline": "Second, from a stale form."})
    assert "Dee Desk saved this tool at" in response.text
    tool.refresh_from_db()
    assert tool.tagline == "First save wins."


def _guarded_pair(url: str, inlines: dict[str, str] | None = None):
    """Two editors open the same form; returns both clients and its data."""
    first, second = Client(), Client()
    first.force_login(editor(first_name="Dee", last_name="Desk"))
    second.force_login(editor(first_name="Sam", last_name="Stale"))
    form = second.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    return first, second, {**data, **(inlines or {})}


def test_categories_are_guarded_too(client):
    """A stale category form is refused and names who saved first."""
    category = CategoryFactory(description="First words.")
    url = reverse("admin:tools_category_change", args=[category.pk])
    first, second, data = _guarded_pair(url)
    assert data["edit_token"]

    first.post(url, {**data, "description": "Dee's words."})
    response = second.post(url, {**data, "description": "Sam's stale words."})

    assert response.status_code == 200
    assert "Dee Desk saved this category at" in response.text
    assert "Sam&#x27;s stale words." in response.text
    category.refresh_from_db()
    assert category.description == "Dee's words."


def test_personas_are_guarded_too(client, panel):
    """A stale persona form is refused and names who saved first."""
    persona = panel["personas"][0]
    url = reverse("admin:reviewers_reviewer_change", args=[persona.pk])
    reviews = persona.reviews.order_by("pk")
    inlines = {
        "reviews-TOTAL_FORMS": str(len(reviews)),
        "reviews-INITIAL_FORMS": str(len(reviews)),
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "1000",
    }
    for index, review in enumerate(reviews):
        inlines |= {
            f"reviews-{index}-id": str(review.pk),
            f"reviews-{index}-reviewer": str(persona.pk),
            f"reviews-{index}-tool": str(review.tool_id),
            f"reviews-{index}-verdict": review.verdict,
            f"reviews-{index}-quote": review.quote,
        }
    first, second, data = _guarded_pair(url, inlines)
    data["avatar"] = ""
    assert data["edit_token"]

    assert first.post(url, {**data, "lens": "Dee's lens"}).status_code == 302
    response = second.post(url, {**data, "lens": "Sam's stale lens"})

    assert response.status_code == 200
    assert "Dee Desk saved this persona at" in response.text
    persona.refresh_from_db()
    assert persona.lens == "Dee's lens"
