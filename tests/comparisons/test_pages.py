import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from tests.comparisons.factories import ComparisonFactory
from tests.pages import shows_no_written_comparison, text_of
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import CategoryFactory, ToolFactory

pytestmark = pytest.mark.django_db

URL = "/compare/claw-code-vs-modal-gpu-serverless-inference/"


def test_comparison_page_shows_every_section(client, comparison, panel):
    response = client.get(URL)
    text = text_of(response)
    assert response.status_code == 200
    assert "AI tool comparison" in text
    assert "Claw Code vs Modal GPU Serverless Inference" in text
    assert comparison.standfirst in text
    # Both cards, with their figures and counts.
    assert "Panel ship 75% 3 of 4" in text
    assert "Panel ship 100% 4 of 4" in text
    assert text.count("Community — No votes yet") == 2
    assert "Entry Freemium" in text
    # Pricing read, scorecard, bottom line.
    assert "The pricing read" in text
    assert "In practice Free to start; paid plans per seat." in text
    assert "Reviewer scorecard" in text
    for persona in panel["personas"]:
        assert persona.name in text
    assert "The bottom line" in text
    assert "<strong>the left one</strong>" in response.content.decode()


def test_scorecard_is_a_table_with_caption_and_header_cells(client, comparison):
    html = client.get(URL).content.decode()
    table = html[html.index('<table class="table scorecard') :]
    table = table[: table.index("</table>")]
    assert "<caption>" in table
    assert table.count('<th scope="col">') == 3
    assert table.count('<th scope="row"') == 4


def test_verdicts_are_told_by_text_and_icon(client, comparison, panel):
    html = client.get(URL).content.decode()
    assert html.count('class="verdict verdict-skip"><svg aria-hidden="true"') == 1
    assert html.count('class="verdict verdict-ship"><svg aria-hidden="true"') == 7
    text = text_of(client.get(URL))
    skeptic = panel["personas"][1].name
    assert f"{skeptic} splits: ship on one tool, skip on the other." in text


def test_missing_verdict_reads_no_verdict_yet(client, comparison):
    ReviewerFactory(name="The Latecomer")
    text = text_of(client.get(URL))
    assert "The Latecomer" in text
    assert text.count("No verdict yet") == 2


def test_inactive_persona_is_not_on_the_scorecard(client, comparison, panel):
    retired = ReviewerFactory(name="Retired Persona", active=False)
    ReviewFactory(reviewer=retired, tool=panel["left"], verdict="skip")
    text = text_of(client.get(URL))
    assert "Retired Persona" not in text
    assert "Panel ship 75% 3 of 4" in text


def test_reversed_pair_redirects_to_the_canonical_url(client, comparison):
    response = client.get("/compare/modal-gpu-serverless-inference-vs-claw-code/")
    assert response.status_code == 301
    assert response["Location"] == URL


def test_unknown_comparison_is_404_in_the_site_look(client, db):
    response = client.get("/compare/nothing-vs-nowhere/")
    assert response.status_code == 404
    text = text_of(response)
    assert "Page not found" in text
    assert "The panel" in text  # the site's own navigation


def test_a_draft_is_hidden_from_the_public_behind_the_quick_comparison(client, panel):
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    assert shows_no_written_comparison(client.get(URL), draft)
    reversed_url = "/compare/modal-gpu-serverless-inference-vs-claw-code/"
    assert shows_no_written_comparison(client.get(reversed_url), draft)
    assert "Claw Code vs" not in text_of(client.get("/"))


def test_staff_see_a_draft_with_a_banner_never_cached_and_noindex(admin_client, panel):
    draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    response = admin_client.get(URL)
    assert response.status_code == 200
    text = text_of(response)
    assert "Draft · Only staff can see this text" in text
    assert text.count("Draft") == 1
    edit = f"/admin/comparisons/comparison/{draft.pk}/change/"
    assert f'<a href="{edit}">Back to the edit page</a>' in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex, nofollow">' in (
        response.content.decode()
    )


def test_future_publication_time_is_not_public_yet(client, panel):
    from datetime import timedelta

    from django.utils import timezone

    scheduled = ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        published_at=timezone.now() + timedelta(days=1),
    )
    assert shows_no_written_comparison(client.get(URL), scheduled)


def test_published_page_has_title_description_canonical_and_opengraph(
    client, comparison
):
    html = client.get(URL).content.decode()
    assert (
        "<title>Claw Code vs Modal GPU Serverless Inference: which one should you "
        "ship with? · Verdicts</title>" in html
    )
    assert (
        '<meta name="description" content="Which one should you ship with? '
        'The panel decides.">' in html
    )
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{URL}">' in html
    assert (
        '<meta property="og:title" content="Claw Code vs Modal GPU Serverless '
        'Inference">' in html
    )
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="http://127.0.0.1:8000{URL}">' in html
    assert 'name="robots"' not in html


def test_page_has_one_h1_and_landmarks(client, comparison):
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1
    for landmark in ("<header", "<main", "<footer", '<nav class="navbar'):
        assert landmark in html
    headings = re.findall(r"<h([1-6])", html)
    levels = [int(level) for level in headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_home_lists_published_comparisons_with_both_panel_figures(client, comparison):
    ComparisonFactory(draft=True, left=ToolFactory(name="Hidden Draft Tool"))
    text = text_of(client.get("/"))
    assert "Claw Code vs Modal GPU Serverless Inference" in text
    assert "75% panel ship, 3 of 4" in text
    assert "100% panel ship, 4 of 4" in text
    assert "Hidden Draft Tool" not in text


def test_home_is_paginated(client, settings, db):
    settings.COMPARISONS_PER_PAGE = 2
    ComparisonFactory.create_batch(5)
    first = text_of(client.get("/"))
    assert "Page 1 of 3" in first
    assert "Older" in first
    last = text_of(client.get("/?page=3"))
    assert "Page 3 of 3" in last
    assert "Newer" in last
    assert client.get("/?page=99").status_code == 200


def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, db):
    ComparisonFactory.create_batch(6)
    # count, page, panel figures, community figures, categories
    with django_assert_num_queries(5):
        client.get("/")


