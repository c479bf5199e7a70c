"""Text that fits its box on a drawn picture, in IBM Plex Sans.

Every piece of text is fitted to its box (wrapped, then shrunk, then
shortened with an ellipsis as a last resort), so a long tool name never runs
off a share card.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import fontpkg
from PIL import ImageDraw, ImageFont


@lru_cache(maxsize=64)
def font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    """IBM Plex Sans from its installed package, at a size and weight."""
    loaded = ImageFont.truetype(str(fontpkg.path("IBM Plex Sans")), size)
    loaded.set_variation_by_name(weight)
    return loaded


def _split_long_word(word: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and face.getlength(current + char) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap; a word wider than the box is broken between letters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if face.getlength(word) <= width:
            current = word
        else:
            *whole, current = _split_long_word(word, face, width)
            lines.extend(whole)
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class FittedText:
    face: ImageFont.FreeTypeFont
    lines: list[str]

    @property
    def line_height(self) -> int:
        return round(self.face.size * 1.18)

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit_text(
    text: str,
    *,
    width: int,
    max_lines: int,
    largest: int,
    smallest: int,
    weight: str = "Regular",
    max_height: int | None = None,
) -> FittedText:
    """The largest size at which `text` fits in `max_lines` lines of `width`
    and, if given, in `max_height` pixels."""
    for size in range(largest, smallest - 1, -2):
        face = font(size, weight)
        fitted = FittedText(face, wrap(text, face, width))
        if len(fitted.lines) <= max_lines and (
            max_height is None or fitted.height <= max_height
        ):
            return fitted
    face = font(smallest, weight)
    lines = wrap(text, face, width)[:max_lines]
    last = lines[-1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return FittedText(face, lines)


def draw_lines(
    draw: ImageDraw.ImageDraw,
    fitted: FittedText,
    *,
    x: float,
    y: float,
    fill: tuple[int, int, int],
    anchor: str = "la",
) -> float:
    for line in fitted.lines:
        draw.text((x, y), line, font=fitted.face, fill=fill, anchor=anchor)
        y += fitted.line_height
    return y


# Pieces ----------------------------------------------------------------------
