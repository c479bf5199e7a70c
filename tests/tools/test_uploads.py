import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import ToolFactory, image_bytes, upload
from tools.models import Tool

pytestmark = pytest.mark.django_db

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>'


def bomb_png() -> bytes:
    """A 1-bit 10,000 x 10,000 PNG: 13 kB on disk, 100 megapixels decoded."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return out.getvalue()


def logo_errors(name: str, data: bytes) -> list[str]:
    tool = ToolFactory.build(logo=upload(name, data), logo_alt="A logo")
    with pytest.raises(ValidationError) as refused:
        tool.full_clean(exclude=["category"])
    return refused.value.message_dict["logo"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", SVG, "SVG images are not accepted."),
        ("logo.png", SVG, "This file is an SVG drawing, which is not accepted."),
        ("logo.gif", image_bytes("GIF"), "“.gif” files are not accepted."),
        ("logo.png", image_bytes("GIF"), "This file is a GIF image."),
        (
            "logo.png",
            image_bytes("JPEG", colour=(200, 10, 10)),
            "“logo.png” is named as a PNG image but contains a JPEG image.",
        ),
        (
            "logo.jpg",
            image_bytes("PNG"),
            "“logo.jpg” is named as a JPEG image but contains a PNG image.",
        ),
        (
            "wide.png",
            image_bytes("PNG", size=(4001, 10)),
            "This image is 4001 × 10 pixels; the limit is 4000 × 4000.",
        ),
        (
            "notes.png",
            b"these are meeting notes, not a picture",
            "This file is not an image that can be read.",
        ),
        ("logo", image_bytes("PNG"), "Files without an extension are not accepted."),
    ],
)
def test_upload_is_refused_with_a_message_on_the_field(name, data, message):
    """Each kind of bad upload gets its own message on the logo field."""
    errors = logo_errors(name, data)
    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_file_over_ten_megabytes_is_refused():
    """A file over 10 MB is refused before it is decoded."""
    big = image_bytes("PNG") + b"\0" * (10 * 1024 * 1024)
    assert logo_errors("big.png", big) == [
        f"This file is {len(big) / 1024 / 1024:.1f} MB; the limit is 10.0 MB."
    ]


def test_decompression_bomb_is_refused():
    """Pillow's decompression-bomb warning is treated as a refusal."""
    errors = logo_errors("bomb.png", bomb_png())
    assert "decompression bomb" in errors[0]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_file_is_refused(fmt):
    """A file cut off while copying is refused, whatever its format."""
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, fmt)
    data = out.getvalue()
    name = {"PNG": "cut.png", "JPEG": "cut.jpg", "WEBP": "cut.webp"}[fmt]
    assert logo_errors(name, data[: len(data) // 2]) == [
        "This image file is incomplete or damaged (it may have been cut off "
        "while copying). Export it again and upload the new file."
    ]


def test_logo_needs_alt_text():
    """A logo without alt text is refused on the alt text field."""
    tool = ToolFactory.build(logo=upload("logo.png", image_bytes("PNG")))
    with pytest.raises(ValidationError) as refused:
        tool.full_clean(exclude=["category"])
    assert refused.value.message_dict == {
        "logo_alt": ["Describe the logo for people who cannot see it."]
    }


def test_avatar_is_checked_like_a_logo():
    persona = ReviewerFactory.build(avatar=upload("me.svg", SVG), avatar_alt="Portrait")
    with pytest.raises(ValidationError) as refused:
        persona.full_clean()
    assert refused.value.message_dict["avatar"][0].startswith(
        "SVG images are not accepted."
    )


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (120, 80), (10, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def test_metadata_is_stripped_and_the_name_generated():
    """The stored logo keeps the pixels, not the EXIF, GPS or the file name."""
    tool = ToolFactory(
        logo=upload("my-home-address.jpg", jpeg_with_gps()), logo_alt="Green"
    )
    tool.refresh_from_db()
    assert "my-home-address" not in tool.logo.name
    assert tool.logo.name.startswith("logos/")
    assert tool.logo.name.endswith(".jpg")
    with tool.logo.open("rb") as handle:
        data = handle.read()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert stored.size == (120, 80)
    assert not stored.getexif()
    assert "comment" not in stored.info
    assert b"Camera maker" not in data
    assert b"taken at home" not in data


def test_png_text_chunks_are_stripped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone's full name")
    data = image_bytes("PNG", pnginfo=info)
    assert b"Someone's full name" in data
    tool = ToolFactory(logo=upload("logo.png", data), logo_alt="Blue")
    with tool.logo.open("rb") as handle:
        stored = handle.read()
    assert b"Someone's full name" not in stored
    assert Image.open(io.BytesIO(stored)).size == (300, 200)


def test_exif_orientation_is_applied_before_stripping():
    """A photo taken sideways is stored upright once its EXIF is gone."""
    image = Image.new("RGB", (200, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    persona = ReviewerFactory(avatar=upload("me.jpg", out.getvalue()), avatar_alt="Red")
    with persona.avatar.open("rb") as handle:
        assert Image.open(handle).size == (100, 200)


def test_refused_upload_in_the_admin_shows_the_message(admin_client):
    """The admin answers a bad logo with its form and the message, not a 500."""
    tool = ToolFactory()
    data = {
        "name": tool.name,
        "slug": tool.slug,
        "category": tool.category_id,
        "tagline": "A tagline typed with the upload",
        "website": "",
        "description": tool.description,
        "pricing_tier": tool.pricing_tier,
        "pricing_note": "",
        "logo": upload("logo.png", image_bytes("JPEG", colour=(1, 2, 3))),
        "logo_alt": "A logo",
        "reviews-TOTAL_FORMS": "0",
        "reviews-INITIAL_FORMS": "0",
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(f"/admin/tools/tool/{tool.pk}/change/", data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["logo"] == [
        "“logo.png” is named as a PNG image but contains a JPEG image. Export "
        "it again, or give it the right extension."
    ]
    assert "is named as a PNG image but contains a JPEG image" in (
        response.content.decode()
    )
    assert not Tool.objects.get(pk=tool.pk).logo
    # The rest of what was typed comes back in the form, unsaved.
    assert 'value="A tagline typed with the upload"' in response.content.decode()
    assert Tool.objects.get(pk=tool.pk).tagline == tool.tagline


def test_good_upload_in_the_admin_is_stored(admin_client):
    tool = ToolFactory()
    data = {
        "name": tool.name,
        "slug": tool.slug,
        "category": tool.category_id,
        "tagline": tool.tagline,
        "website": "",
        "description": tool.description,
        "pricing_tier": tool.pricing_tier,
        "pricing_note": "",
        "logo": upload("Screenshot 2026-01-01.webp", image_bytes("WEBP")),
        "logo_alt": "A blue square",
        "reviews-TOTAL_FORMS": "0",
        "reviews-INITIAL_FORMS": "0",
        "reviews-MIN_NUM_FORMS": "0",
        "reviews-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(f"/admin/tools/tool/{tool.pk}/change/", data)
    assert response.status_code == 302
    tool.refresh_from_db()
    assert tool.logo.name.endswith(".webp")
    assert "Screenshot" not in tool.logo.name
    assert tool.logo_alt == "A blue square"


def test_admin_file_input_offers_only_accepted_formats(admin_client):
    response = admin_client.get("/admin/tools/tool/add/")
    assert 'accept="image/png,image/jpeg,image/webp"' in response.content.decode()
