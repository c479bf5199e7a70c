"""Pictures of tools and personas: checking uploads, renditions and monograms.

An upload is only trusted after Pillow has decoded all of it; what is stored
is a fresh encoding of its pixels under a generated name, so nothing the
uploader's camera or editor wrote into the file (EXIF, GPS, comments) and
nothing of the uploader's file name reaches readers.

Pages never show an upload as it is: a task made after commit draws square
renditions at 1x and 2x, in WebP with a PNG or JPEG fallback, or a monogram
(initials on a colour derived from the name) where there is no upload.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import secrets
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import fontpkg
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

MAX_SIDE = 4000
MAX_BYTES = 10 * 1024 * 1024
FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP"}
EXTENSIONS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".webp": "WEBP",
}
SAVED_EXTENSION = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
ACCEPT = "image/png,image/jpeg,image/webp"
ACCEPTED = "Upload a PNG, JPEG or WebP image."

# Bumped when monograms or renditions are drawn differently, so that stored
# ones are redrawn.
DRAWING_VERSION = "1"


# Checking uploads ----------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith(b"<") and (b"<svg" in text or text.startswith(b"<?xml"))


def validate_image(value: FieldFile) -> None:
    """Refuse anything but a whole PNG, JPEG or WebP of sensible size.

    Files already stored passed this check when they were uploaded; only a new
    upload is read.
    """
    if not value or getattr(value, "_committed", True):
        return
    name = Path(value.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix in (".svg", ".svgz"):
        raise ValidationError(
            f"SVG images are not accepted. {ACCEPTED}", code="image_svg"
        )
    if suffix not in EXTENSIONS:
        shown = f"“{suffix}” files" if suffix else "Files without an extension"
        raise ValidationError(
            f"{shown} are not accepted. {ACCEPTED}", code="image_extension"
        )
    if value.size is not None and value.size > MAX_BYTES:
        raise ValidationError(
            f"This file is {_megabytes(value.size)}; the limit is "
            f"{_megabytes(MAX_BYTES)}.",
            code="image_file_size",
        )
    value.seek(0)
    data = value.read(MAX_BYTES + 1)
    value.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"This file is larger than {_megabytes(MAX_BYTES)}, the limit.",
            code="image_file_size",
        )
    if _looks_like_svg(data[:512]):
        raise ValidationError(
            f"This file is an SVG drawing, which is not accepted. {ACCEPTED}",
            code="image_svg",
        )
    check_image_bytes(data, claimed=EXTENSIONS[suffix], name=name)


def check_image_bytes(data: bytes, *, claimed: str, name: str) -> str:
    """Decode all of `data`; return its format or raise a ValidationError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ValidationError(
                "This image declares so many pixels that decoding it could "
                "exhaust the server (a “decompression bomb”); it is refused. "
                f"The limit is {MAX_SIDE} × {MAX_SIDE} pixels.",
                code="image_bomb",
            ) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            if _is_cut_short_webp(data):
                raise _truncated() from None
            raise ValidationError(
                f"This file is not an image that can be read. {ACCEPTED}",
                code="image_unreadable",
            ) from None
        found = image.format or ""
        if found not in FORMAT_NAMES:
            raise ValidationError(
                f"This file is a {found or 'different kind of'} image. {ACCEPTED}",
                code="image_format",
            )
        if found != claimed:
            raise ValidationError(
                f"“{name}” is named as a {FORMAT_NAMES[claimed]} image but "
                f"contains a {FORMAT_NAMES[found]} image. Export it again, or "
                "give it the right extension.",
                code="image_mismatch",
            )
        width, height = image.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise ValidationError(
                f"This image is {width} × {height} pixels; the limit is "
                f"{MAX_SIDE} × {MAX_SIDE}. Scale it down and upload it again.",
                code="image_dimensions",
            )
        try:
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ValidationError(
                "This image would decode to too many pixels; it is refused.",
                code="image_bomb",
            ) from None
        except (OSError, ValueError, SyntaxError):
            raise _truncated() from None
    return found


def _truncated() -> ValidationError:
    return ValidationError(
        "This image file is incomplete or damaged (it may have been cut off "
        "while copying). Export it again and upload the new file.",
        code="image_truncated",
    )


