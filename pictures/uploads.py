"""Checking uploaded pictures and storing a clean copy of them.

An upload is only trusted after Pillow has decoded all of it; what is stored
is a fresh encoding of its pixels under a generated name, so nothing the
uploader's camera or editor wrote into the file (EXIF, GPS, comments) and
nothing of the uploader's file name reaches readers.
"""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from PIL import Image, ImageOps, UnidentifiedImageError

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