def test_tool_page_shows_card_verdicts_and_comparisons(client, comparison, panel):
    ComparisonFactory(left=panel["left"], draft=True)
    text = text_of(client.get("/tools/claw-code/"))
    assert "Claw Code" in text
    assert "Panel ship 75% 3 of 4" in text
    assert "What the panel says" in text
    for persona in panel["personas"]:
        assert persona.name in text
    assert "Compared with Claw Code vs Modal GPU Serverless Inference" in text
    assert text.count(" vs ") == 1  # the draft comparison is not listed


def test_reviewer_page_lists_all_verdicts(client, panel):
    skeptic = panel["personas"][1]
    text = text_of(client.get(f"/reviewers/{skeptic.slug}/"))
    assert skeptic.name in text
    assert "Ship on 1 of 2 tools." in text
    assert "Claw Code" in text and "Skip" in text
    assert "Modal GPU Serverless Inference" in text


def test_category_page_lists_tools_with_panel_figures(client, panel):
    category = CategoryFactory(name="Developer Tools", slug="developer-tools")
    panel["left"].category = category
    panel["left"].save()
    ToolFactory(name="Empty Tool", category=category)
    text = text_of(client.get("/categories/developer-tools/"))
    assert "Developer Tools" in text
    assert "Claw Code" in text and "Panel ship 75% 3 of 4" in text
    assert "Empty Tool" in text and "Panel ship — No verdicts yet" in text


@pytest.mark.parametrize(
    "url", ["/tools/none/", "/reviewers/none/", "/categories/none/"]
)
def test_unknown_pages_are_404(client, db, url):
    assert client.get(url).status_code == 404


def test_tool_name_and_quote_with_script_are_shown_as_text(client, panel):
    evil = ToolFactory(name="<script>alert('tool')</script>", slug="evil")
    ReviewFactory(
        reviewer=panel["personas"][0],
        tool=evil,
        quote="<script>alert('quote')</script> is bad",
    )
    ComparisonFactory(left=evil, right=panel["right"])
    for url in (
        "/",
        "/compare/evil-vs-modal-gpu-serverless-inference/",
        "/tools/evil/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert(" not in html
        assert "&lt;script&gt;alert(&#x27;tool&#x27;)&lt;/script&gt;" in html
    html = client.get("/tools/evil/").content.decode()
    assert "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt; is bad" in html


def test_markdown_is_sanitised(client, panel):
    panel[
        "left"
    ].description = "**Bold** <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    panel["left"].save()
    html = client.get("/tools/claw-code/").content.decode()
    assert "<strong>Bold</strong>" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html


def test_500_page_wears_the_site_look(rf: RequestFactory, db):
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "bootstrap.min.css" in html and "site.css" in html


def test_feed_and_sitemap_list_published_comparisons(client, comparison):
    ComparisonFactory(draft=True, left=ToolFactory(slug="secret-tool"))
    feed = client.get("/feed/").content.decode()
    assert "Claw Code vs Modal GPU Serverless Inference" in feed
    assert "secret-tool" not in feed
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-comparisons.xml" in index
    sitemap = client.get("/sitemap-comparisons.xml").content.decode()
    assert URL in sitemap
    assert "secret-tool-vs" not in sitemap


def test_reader_pages_are_the_same_for_every_anonymous_reader(client, comparison):
    """No reader page reads the session or sets a cookie, so caches can keep
    one copy for everyone."""
    persona = comparison.left.reviews.first().reviewer
    for url in (
        "/",
        URL,
        "/tools/claw-code/",
        persona.get_absolute_url(),
        "/reviewers/",
        comparison.left.category.get_absolute_url(),
        "/categories/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Cookie" not in response.get("Vary", ""), url
        assert not response.cookies, url


def test_the_verdict_at_a_glance_comes_before_the_long_descriptions(
    client, comparison, panel
):
    """Read top to bottom, as on a phone where the columns stack: both
    figures and the bottom line's first sentence, then the descriptions."""
    comparison.bottom_line = "Ship with **Claw Code** for speed. Modal wins on GPUs."
    comparison.save()
    panel["left"].description = "A long story of the left tool."
    panel["left"].save()
    text = text_of(client.get(URL))
    glance = (
        "The verdict at a glance Ship with Claw Code for speed. Read the bottom line"
    )
    assert glance in text
    order = [
        text.index("Panel ship 75% 3 of 4"),
        text.index("Panel ship 100% 4 of 4"),
        text.index(glance),
        text.index("What each tool does"),
        text.index("A long story of the left tool."),
        text.index(
            "The bottom line Ship with Claw Code for speed. Modal wins on GPUs."
        ),
    ]
    assert order == sorted(order)


def test_a_tool_page_puts_its_figures_before_its_description(client, panel):
    tool = panel["left"]
    tool.description = "A long story of the left tool."
    tool.save()
    text = text_of(client.get(tool.get_absolute_url()))
    assert text.index("Panel ship 75% 3 of 4") < text.index(tool.description)
