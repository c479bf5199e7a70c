"""Monograms: a tool's or persona's initials on a colour of its own, drawn
where there is no upload."""

from __future__ import annotations

import colorsys
import hashlib

from PIL import Image, ImageDraw

from pictures.text import font


def initials(name: str) -> str:
    """Up to two initials: “Claw Code” → “CC”, “Patchwise” → “P”."""
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    return "".join(word[0] for word in words[:2]).upper()


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(rgb: tuple[int, int, int]) -> float:
    return 1.05 / (_luminance(rgb) + 0.05)


def monogram_colour(name: str) -> tuple[int, int, int]:
    """A colour of its own for each name, dark enough for white initials."""
    digest = hashlib.sha256(name.strip().lower().encode()).digest()
    hue = digest[0] / 255
    saturation = 0.45 + digest[1] / 255 * 0.3
    lightness = 0.38
    while True:
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        rgb = (round(r * 255), round(g * 255), round(b * 255))
        if contrast_with_white(rgb) >= 4.5 or lightness <= 0.1:
            return rgb
        lightness -= 0.02


def draw_monogram(name: str, size: int) -> Image.Image:
    """Initials in white on the name's colour, in a rounded square."""
    scale = 4  # drawn large and scaled down, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (0, 0, big - 1, big - 1), radius=big // 6, fill=monogram_colour(name)
    )
    letters = initials(name)
    text_font = font(round(big * (0.46 if len(letters) == 1 else 0.4)), "SemiBold")
    draw.text((big / 2, big / 2), letters, font=text_font, fill="white", anchor="mm")
    return image.resize((size, size), Image.Resampling.LANCZOS)
