"""Logos and avatars for the demo publication, drawn here with Pillow.

Each demo tool gets an abstract mark (a shape on a coloured tile) and each
persona a simple portrait silhouette, so the demo pages show real uploads
going through the same checks, cleaning and renditions as an editor's.
"""

from __future__ import annotations

import hashlib
import io
import math

from PIL import Image, ImageDraw

SIZE = 512

# (name of the colour, its RGB) for tiles and backgrounds.
PALETTE = [
    ("blue", (30, 92, 170)),
    ("teal", (16, 118, 110)),
    ("purple", (98, 60, 160)),
    ("red", (176, 48, 56)),
    ("green", (38, 120, 60)),
    ("orange", (200, 96, 24)),
    ("slate", (52, 64, 84)),
    ("magenta", (160, 40, 120)),
]
SHAPES = ["triangle", "ring", "bars", "diamond", "chevron", "dots", "wave", "star"]


def _pick(slug: str, count: int, salt: str = "") -> int:
    return hashlib.sha256(f"{salt}{slug}".encode()).digest()[0] % count


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, colour: str) -> None:
    c, r = SIZE / 2, SIZE * 0.26
    if shape == "triangle":
        draw.polygon([(c, c - r), (c + r, c + r * 0.8), (c - r, c + r * 0.8)], colour)
    elif shape == "ring":
        draw.ellipse((c - r, c - r, c + r, c + r), outline=colour, width=44)
    elif shape == "bars":
        for i, height in enumerate((0.6, 1.0, 1.4)):
            x = c - r + i * r * 0.8
            draw.rounded_rectangle(
                (x, c + r - 2 * r * height * 0.7, x + r * 0.5, c + r), 14, colour
            )
    elif shape == "diamond":
        draw.polygon([(c, c - r), (c + r, c), (c, c + r), (c - r, c)], colour)
    elif shape == "chevron":
        draw.line(
            [(c - r, c - r * 0.6), (c, c + r * 0.5), (c + r, c - r * 0.6)],
            fill=colour,
            width=56,
            joint="curve",
        )
    elif shape == "dots":
        for dx in (-1, 1):
            for dy in (-1, 1):
                x, y = c + dx * r * 0.55, c + dy * r * 0.55
                draw.ellipse((x - 42, y - 42, x + 42, y + 42), colour)
    elif shape == "wave":
        points = [
            (c - r + i * 2 * r / 40, c + math.sin(i / 40 * 2 * math.pi) * r * 0.45)
            for i in range(41)
        ]
        draw.line(points, fill=colour, width=40, joint="curve")
    else:  # star
        points = []
        for i in range(10):
            radius = r if i % 2 == 0 else r * 0.45
            angle = -math.pi / 2 + i * math.pi / 5
            points.append((c + radius * math.cos(angle), c + radius * math.sin(angle)))
        draw.polygon(points, colour)


def tool_logo(slug: str, name: str) -> tuple[bytes, str]:
    """A PNG logo for a demo tool and its alt text."""
    colour_name, colour = PALETTE[_pick(slug, len(PALETTE))]
    shape = SHAPES[_pick(slug, len(SHAPES), "shape")]
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((16, 16, SIZE - 16, SIZE - 16), radius=96, fill=colour)
    _draw_shape(draw, shape, "white")
    article = "an" if colour_name[0] in "aeiou" else "a"
    return _png(image), f"{name} logo: a white {shape} on {article} {colour_name} tile"


def persona_avatar(slug: str, name: str, seat: int = 0) -> tuple[bytes, str]:
    """A square PNG portrait silhouette for a demo persona and its alt text.

    Colours go round the palette by seat, so neighbours on the panel differ.
    """
    colour_name, colour = PALETTE[(seat * 3) % len(PALETTE)]
    image = Image.new("RGB", (SIZE, SIZE), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(round(v + (255 - v) * 0.75) for v in colour)
    c = SIZE / 2
    draw.ellipse((c - 190, SIZE - 150, c + 190, SIZE + 230), fill=light)
    draw.ellipse((c - 95, 110, c + 95, 300), fill=light)
    if "skeptic" in slug:  # glasses
        for dx in (-45, 45):
            draw.ellipse((c + dx - 34, 180, c + dx + 34, 236), outline=colour, width=10)
        draw.line((c - 11, 208, c + 11, 208), fill=colour, width=8)
    elif "builder" in slug:  # a cap
        draw.chord((c - 100, 90, c + 100, 250), 180, 360, fill=colour)
        draw.rectangle((c, 160, c + 140, 176), fill=colour)
    elif "futurist" in slug:  # a visor
        draw.rounded_rectangle((c - 80, 180, c + 80, 230), 24, fill=colour)
    else:  # a tie
        draw.polygon(
            [(c, SIZE - 150), (c + 26, SIZE - 60), (c, SIZE), (c - 26, SIZE - 60)],
            fill=colour,
        )
    return _png(image), f"Portrait of {name}: a pale silhouette on {colour_name}"
