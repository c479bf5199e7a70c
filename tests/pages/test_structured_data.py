"""What search engines read: schema.org JSON-LD on tool and comparison
pages, parsed back out of the page as a crawler would."""

import json
import re

import pytest

from reviewers.models import Review
from tests.comparisons.factories import ComparisonFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def graph_of(response) -> dict[str, list[dict]]:
    """The page's JSON-LD entities, grouped by @type."""
    blocks = SCRIPT.findall(response.content.decode())
    assert len(blocks) == 1, blocks
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    entities: dict[str, list[dict]] = {}
    for entity in data["@graph"]:
        entities.setdefault(entity["@type"], []).append(entity)
    return entities


def crumbs(entities) -> list[tuple[int, str, str]]:
    (trail,) = entities["BreadcrumbList"]
    return [
        (item["position"], item["name"], item["item"])
        for item in trail["itemListElement"]
    ]


def test_a_tool_page_describes_the_tool_with_the_panels_reviews(
    client, panel, settings
):
    tool = panel["left"]
    Review.objects.filter(tool=tool, verdict="skip").update(quote="Too early.")
    entities = graph_of(client.get(tool.get_absolute_url()))

    (software,) = entities["SoftwareApplication"]
    assert software["name"] == "Claw Code"
    assert software["url"] == f"{settings.SITE_URL}/tools/claw-code/"
    assert software["applicationCategory"] == tool.category.name
    assert software["aggregateRating"] == {
        "@type": "AggregateRating",
        "name": "Panel ship",
        "ratingValue": 75,
        "bestRating": 100,
        "worstRating": 0,
        "ratingCount": 4,
        "reviewCount": 4,
    }
    ratings = sorted(
        review["reviewRating"]["ratingValue"] for review in software["review"]
    )
    assert ratings == [0, 1, 1, 1]
    (skip,) = [r for r in software["review"] if r["reviewRating"]["ratingValue"] == 0]
    assert skip["reviewBody"] == "Too early."
    assert skip["name"].endswith(": Skip")
    (publisher,) = entities["Organization"]
    assert skip["author"] == {"@id": publisher["@id"]}
    assert publisher["name"] == settings.SITE_NAME

    assert crumbs(entities) == [
        (1, "Home", f"{settings.SITE_URL}/"),
        (
            2,
            tool.category.name,
            f"{settings.SITE_URL}{tool.category.get_absolute_url()}",
        ),
        (3, "Claw Code", software["url"]),
    ]


def test_a_tool_nobody_judged_has_no_rating(client):
    tool = ToolFactory(pricing_tier="open_source")
    (software,) = graph_of(client.get(tool.get_absolute_url()))["SoftwareApplication"]
    assert "aggregateRating" not in software
    assert software["review"] == []
    assert software["offers"]["price"] == "0"


def test_a_comparison_is_an_article_about_both_tools(client, comparison, settings):
    comparison.left.category = comparison.right.category
    comparison.left.save()
    entities = graph_of(client.get(comparison.get_absolute_url()))

    (article,) = entities["Article"]
    assert article["headline"] == "Claw Code vs Modal GPU Serverless Inference"
    assert article["description"] == comparison.standfirst
    assert article["datePublished"] == comparison.published_at.isoformat()
    tools = {tool["name"]: tool for tool in entities["SoftwareApplication"]}
    assert set(tools) == {"Claw Code", "Modal GPU Serverless Inference"}
    assert article["about"] == [
        {"@id": tools["Claw Code"]["@id"]},
        {"@id": tools["Modal GPU Serverless Inference"]["@id"]},
    ]
    assert tools["Claw Code"]["aggregateRating"]["ratingValue"] == 75
    assert (
        tools["Modal GPU Serverless Inference"]["aggregateRating"]["ratingValue"] == 100
    )
    assert [name for _, name, _ in crumbs(entities)] == [
        "Home",
        comparison.left.category.name,
        "Claw Code vs Modal GPU Serverless Inference",
    ]


def test_text_that_looks_like_markup_cannot_leave_the_script(client):
    tagline = '</script><script>alert("x")</script> & more'
    tool = ToolFactory(tagline=tagline, category=CategoryFactory(name="A <b> & C"))
    response = client.get(tool.get_absolute_url())
    assert "</script><script>alert" not in response.content.decode()
    (software,) = graph_of(response)["SoftwareApplication"]
    assert software["description"] == tagline
    assert software["applicationCategory"] == "A <b> & C"


def test_drafts_previews_and_quick_pages_carry_none(client, admin_client):
    draft = ComparisonFactory(draft=True)
    assert not SCRIPT.search(admin_client.get(draft.get_absolute_url()).text)
    assert not SCRIPT.search(client.get(draft.get_absolute_url()).text)
    left, right = ToolFactory(), ToolFactory()
    assert not SCRIPT.search(client.get(f"/compare/{left.slug}-vs-{right.slug}/").text)
