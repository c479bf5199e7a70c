import io
import re

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image, ImageChops

from comparisons.models import Comparison
from comparisons.tasks import comparison_share_card, tool_share_card
from pictures import cards
from pictures.cards import CardTool, draw_comparison_card, draw_tool_card
from pictures.text import fit_text
from reviewers.models import Review, Reviewer
from tests.comparisons.factories import ComparisonFactory
from tests.tools.factories import image_bytes, upload
from tools.models import Tool

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]

SIXTY = "Hyperparameter Orchestration Suite for Enterprise Agent Team"


def card_of(instance) -> Image.Image:
    instance.refresh_from_db()
    assert instance.share_card, "no card was drawn"
    with default_storage.open(instance.share_card.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def published(panel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comparison = ComparisonFactory(left=panel["left"], right=panel["right"])
    return comparison


def test_published_comparison_gets_a_1200_by_630_png(published, screenshot_dir):
    card = card_of(published)
    card.save(screenshot_dir / "share-card-comparison.png")
    assert card.format == "PNG"
    assert card.size == (1200, 630)
    assert published.share_card.name.startswith(
        "cards/comparisons/claw-code-vs-modal-gpu-serverless-inference-"
    )


def test_draft_gets_no_card(panel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = ComparisonFactory(left=panel["left"], right=panel["right"], draft=True)
    draft.refresh_from_db()
    assert not draft.share_card


def test_page_names_the_card_with_absolute_url_size_and_alt(
    client, published, settings
):
    """og:image and twitter:image point at the stored card, absolutely."""
    settings.SITE_URL = "https://verdicts.example"
    published.refresh_from_db()
    html = client.get(published.get_absolute_url()).content.decode()
    url = f"https://verdicts.example/media/{published.share_card.name}"
    assert f'<meta property="og:image" content="{url}">' in html
    assert f'<meta name="twitter:image" content="{url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert (
        '<meta property="og:image:alt" content="Claw Code vs Modal GPU Serverless '
        'Inference: panel ship 75% against 100%. Verdicts">' in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_page_without_a_card_keeps_the_small_summary(client, comparison):
    """Before its card is drawn a page names no image and a summary card."""
    html = client.get(comparison.get_absolute_url()).content.decode()
    assert "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_card_pixels_change_when_a_panel_figure_changes(
    published, panel, django_capture_on_commit_callbacks
):
    """A persona switching to ship redraws the card; the old file goes."""
    before = card_of(published)
    old_name = published.share_card.name
    review = Review.objects.get(tool=panel["left"], verdict="skip")
    with django_capture_on_commit_callbacks(execute=True):
        review.verdict = Review.Verdict.SHIP
        review.save()
    after = card_of(published)
    assert published.share_card.name != old_name
    assert not default_storage.exists(old_name)
    changed = ImageChops.difference(before.convert("RGB"), after.convert("RGB"))
    box = changed.getbbox()
    assert box is not None
    # Only the left tool's figure changed: 75% (3 of 4) -> 100% (4 of 4).
    left, top, right, bottom = box
    assert right <= 600 and top >= 400 and bottom <= 560


def test_card_is_redrawn_when_a_tool_is_renamed_or_gets_a_logo(
    published, panel, django_capture_on_commit_callbacks
):
    published.refresh_from_db()
    first = published.share_card_key
    tool = panel["right"]
    with django_capture_on_commit_callbacks(execute=True):
        tool.name = "Modal Inference"
        tool.save()
    published.refresh_from_db()
    second = published.share_card_key
    assert second != first
    with django_capture_on_commit_callbacks(execute=True):
        tool.logo = upload("logo.png", image_bytes("PNG", colour=(200, 0, 0, 255)))
        tool.logo_alt = "A red square"
        tool.save()
    card = card_of(published)
    assert published.share_card_key not in (first, second)
    # The logo sits in its tile, centred above the right tool's name.
    assert card.convert("RGB").getpixel((920, 188)) == (200, 0, 0)


def test_card_is_redrawn_when_a_persona_leaves_the_panel(
    published, panel, django_capture_on_commit_callbacks
):
    before = card_of(published)
    persona = Reviewer.objects.get(pk=panel["personas"][1].pk)  # the one skip
    with django_capture_on_commit_callbacks(execute=True):
        persona.active = False
        persona.save()
    after = card_of(published)
    assert ImageChops.difference(before.convert("RGB"), after.convert("RGB")).getbbox()


def test_unchanged_card_is_not_redrawn(published):
    card_of(published)
    name = published.share_card.name
    assert comparison_share_card(published.pk) is False
    published.refresh_from_db()
    assert published.share_card.name == name


def test_tool_page_gets_its_own_card(client, panel, django_capture_on_commit_callbacks):
    tool = panel["left"]
    with django_capture_on_commit_callbacks(execute=True):
        tool.save()
    card = card_of(tool)
    assert card.size == (1200, 630)
    assert tool.share_card.name.startswith("cards/tools/claw-code-")
    html = client.get(tool.get_absolute_url()).content.decode()
    assert re.search(
        r'<meta property="og:image" content="http[^"]+/media/cards/tools/claw-code-',
        html,
    )
    assert (
        '<meta property="og:image:alt" content="Claw Code: panel ship 75%. '
        'Verdicts">' in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert tool_share_card(tool.pk) is False


def test_sixty_character_name_wraps_inside_its_column():
    """A 60-character name wraps and shrinks; every line fits its column."""
    assert len(SIXTY) == 60
    fitted = fit_text(
        SIXTY, width=440, max_lines=3, max_height=120, largest=50, smallest=24
    )
    assert 1 < len(fitted.lines) <= 3
    assert " ".join(fitted.lines) == SIXTY  # nothing cut off
    assert all(fitted.face.getlength(line) <= 440 for line in fitted.lines)
    assert fitted.height <= 120


def test_an_unbreakable_name_is_broken_between_letters():
    fitted = fit_text("X" * 60, width=440, max_lines=3, largest=50, smallest=24)
    assert "".join(fitted.lines) == "X" * 60
    assert all(fitted.face.getlength(line) <= 440 for line in fitted.lines)


def test_a_long_name_changes_only_its_own_column_of_the_card(screenshot_dir):
    """Drawn next to a short name, a 60-character name stays in its box."""

    def side(name: str) -> CardTool:
        return CardTool(
            name=name,
            category="Developer Tools",
            tagline="",
            logo_name="",
            panel_label="75%",
            panel_counts="3 of 4",
        )

    other = side("Patchwise")
    short = Image.open(
        io.BytesIO(
            draw_comparison_card(
                side("Agendly"), other, left_logo=None, right_logo=None
            )
        )
    )
    long = Image.open(
        io.BytesIO(
            draw_comparison_card(side(SIXTY), other, left_logo=None, right_logo=None)
        )
    )
    assert long.size == (cards.WIDTH, cards.HEIGHT)
    left, top, right, bottom = ImageChops.difference(
        short.convert("RGB"), long.convert("RGB")
    ).getbbox()
    # Differences are in the left column (the name and the monogram above
    # it), never past the column's edge or into the figures below.
    assert left >= cards.MARGIN and right <= cards.MARGIN + cards.COLUMN_WIDTH
    assert top >= 100 and bottom <= cards.FIGURE_TOP
    long.save(screenshot_dir / "share-card-long-name.png")


def test_seed_demo_gives_tools_and_personas_images(django_capture_on_commit_callbacks):
    """The demo tools and personas have uploads, renditions and cards."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Tool.objects.filter(logo="").exists()
    assert not Reviewer.objects.filter(avatar="").exists()
    assert not Tool.objects.filter(logo_alt="").exists()
    for tool in Tool.objects.all():
        assert tool.logo_renditions["source"].startswith(f"file:{tool.logo.name}")
        assert tool.share_card
    for comparison in Comparison.objects.published():
        assert comparison.share_card
    logos = list(Tool.objects.values_list("logo", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    assert list(Tool.objects.values_list("logo", flat=True)) == logos


def test_tool_card_keeps_a_long_name_and_tagline_inside_the_text_column(
    screenshot_dir,
):
    """The tool card's text stays right of the logo and above the footer."""

    def tool(name: str, tagline: str) -> CardTool:
        return CardTool(
            name=name,
            category="Developer Tools",
            tagline=tagline,
            logo_name="",
            panel_label="75%",
            panel_counts="3 of 4",
        )

    short = Image.open(io.BytesIO(draw_tool_card(tool("Agendly", "Plans"), logo=None)))
    long = Image.open(
        io.BytesIO(
            draw_tool_card(
                tool(SIXTY, "A tagline that goes on " * 8 + "and on"), logo=None
            )
        )
    )
    long.save(screenshot_dir / "share-card-tool-long-name.png")
    left, top, right, bottom = ImageChops.difference(
        short.convert("RGB"), long.convert("RGB")
    ).getbbox(alpha_only=False)
    # The monogram tile (x 60..300) changes with the name; text stays within
    # the right-hand column and above the footer band.
    assert right <= cards.WIDTH - cards.MARGIN
    assert bottom <= cards.HEIGHT - 70
    text_only = ImageChops.difference(
        short.convert("RGB").crop((310, 0, cards.WIDTH, cards.HEIGHT)),
        long.convert("RGB").crop((310, 0, cards.WIDTH, cards.HEIGHT)),
    ).getbbox()
    assert text_only[0] >= 360 - 310


def test_redraw_pictures_restores_missing_files(
    published, panel, django_capture_on_commit_callbacks
):
    """After media is lost, the command draws what is missing, nothing more."""
    published.refresh_from_db()
    tool = Tool.objects.get(pk=panel["left"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        tool.save()
    tool.refresh_from_db()
    default_storage.delete(published.share_card.name)
    default_storage.delete(tool.logo_renditions["webp"][0])
    out = io.StringIO()
    call_command("redraw_pictures", stdout=out)
    assert "Enqueued pictures for 2 tools and 4 personas" in out.getvalue()
    published.refresh_from_db()
    tool.refresh_from_db()
    assert default_storage.exists(published.share_card.name)
    assert default_storage.exists(tool.logo_renditions["webp"][0])


def test_card_is_signed_with_the_site_name(published, settings):
    before = card_of(published)
    settings.SITE_NAME = "Another Publication"
    assert comparison_share_card(published.pk) is True
    after = card_of(published)
    changed = ImageChops.difference(before.convert("RGB"), after.convert("RGB"))
    left, top, right, bottom = changed.getbbox()
    assert top >= 40 and bottom <= 100  # only the header line changed
