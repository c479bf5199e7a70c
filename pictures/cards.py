"""Share cards: the 1200 × 630 pictures that link previews show.

Only drawing lives here; which figures go on a card, and when a card is
redrawn, is decided by the apps that know those figures.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageDraw

from pictures.monograms import draw_monogram
from pictures.renditions import open_for, square
from pictures.text import draw_lines, fit_text, font

WIDTH, HEIGHT = 1200, 630
MARGIN = 60
CARD_VERSION = "1"

# The comparison card's columns: logo tile, name box, then the figure.
COLUMN_WIDTH = 440
NAME_TOP, NAME_HEIGHT = 280, 120
FIGURE_TOP = 412

PAPER = (246, 247, 249)
INK = (27, 31, 36)
MUTED = (74, 84, 96)
ACCENT = (11, 92, 173)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class CardTool:
    """One tool as a card shows it."""

    name: str
    category: str
    tagline: str
    logo_name: str
    panel_label: str
    panel_counts: str


def publication_name() -> str:
    """The name a card is signed with: the site's own (SITE_NAME)."""
    return settings.SITE_NAME


def card_key(*tools: CardTool, kind: str) -> str:
    """A fingerprint of everything drawn, to tell when a card is stale."""
    payload = json.dumps(
        {
            "version": CARD_VERSION,
            "kind": kind,
            "publication": publication_name(),
            "tools": [asdict(tool) for tool in tools],
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _tile(logo: FieldFile | None, name: str, size: int) -> Image.Image:
    """The logo on a white rounded tile, or the name's monogram."""
    if not logo:
        return draw_monogram(name, size)
    with logo.open("rb") as handle:
        inner = square(open_for(handle, size), size - size // 8, crop=False)
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).rounded_rectangle(
        (0, 0, size - 1, size - 1),
        radius=size // 6,
        fill=WHITE,
        outline=(208, 213, 219),
        width=2,
    )
    offset = (size - inner.width) // 2
    tile.alpha_composite(inner, (offset, offset))
    return tile


def _header(draw: ImageDraw.ImageDraw, kicker: str) -> None:
    name = fit_text(
        publication_name(),
        width=560,
        max_lines=1,
        largest=40,
        smallest=24,
        weight="Bold",
    )
    draw_lines(draw, name, x=MARGIN, y=48, fill=INK)
    draw.text(
        (WIDTH - MARGIN, 60),
        kicker.upper(),
        font=font(22, "SemiBold"),
        fill=MUTED,
        anchor="ra",
    )


def _footer(draw: ImageDraw.ImageDraw, text: str) -> None:
    draw.rectangle((0, HEIGHT - 70, WIDTH, HEIGHT), fill=ACCENT)
    fitted = fit_text(
        text, width=WIDTH - 2 * MARGIN, max_lines=1, largest=26, smallest=18
    )
    draw_lines(draw, fitted, x=WIDTH / 2, y=HEIGHT - 35, fill=WHITE, anchor="mm")


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


# Cards -----------------------------------------------------------------------


def draw_comparison_card(
    left: CardTool,
    right: CardTool,
    *,
    left_logo: FieldFile | None,
    right_logo: FieldFile | None,
) -> bytes:
    """“A vs B”: both logos, both names, both panel figures; PNG bytes."""
    image = Image.new("RGBA", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _header(draw, "AI tool comparison")

    column = COLUMN_WIDTH
    centres = (MARGIN + column / 2, WIDTH - MARGIN - column / 2)
    logo_size = 140
    for centre, tool, logo in (
        (centres[0], left, left_logo),
        (centres[1], right, right_logo),
    ):
        tile = _tile(logo, tool.name, logo_size)
        image.alpha_composite(tile, (round(centre - logo_size / 2), 118))
        name = fit_text(
            tool.name,
            width=column,
            max_lines=3,
            max_height=NAME_HEIGHT,
            largest=50,
            smallest=24,
            weight="Bold",
        )
        draw_lines(draw, name, x=centre, y=NAME_TOP, fill=INK, anchor="ma")
        draw.text(
            (centre, FIGURE_TOP),
            tool.panel_label,
            font=font(64, "Bold"),
            fill=ACCENT,
            anchor="ma",
        )
        counts = f"Panel ship · {tool.panel_counts}"
        draw.text(
            (centre, 496), counts, font=font(24, "Medium"), fill=MUTED, anchor="ma"
        )

    draw.ellipse((WIDTH / 2 - 44, 144, WIDTH / 2 + 44, 232), fill=INK)
    draw.text((WIDTH / 2, 188), "vs", font=font(40, "Bold"), fill=WHITE, anchor="mm")
    _footer(draw, "Which one should you ship with? The panel's verdict, side by side.")
    return _encode(image)


def draw_tool_card(tool: CardTool, *, logo: FieldFile | None) -> bytes:
    """One tool: logo, category, name, tagline and panel figure; PNG bytes."""
    image = Image.new("RGBA", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    _header(draw, "AI tool verdicts")

    logo_size = 240
    image.alpha_composite(_tile(logo, tool.name, logo_size), (MARGIN, 150))

    left = MARGIN + logo_size + 60
    width = WIDTH - MARGIN - left
    category = fit_text(
        tool.category.upper(),
        width=width,
        max_lines=1,
        largest=22,
        smallest=16,
        weight="SemiBold",
    )
    y = draw_lines(draw, category, x=left, y=140, fill=MUTED)
    name = fit_text(
        tool.name,
        width=width,
        max_lines=3,
        max_height=150,
        largest=60,
        smallest=30,
        weight="Bold",
    )
    y = draw_lines(draw, name, x=left, y=y + 8, fill=INK)
    tagline = fit_text(tool.tagline, width=width, max_lines=2, largest=30, smallest=20)
    y = draw_lines(draw, tagline, x=left, y=y + 10, fill=MUTED)
    y = max(y + 20, 400)
    draw.text((left, y), tool.panel_label, font=font(60, "Bold"), fill=ACCENT)
    label_x = left + font(60, "Bold").getlength(tool.panel_label) + 20
    counts = f"Panel ship · {tool.panel_counts}"
    draw.text(
        (label_x, y + 24), counts, font=font(24, "Medium"), fill=MUTED, anchor="la"
    )
    _footer(draw, "The panel's ship-or-skip verdicts, one persona at a time.")
    return _encode(image)
