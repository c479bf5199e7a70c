"""Any two tools side by side, before the editors compare them, and
readers asking for the comparison."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comparisons.models import PairRequest, RequestedPair
from tests.comparisons.factories import ComparisonFactory
from tests.pages import UNWRITTEN, text_of
from tests.tools.conftest import fresh_address
from tests.tools.factories import ToolFactory

pytestmark = pytest.mark.django_db


def reader(address: str | None = None) -> Client:
    """A reader's browser on an address no other test uses."""
    return Client(REMOTE_ADDR=address or fresh_address())


QUICK = "/compare/claw-code-vs-modal-gpu-serverless-inference/"
REVERSED = "/compare/modal-gpu-serverless-inference-vs-claw-code/"


def test_two_tools_nobody_compared_get_the_quick_comparison(client, panel):
    response = client.get(QUICK)
    text, html = text_of(response), response.content.decode()
    assert response.status_code == 200
    assert "Quick comparison" in text and UNWRITTEN in text
    assert "Claw Code vs Modal GPU Serverless Inference" in text
    # Built like a written one: both cards with figures, the pricing read
    # and the panel's scorecard.
    assert "Panel ship 75% 3 of 4" in text and "Panel ship 100% 4 of 4" in text
    assert "The pricing read" in text and "Reviewer scorecard" in text
    assert "The bottom line" not in text
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html


def test_either_order_works_until_a_comparison_is_published(client, panel):
    assert UNWRITTEN in text_of(client.get(REVERSED))
    ComparisonFactory(left=panel["left"], right=panel["right"])
    response = client.get(REVERSED)
    assert response.status_code == 301
    assert response["Location"] == QUICK


def test_a_quick_comparison_is_not_in_the_sitemap(client, panel):
    ToolFactory(name="Shellwright", slug="shellwright")
    sitemap = client.get("/sitemap-comparisons.xml").content.decode()
    assert "-vs-" not in sitemap


@pytest.mark.parametrize(
    "url",
    [
        "/compare/claw-code-vs-nothing/",
        "/compare/nothing-vs-claw-code/",
        "/compare/claw-code-vs-claw-code/",
        "/compare/claw-code/",
        "/compare/-vs-/",
    ],
)
def test_pairs_that_do_not_exist_stay_404(client, panel, url):
    assert client.get(url).status_code == 404


def test_a_slug_holding_vs_is_split_where_both_sides_are_tools(client, db):
    ToolFactory(name="Rust vs Go", slug="rust-vs-go")
    ToolFactory(name="Linter", slug="linter")
    text = text_of(client.get("/compare/rust-vs-go-vs-linter/"))
    assert "Rust vs Go vs Linter" in text and UNWRITTEN in text


def test_the_address_costs_the_same_queries_however_many_vs_it_holds(client, panel):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    plain = queries("/compare/a-vs-b/")
    # Every split of this one names two slugs short enough to be tools'.
    crafted = queries("/compare/" + "a-vs-" * 40 + "b/")
    longest = queries("/compare/" + "a-vs-" * 400 + "b/")
    assert crafted == plain <= 3
    assert longest <= plain
    assert queries(QUICK) <= 10


def test_a_reader_asks_once_and_counts_once_in_either_order(client, panel):
    page = client.get(QUICK).content.decode()
    assert 'href="/compare/claw-code-vs-modal-gpu-serverless-inference/ask/"' in page
    confirm = client.get(QUICK + "ask/")
    assert "Ask for this comparison" in text_of(confirm)
    response = client.post(QUICK + "ask/", follow=True)
    assert "the editors now know you want Claw Code and Modal GPU" in text_of(response)
    again = client.post(REVERSED + "ask/", follow=True)
    assert "You have already asked for this comparison" in text_of(again)
    assert "You have already asked" in text_of(client.get(QUICK + "ask/"))
    reader().post(REVERSED + "ask/")
    pair = RequestedPair.objects.get()
    assert (pair.left, pair.right, pair.requests) == (
        panel["left"],
        panel["right"],
        2,
    )
    assert PairRequest.objects.count() == 2
    # Like a vote, a request keeps a keyed hash, not the reader's cookie id.
    stored = set(PairRequest.objects.values_list("reader", flat=True))
    assert all(len(key) == 64 for key in stored)
    assert not stored & set(client.cookies["verdicts_reader"].value.split(":"))


def test_asking_is_rate_limited_like_votes(client, panel, settings):
    settings.VOTE_RATE_LIMIT = 1
    address = fresh_address()
    assert reader(address).post(QUICK + "ask/").status_code == 302
    refused = reader(address).post(REVERSED + "ask/")
    assert refused.status_code == 429
    assert "Too many requests from your network" in text_of(refused)
    assert int(refused["Retry-After"]) > 0
    assert RequestedPair.objects.get().requests == 1


def test_asking_for_a_written_comparison_goes_to_it(client, comparison):
    response = client.post(REVERSED + "ask/")
    assert response.status_code == 302
    assert response["Location"] == QUICK
    assert not RequestedPair.objects.exists()


def test_editors_see_the_pairs_most_asked_for_and_can_write_one(editor_client, panel):
    shellwright = ToolFactory(name="Shellwright", slug="shellwright")
    for _ in range(3):
        reader().post("/compare/shellwright-vs-claw-code/ask/")
    reader().post(QUICK + "ask/")
    listing = editor_client.get("/admin/comparisons/requestedpair/")
    text = text_of(listing)
    assert text.index("Shellwright vs Claw Code 3") < text.index(
        "Claw Code vs Modal GPU Serverless Inference 1"
    )
    html = listing.content.decode()
    add = (
        f'href="/admin/comparisons/comparison/add/?left={shellwright.pk}'
        f'&amp;right={panel["left"].pk}"'
    )
    assert add in html and "Write this comparison" in text
    form = editor_client.get(
        f"/admin/comparisons/comparison/add/?left={shellwright.pk}"
        f"&right={panel['left'].pk}"
    ).content.decode()
    assert f'<option value="{shellwright.pk}" selected>' in form


def test_a_written_pair_says_so_in_the_requests_list(editor_client, panel):
    reader().post(QUICK + "ask/")
    written = ComparisonFactory(left=panel["right"], right=panel["left"], draft=True)
    html = editor_client.get("/admin/comparisons/requestedpair/").content.decode()
    assert f"/admin/comparisons/comparison/{written.pk}/change/" in html
    assert "Written: open the comparison" in html
    not_written = editor_client.get(
        "/admin/comparisons/requestedpair/", {"written": "no"}
    )
    assert "0 requested comparisons" in text_of(not_written)