def _is_cut_short_webp(data: bytes) -> bool:
    """A WebP's RIFF header gives its length; fewer bytes means it was cut."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    return int.from_bytes(data[4:8], "little") + 8 > len(data)


def clean_image_bytes(data: bytes) -> tuple[bytes, str]:
    """Re-encode the pixels alone, upright, in the upload's own format.

    Returns the new bytes and the extension to store them under.
    """
    image = Image.open(io.BytesIO(data))
    found = image.format or "PNG"
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGB" if found == "JPEG" or not has_alpha else "RGBA"
    pixels = image.convert(mode)
    # A new image built from the raw pixels carries no info dict at all: no
    # EXIF, GPS, XMP, comments or text chunks.
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if found == "JPEG":
        bare.save(out, "JPEG", quality=92, optimize=True)
    elif found == "WEBP":
        bare.save(out, "WEBP", quality=92, method=4)
    else:
        bare.save(out, "PNG", optimize=True)
    return out.getvalue(), SAVED_EXTENSION.get(found, ".png")


class ImageUploadFormField(forms.FileField):
    """A file input that offers images only; the model field does the checks."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs.setdefault("accept", ACCEPT)
        return attrs


class CheckedImageField(models.ImageField):
    """An ImageField that checks uploads and stores a clean copy.

    The checks are the model field's validators, so the admin (and any model
    form) shows their message on the field. On save the upload is re-encoded
    without metadata and stored under a random name.
    """

    default_validators = [validate_image]

    def formfield(self, **kwargs: Any) -> forms.Field:
        return super().formfield(**{**kwargs, "form_class": ImageUploadFormField})

    def pre_save(self, model_instance: models.Model, add: bool) -> FieldFile:
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.seek(0)
            data, extension = clean_image_bytes(file.read())
            file.save(
                f"{secrets.token_hex(16)}{extension}", ContentFile(data), save=False
            )
        return super().pre_save(model_instance, add)


# Monograms -----------------------------------------------------------------


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


@lru_cache(maxsize=64)
def font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    """IBM Plex Sans from its installed package, at a size and weight."""
    loaded = ImageFont.truetype(str(fontpkg.path("IBM Plex Sans")), size)
    loaded.set_variation_by_name(weight)
    return loaded


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


# Renditions ----------------------------------------------------------------


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

    size: int
    webp_srcset: str
    src: str
    srcset: str
    fallback_type: str
    alt: str


def picture(renditions: dict[str, Any], *, alt: str) -> Picture | None:
    """The Picture for stored renditions, or None while they are not made."""
    if not renditions or "webp" not in renditions:
        return None
    webp = [default_storage.url(name) for name in renditions["webp"]]
    fallback = [default_storage.url(name) for name in renditions["fallback"]]
    return Picture(
        size=renditions["size"],
        webp_srcset=f"{webp[0]} 1x, {webp[1]} 2x",
        src=fallback[0],
        srcset=f"{fallback[0]} 1x, {fallback[1]} 2x",
        fallback_type=renditions["fallback_type"],
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
    return True


def keep_pictures_in_step(
    model: type[models.Model],
    *,
    image_field: str,
    renditions_field: str,
    task: Any,
    also_delete: tuple[str, ...] = (),
) -> None:
    """Connect the signals that keep a model's picture files in step with it.

    Before a save, the stored upload's name is remembered; after it, a
    replaced or cleared upload is deleted and, when what the renditions are
    made from has changed, `task` redraws them after commit. Deleting the
    object deletes its upload, its renditions and the files named by the
    `also_delete` fields.
    """
    label = f"{model._meta.label_lower}.{image_field}"
    before_attr = f"_{image_field}_before"

    def remember(sender, instance, raw: bool, **kwargs) -> None:
        if not raw and instance.pk:
            stored = sender.objects.filter(pk=instance.pk)
            setattr(
                instance,
                before_attr,
                stored.values_list(image_field, flat=True).first(),
            )

    def saved(sender, instance, raw: bool, **kwargs) -> None:
        if raw:
            return
        image = getattr(instance, image_field)
        before = getattr(instance, before_attr, None)
        if before and before != image.name:
            delete_files_on_commit(before)  # the replaced or cleared upload
        made_from = (getattr(instance, renditions_field) or {}).get("source")
        if made_from != rendition_source(image, instance.name):
            task.delay_on_commit(instance.pk)

    def deleted(sender, instance, **kwargs) -> None:
        renditions = getattr(instance, renditions_field) or {}
        delete_files_on_commit(
            getattr(instance, image_field).name,
            *(getattr(instance, field).name for field in also_delete),
            *renditions.get("webp", []),
            *renditions.get("fallback", []),
        )

    pre_save.connect(remember, sender=model, weak=False, dispatch_uid=f"{label}:pre")
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{label}:post")
    post_delete.connect(
        deleted, sender=model, weak=False, dispatch_uid=f"{label}:delete"
    )
