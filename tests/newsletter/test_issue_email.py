"""The weekly email: what each comparison shows, for every reader and for a
reader who chose categories."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter import emails
from newsletter.models import IssueComparison
from tests.comparisons.factories import ComparisonFactory
from tests.newsletter.factories import IssueFactory, SubscriberFactory
from tests.reviewers.factories import ReviewerFactory, ReviewFactory
from tests.tools.factories import ToolFactory, VoteFactory
from tools.models import Tool

pytestmark = pytest.mark.django_db

LOGO_FILES = [
    "renditions/logos/7/d1g35t-64-1x.png",
    "renditions/logos/7/d1g35t-64-2x.png",
]


@pytest.fixture(autouse=True)
def fresh_renderings():
    """Each test renders its own issue, not one kept from an earlier test
    whose rows had the same ids."""
    emails._rendered.cache_clear()
    yield
    emails._rendered.cache_clear()


def votes(tool: Tool, ship: int, skip: int) -> None:
    VoteFactory.create_batch(ship, tool=tool, verdict="ship")
    VoteFactory.create_batch(skip, tool=tool, verdict="skip")


def give_logo(tool: Tool, alt: str) -> None:
    Tool.objects.filter(pk=tool.pk).update(
        logo="logos/claw.png",
        logo_alt=alt,
        logo_renditions={
            "source": "file:logos/claw.png:v1",
            "size": 64,
            "webp": [name.replace(".png", ".webp") for name in LOGO_FILES],
            "fallback": LOGO_FILES,
            "fallback_type": "image/png",
        },
    )


def issue_of(*comparisons):
    issue = IssueFactory()
    for position, comparison in enumerate(comparisons):
        IssueComparison.objects.create(
            issue=issue, comparison=comparison, position=position
        )
    return issue


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def images(html: str) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed(html)
    return parser.found


def parts(issue, comparison_ids=None, **links) -> tuple[str, str]:
    """The HTML and text parts as a subscriber receives them."""
    rendered = emails.rendered_issue(issue, comparison_ids=comparison_ids)
    message = emails.issue_email(
        rendered=rendered,
        subscriber_id=1,
        email="ada@example.com",
        unsubscribe_url=links.get("unsubscribe_url", "https://verdicts.example/u/"),
        preferences_url=links.get("preferences_url", ""),
    )
    [(html, _)] = message.alternatives
    return html, message.body


def test_each_comparison_shows_both_tools_panel_and_community_figures_with_counts(
    issue, panel
):
    votes(panel["left"], ship=4, skip=1)  # 80% of 5
    votes(panel["right"], ship=2, skip=0)  # under the minimum of 5
    html, text = parts(issue)
    assert "Claw Code\n  Panel ship: 75% (3 of 4)\n  Community: 80% (5 votes)" in text
    assert (
        "Modal GPU Serverless Inference\n  Panel ship: 100% (4 of 4)\n"
        "  Community: — (2 votes so far)" in text
    )
    for figure in ("75%</span> (3 of 4)", "100%</span> (4 of 4)"):
        assert figure in html
    assert "80%</span> (5 votes)" in html
    assert "—</span> (2 votes so far)" in html
    assert html.count(">Panel ship</span>") == 2
    assert html.count(">Community</span>") == 2


def test_a_logo_shows_at_its_absolute_address_and_a_tool_without_one_by_initials(
    issue, panel
):
    give_logo(panel["left"], alt="A red claw")
    html, text = parts(issue)
    logo = "https://verdicts.example/media/renditions/logos/7/d1g35t-64-2x.png"
    [image] = images(html)  # the other tool needs no image
    assert (image["src"], image["alt"]) == (logo, "A red claw")
    assert (image["width"], image["height"]) == ("48", "48")
    assert 'aria-hidden="true">MG</td>' in html
    assert "CC</td>" not in html
    assert "media/" not in text


def test_a_logo_kept_in_a_storage_with_absolute_addresses_keeps_them(
    issue, panel, settings
):
    settings.MEDIA_URL = "https://cdn.verdicts.example/media/"
    give_logo(panel["left"], alt="A red claw")
    html, _ = parts(issue)
    [image] = images(html)
    assert image["src"] == (
        "https://cdn.verdicts.example/media/renditions/logos/7/d1g35t-64-2x.png"
    )


def test_the_email_names_who_splits_and_quotes_the_bottom_lines_first_sentence(
    panel,
):
    comparison = ComparisonFactory(
        left=panel["left"],
        right=panel["right"],
        bottom_line="Ship **Claw Code** for speed. Modal wins on big GPUs.",
    )
    splitter = panel["personas"][1]
    html, text = parts(issue_of(comparison))
    assert (
        f"Who splits:\n  - {splitter.name}: skip Claw Code, ship Modal GPU "
        "Serverless Inference" in text
    )
    assert (
        f"<strong>{splitter.name}</strong>: skip Claw Code, ship Modal GPU "
        "Serverless Inference</li>" in html
    )
    others = [p.name for p in panel["personas"] if p != splitter]
    assert not any(f"{name}</strong>" in html for name in others)
    assert "The bottom line: Ship Claw Code for speed.\n" in text
    assert ">Ship Claw Code for speed.</p>" in html
    assert "big GPUs" not in text and "big GPUs" not in html


def test_a_pair_the_panel_agrees_on_says_nobody_splits(db):
    left, right = ToolFactory(name="Agendly"), ToolFactory(name="Patchwise")
    persona = ReviewerFactory()
    ReviewFactory(reviewer=persona, tool=left, verdict="ship")
    ReviewFactory(reviewer=persona, tool=right, verdict="ship")
    html, text = parts(issue_of(ComparisonFactory(left=left, right=right)))
    sentence = "No persona splits: each gives both tools the same verdict."
    assert f"Who splits: {sentence}" in text
    assert sentence in html


def test_a_pair_nobody_has_judged_yet_says_nothing_of_splits(db):
    ReviewerFactory()
    comparison = ComparisonFactory(
        left=ToolFactory(name="Agendly"), right=ToolFactory(name="Patchwise")
    )
    html, text = parts(issue_of(comparison))
    assert "splits" not in text.lower() and "splits" not in html.lower()
    assert "Panel ship: — (no verdicts yet)" in text


def test_the_intro_names_the_one_comparison(issue):
    html, text = parts(issue)
    sentence = (
        "This week: one new comparison, Claw Code vs Modal GPU Serverless Inference."
    )
    assert sentence in text and sentence in html


def test_the_intro_counts_and_names_three_comparisons(db):
    comparisons = [
        ComparisonFactory(
            left=ToolFactory(name=f"Left {n}"), right=ToolFactory(name=f"Right {n}")
        )
        for n in range(3)
    ]
    html, text = parts(issue_of(*comparisons))
    sentence = (
        "This week: 3 new comparisons, Left 0 vs Right 0, Left 1 vs Right 1 "
        "and Left 2 vs Right 2."
    )
    assert sentence in text and sentence in html


def test_unsubscribe_and_preferences_links_are_the_readers_own(issue):
    reader = SubscriberFactory(email="ada@example.com")
    unsubscribe = emails.unsubscribe_link_maker()(reader.token)
    preferences = emails.preferences_link_maker()(reader.token)
    assert preferences == (
        f"https://verdicts.example/newsletter/preferences/{reader.token}/"
    )
    html, text = parts(issue, unsubscribe_url=unsubscribe, preferences_url=preferences)
    assert f'<a href="{unsubscribe}"' in html and f'<a href="{preferences}"' in html
    assert f"Unsubscribe: {unsubscribe}\n" in text
    assert f"email preferences: {preferences}\n" in text
    promise = (
        "Unsubscribing takes one click on the link below: no login, and no "
        "confirmation needed."
    )
    assert promise in html and promise in text
    for part in (html, text):
        assert ".invalid" not in part and "__VERDICTS" not in part


def test_without_a_preferences_address_the_email_has_no_dead_link(issue):
    html, text = parts(issue)
    assert "preferences" not in html and "preferences" not in text
    assert "Unsubscribe</a>" in html
    assert ".invalid" not in html + text


def test_a_subset_names_only_its_comparisons_in_issue_order(db):
    first, second, third = (
        ComparisonFactory(
            left=ToolFactory(name=f"Left {n}"), right=ToolFactory(name=f"Right {n}")
        )
        for n in range(3)
    )
    issue = issue_of(first, second, third)
    html, text = parts(issue, comparison_ids=(third.pk, first.pk))
    sentence = "This week: 2 new comparisons, Left 0 vs Right 0 and Left 2 vs Right 2."
    for part in (html, text):
        assert sentence in part
        assert "Left 1" not in part
        assert part.index(
            "Left 0 vs Right 0</a>" if part is html else "\nLeft 0 vs"
        ) < (part.index("Left 2 vs Right 2</a>" if part is html else "\nLeft 2 vs"))
    html, text = parts(issue, comparison_ids=(second.pk,))
    assert "one new comparison, Left 1 vs Right 1." in text
    assert "Left 0" not in text and "Left 2" not in text


def test_each_distinct_content_is_rendered_once(db, django_assert_num_queries):
    first, second = ComparisonFactory(), ComparisonFactory()
    issue = issue_of(first, second)
    whole = emails.rendered_issue(issue)
    subset = emails.rendered_issue(issue, comparison_ids=(second.pk,))
    # A subset that holds every comparison is the whole issue.
    assert emails.rendered_issue(issue, comparison_ids=(second.pk, first.pk)) is whole
    assert subset is not whole and subset.comparison_ids == (second.pk,)
    with django_assert_num_queries(0):
        assert emails.rendered_issue(issue) is whole
        assert emails.rendered_issue(issue, comparison_ids=[second.pk]) is subset
        assert emails.rendered_issue(issue, comparison_ids=(first.pk, second.pk)) is (
            whole
        )


def issue_with(count: int):
    personas = ReviewerFactory.create_batch(3)
    comparisons = []
    for n in range(count):
        pair = ToolFactory(), ToolFactory()
        for persona in personas:
            for side, tool in enumerate(pair):
                verdict = "skip" if side and persona == personas[0] else "ship"
                ReviewFactory(reviewer=persona, tool=tool, verdict=verdict)
            votes(pair[0], ship=3, skip=3)
        give_logo(pair[0], alt=f"Logo {n}")
        comparisons.append(ComparisonFactory(left=pair[0], right=pair[1]))
    return issue_of(*comparisons)


def test_an_issue_renders_in_the_same_queries_for_one_comparison_or_five(db):
    counts = {}
    for count in (1, 5):
        issue = issue_with(count)
        with CaptureQueriesContext(connection) as queries:
            html, text = parts(issue)
        assert text.count("Read the comparison:") == count
        assert len(images(html)) == count
        counts[count] = len(queries)
    assert counts[1] == counts[5]
    # The issue, its comparisons with their tools, the community figures,
    # the active personas and their verdicts (which give the panel figures).
    assert counts[5] == 5
