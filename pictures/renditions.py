"""Renditions: the square pictures pages show instead of an upload.

A task made after commit draws them at 1x and 2x, in WebP with a PNG or JPEG
fallback, from the upload or, where there is none, from a monogram.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps

from pictures.monograms import draw_monogram
from pictures.signals import picture_stored

# Bumped when monograms or renditions are drawn differently, so that stored
# ones are redrawn.
DRAWING_VERSION = "1"


def square(image: Image.Image, size: int, *, crop: bool) -> Image.Image:
    """A size × size copy: cropped to fill (photos) or fitted whole (logos)."""
    image = image.convert("RGBA")
    if crop:
        return ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
    fitted = ImageOps.contain(image, (size, size), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    canvas.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2))
    return canvas


def open_for(handle: Any, largest: int) -> Image.Image:
    """Decode a stored image only as finely as a `largest`-pixel square needs.

    JPEGs decode straight at a reduced scale; other formats are reduced by
    a whole factor first, which keeps resampling a 4000-pixel upload cheap.
    """
    image = Image.open(handle)
    if image.format == "JPEG":
        image.draft("RGB", (largest * 2, largest * 2))
    image.load()
    factor = min(image.size) // (largest * 2)
    return image.reduce(factor) if factor > 1 else image


def _is_opaque(image: Image.Image) -> bool:
    if image.mode != "RGBA":
        return True
    low, _high = image.getchannel("A").getextrema()
    return low == 255


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=86, method=4)
    elif fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=86, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Picture:
    """What a page needs to show a rendition set with `<picture>`."""

    webp_srcset: str
    src: str
    srcset: str
    alt: str


def picture(renditions: dict[str, Any], *, alt: str) -> Picture | None:
    """The Picture for stored renditions, or None while they are not made."""
    if not renditions or "webp" not in renditions:
        return None
    webp = [default_storage.url(name) for name in renditions["webp"]]
    fallback = [default_storage.url(name) for name in renditions["fallback"]]
    return Picture(
        webp_srcset=f"{webp[0]} 1x, {webp[1]} 2x",
        src=fallback[0],
        srcset=f"{fallback[0]} 1x, {fallback[1]} 2x",
        alt=alt,
    )


def rendition_source(image: FieldFile | None, name: str) -> str:
    """What a rendition set is made from: the stored upload, or the name."""
    if image:
        return f"file:{image.name}:v{DRAWING_VERSION}"
    return f"monogram:{name}:v{DRAWING_VERSION}"


def make_renditions(
    *, image: FieldFile | None, name: str, size: int, folder: str, crop: bool
) -> dict[str, Any]:
    """Draw and store the 1x and 2x renditions; return their description."""
    source = rendition_source(image, name)
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    if image:
        with image.open("rb") as handle:
            opened = open_for(handle, size * 2)
            frames = [square(opened, size * d, crop=crop) for d in (1, 2)]
        fallback = "PNG" if not all(_is_opaque(f) for f in frames) else "JPEG"
        if not crop:
            fallback = "PNG"  # logos keep their transparent margins
    else:
        frames = [draw_monogram(name, size * d) for d in (1, 2)]
        fallback = "PNG"
    extension = ".png" if fallback == "PNG" else ".jpg"
    webp, fallbacks = [], []
    for density, frame in zip((1, 2), frames, strict=True):
        stem = f"{folder}/{digest}-{size}-{density}x"
        webp.append(_store(f"{stem}.webp", _encode(frame, "WEBP")))
        fallbacks.append(_store(f"{stem}{extension}", _encode(frame, fallback)))
    return {
        "source": source,
        "size": size,
        "webp": webp,
        "fallback": fallbacks,
        "fallback_type": "image/png" if fallback == "PNG" else "image/jpeg",
    }


def _store(name: str, data: bytes) -> str:
    """Save under exactly this name, replacing a file left by an earlier run."""
    default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def delete_renditions(renditions: dict[str, Any]) -> None:
    delete_files(*renditions.get("webp", []), *renditions.get("fallback", []))


def delete_files(*names: str) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def delete_files_on_commit(*names: str) -> None:
    """Delete stored files once the change that dropped them is committed."""
    names = tuple(name for name in names if name)
    if names:
        transaction.on_commit(lambda: delete_files(*names))


def refresh_renditions(
    model: type[models.Model],
    pk: int,
    *,
    image_field: str,
    renditions_field: str,
    size: int,
    folder: str,
    crop: bool,
) -> bool:
    """Bring one object's renditions up to date; True if new ones were made.

    Safe to run twice or late: nothing is drawn when the stored set already
    matches, and a set is only recorded if the image it was drawn from is
    still the object's image.
    """
    instance = model._default_manager.filter(pk=pk).first()
    if instance is None:
        return False
    image = getattr(instance, image_field)
    current = getattr(instance, renditions_field) or {}
    source = rendition_source(image, instance.name)
    if current.get("source") == source and all(
        default_storage.exists(name) for name in current.get("webp", [])
    ):
        return False
    made = make_renditions(
        image=image,
        name=instance.name,
        size=size,
        folder=f"{folder}/{instance.pk}",
        crop=crop,
    )
    updated = model._default_manager.filter(
        pk=pk, **{image_field: image.name or "", "name": instance.name}
    ).update(**{renditions_field: made})
    if not updated:
        delete_renditions(made)
        return False
    if current and current.get("webp") != made["webp"]:
        delete_renditions(current)
    picture_stored.send(sender=model, instance=instance)
    return True
