"""A slug that changes keeps its old addresses alive as permanent
redirects, so links already published never break."""

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import FormerSlug
from tests.comparisons.factories import ComparisonFactory
from tests.editorial.helpers import tool_form
from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db


def renamed(obj, slug: str):
    obj.slug = slug
    obj.save()
    return obj


def test_a_renamed_tool_is_renamed_in_the_admin_and_its_old_pages_redirect(
    editor_client,
):
    tool = ToolFactory(name="Patchwise", slug="patchwise")
    url = reverse("admin:tools_tool_change", args=[tool.pk])
    data = tool_form(editor_client, url)
    response = editor_client.post(url, {**data, "slug": "patchwise-ai"}, follow=True)
    assert response.status_code == 200
    editor_client.logout()

    for old, new in [
        ("/tools/patchwise/", "/tools/patchwise-ai/"),
        ("/tools/patchwise/alternatives/", "/tools/patchwise-ai/alternatives/"),
        ("/tools/patchwise/?page=2", "/tools/patchwise-ai/?page=2"),
    ]:
        response = editor_client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new
    assert editor_client.get("/tools/patchwise-ai/").status_code == 200


def test_personas_and_categories_redirect_from_their_old_slugs(client):
    persona = renamed(ReviewerFactory(slug="the-sceptic"), "the-skeptic")
    category = renamed(CategoryFactory(slug="agents"), "coding-agents")

    response = client.get("/reviewers/the-sceptic/")
    assert (response.status_code, response["Location"]) == (
        301,
        "/reviewers/the-skeptic/",
    )
    response = client.get("/categories/agents/?sort=newest")
    assert response.status_code == 301
    assert response["Location"] == "/categories/coding-agents/?sort=newest"
    assert client.get(persona.get_absolute_url()).status_code == 200
    assert client.get(category.get_absolute_url()).status_code == 200


def test_renaming_a_tool_moves_its_comparisons_and_keeps_the_old_address():
    comparison = ComparisonFactory(left__slug="claw-code", right__slug="patchwise")
    assert comparison.get_absolute_url() == "/compare/claw-code-vs-patchwise/"
    renamed(comparison.right, "patchwise-ai")

    comparison.refresh_from_db()
    assert comparison.slug == "claw-code-vs-patchwise-ai"
    response = Client().get("/compare/claw-code-vs-patchwise/")
    assert response.status_code == 301
    assert response["Location"] == "/compare/claw-code-vs-patchwise-ai/"
    assert Client().get(response["Location"]).status_code == 200


def test_a_chain_of_renames_leads_to_the_current_address(client):
    tool = ToolFactory(slug="first")
    for slug in ["second", "third"]:
        renamed(tool, slug)
    for old in ["first", "second"]:
        response = client.get(f"/tools/{old}/")
        assert response["Location"] == "/tools/third/"


def test_taking_a_slug_back_and_live_objects_win(client):
    tool = renamed(renamed(ToolFactory(slug="alpha"), "beta"), "alpha")
    assert client.get("/tools/alpha/").status_code == 200
    assert client.get("/tools/beta/")["Location"] == "/tools/alpha/"
    assert not FormerSlug.objects.filter(slug="alpha").exists()

    # Another tool taking a former slug is what readers get there.
    newcomer = ToolFactory(slug="beta")
    response = client.get("/tools/beta/")
    assert response.status_code == 200
    assert newcomer.name in response.text
    assert tool.name not in response.text


def test_an_address_nothing_ever_had_and_a_deleted_objects_stay_404(client):
    assert client.get("/tools/never-was/").status_code == 404
    tool = renamed(ToolFactory(slug="gone"), "going")
    tool.delete()
    assert client.get("/tools/gone/").status_code == 404
    assert not FormerSlug.objects.exists()


def test_a_save_that_keeps_the_slug_records_nothing():
    tool = ToolFactory(slug="steady")
    tool.tagline = "Still here."
    tool.save()
    tool.save(update_fields=["tagline"])
    assert not FormerSlug.objects.exists()


def test_a_missing_page_costs_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    """A miss is the live lookup and one for a former slug, whatever the
    address."""
    with django_assert_max_num_queries(3):
        assert client.get("/tools/never-was/").status_code == 404
    with django_assert_max_num_queries(3):
        assert client.get("/compare/never-vs-was-vs-here/").status_code == 404


def test_a_quick_pair_made_from_an_old_tool_slug_redirects(client):
    left = renamed(ToolFactory(slug="patchwise"), "patchwise-ai")
    right = ToolFactory(slug="claw-code")
    response = client.get("/compare/patchwise-vs-claw-code/?utm=x")
    assert response.status_code == 301
    assert response["Location"] == "/compare/patchwise-ai-vs-claw-code/"
    assert client.get(response["Location"]).status_code == 200
    # Both halves old, in the other order, to a written comparison.
    renamed(right, "claw")
    written = ComparisonFactory(left=left, right=right)
    response = client.get("/compare/claw-code-vs-patchwise/", follow=True)
    assert response.redirect_chain[-1][0] == written.get_absolute_url()
    assert response.status_code == 200
