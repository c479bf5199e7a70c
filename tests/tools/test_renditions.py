import colorsys
import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from pictures.monograms import contrast_with_white, initials, monogram_colour
from reviewers.models import Reviewer
from reviewers.tasks import reviewer_avatar_renditions
from tests.reviewers.factories import ReviewerFactory
from tests.tools.factories import ToolFactory, image_bytes, upload
from tools.models import Tool
from tools.tasks import tool_logo_renditions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


def stored(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_logo_renditions_are_square_at_1x_and_2x_in_webp_and_png(
    django_capture_on_commit_callbacks,
):
    """A wide logo becomes 64 and 128 px squares, WebP plus a PNG fallback."""
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(
            logo=upload("wide.png", image_bytes("PNG", size=(600, 200))),
            logo_alt="A blue bar",
        )
    tool.refresh_from_db()
    renditions = tool.logo_renditions
    assert [stored(name).format for name in renditions["webp"]] == ["WEBP", "WEBP"]
    assert [stored(name).format for name in renditions["fallback"]] == ["PNG", "PNG"]
    sizes = [stored(name).size for name in renditions["webp"] + renditions["fallback"]]
    assert sizes == [(64, 64), (128, 128), (64, 64), (128, 128)]
    # Fitted whole, not cropped: transparent above and below the bar.
    one_x = stored(renditions["fallback"][0]).convert("RGBA")
    assert one_x.getpixel((32, 2))[3] == 0
    assert one_x.getpixel((32, 32))[:3] == (30, 92, 170)


def test_avatar_renditions_are_cropped_squares_with_a_jpeg_fallback(
    django_capture_on_commit_callbacks,
):
    """A photo avatar fills its 48 and 96 px squares; JPEG is its fallback."""
    with django_capture_on_commit_callbacks(execute=True):
        persona = ReviewerFactory(
            avatar=upload(
                "me.jpg", image_bytes("JPEG", size=(300, 500), colour=(200, 60, 20))
            ),
            avatar_alt="Orange",
        )
    persona.refresh_from_db()
    renditions = persona.avatar_renditions
    assert renditions["fallback_type"] == "image/jpeg"
    assert [(stored(n).format, stored(n).size) for n in renditions["fallback"]] == [
        ("JPEG", (48, 48)),
        ("JPEG", (96, 96)),
    ]
    assert [(stored(n).format, stored(n).size) for n in renditions["webp"]] == [
        ("WEBP", (48, 48)),
        ("WEBP", (96, 96)),
    ]


def test_tool_without_logo_gets_a_monogram(django_capture_on_commit_callbacks):
    """No logo: the renditions are the initials on the name's colour."""
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(name="Claw Code")
    tool.refresh_from_db()
    renditions = tool.logo_renditions
    assert renditions["source"].startswith("monogram:Claw Code")
    two_x = stored(renditions["fallback"][1]).convert("RGBA")
    assert two_x.size == (128, 128)
    assert two_x.getpixel((64, 3))[:3] == monogram_colour("Claw Code")
    assert two_x.getpixel((0, 0))[3] == 0  # rounded corner
    # White initials somewhere in the middle.
    middle = two_x.crop((24, 40, 104, 88)).convert("RGB")
    assert (255, 255, 255) in {colour for _count, colour in middle.getcolors(10000)}


def test_monogram_initials_and_colours():
    assert initials("Claw Code") == "CC"
    assert initials("Modal GPU Serverless Inference") == "MG"
    assert initials("patchwise") == "P"
    assert monogram_colour("Claw Code") == monogram_colour("claw code ")
    assert monogram_colour("Claw Code") != monogram_colour("Patchwise")


def wcag_contrast_with_white(rgb: tuple[int, int, int]) -> float:
    """White text on `rgb`, by the WCAG formula, written out here so the
    tests below do not lean on the code they check."""

    def linear(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(value) for value in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def name_colour_at(name: str, lightness: float) -> tuple[int, int, int]:
    """The name's own hue and saturation (from the SHA-256 of the name,
    stripped and lower-cased) at the given lightness."""
    digest = hashlib.sha256(name.strip().lower().encode()).digest()
    hue = digest[0] / 255
    saturation = 0.45 + digest[1] / 255 * 0.3
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def test_contrast_with_white_is_the_wcag_ratio_at_the_aa_edge():
    """#767676 is the lightest grey that passes 4.5:1 with white; #777777
    fails it."""
    assert contrast_with_white((0x76, 0x76, 0x76)) >= 4.5
    assert contrast_with_white((0x77, 0x77, 0x77)) < 4.5
    assert contrast_with_white((0, 0, 0)) == 21
    assert contrast_with_white((255, 255, 255)) == 1


def test_a_colour_dark_enough_for_white_initials_is_kept():
    """Claw Code's colour passes at the starting lightness, 0.38: it is not
    darkened."""
    assert wcag_contrast_with_white(name_colour_at("Claw Code", 0.38)) >= 4.5
    assert monogram_colour("Claw Code") == name_colour_at("Claw Code", 0.38)


@pytest.mark.parametrize(
    ("name", "lightness"),
    [("Zeta Writer", 0.34), ("Patchwise", 0.32), ("Shellwright", 0.30)],
)
def test_a_colour_too_light_for_white_initials_is_darkened_just_enough(name, lightness):
    """Too light at 0.38, the colour goes down in steps of 0.02 lightness and
    stops at the first that gives white initials 4.5:1."""
    assert wcag_contrast_with_white(name_colour_at(name, 0.38)) < 4.5
    assert wcag_contrast_with_white(name_colour_at(name, lightness + 0.02)) < 4.5
    assert wcag_contrast_with_white(name_colour_at(name, lightness)) >= 4.5
    assert monogram_colour(name) == name_colour_at(name, lightness)


def test_each_name_has_a_colour_of_its_own():
    names = [
        "Claw Code",
        "Modal GPU Serverless Inference",
        "Patchwise",
        "Quillmate",
        "Citable",
        "Agendly",
        "Shellwright",
        "Zeta Writer",
    ]
    assert len({monogram_colour(name) for name in names}) == len(names)


def test_a_names_colour_is_the_same_every_time_whatever_its_case_and_spacing():
    colour = monogram_colour("Claw Code")
    assert monogram_colour("Claw Code") == colour
    assert monogram_colour("claw code") == monogram_colour("  CLAW CODE ") == colour


def test_renaming_a_tool_redraws_its_monogram(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(name="Quillmate")
    tool.refresh_from_db()
    before = tool.logo_renditions
    with django_capture_on_commit_callbacks(execute=True):
        tool.name = "Zeta Writer"
        tool.save()
    tool.refresh_from_db()
    assert tool.logo_renditions["source"].startswith("monogram:Zeta Writer")
    assert not any(default_storage.exists(name) for name in before["webp"])


def test_replacing_a_logo_replaces_its_renditions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(logo=upload("a.png", image_bytes("PNG")), logo_alt="Blue")
    tool.refresh_from_db()
    before = tool.logo_renditions
    with django_capture_on_commit_callbacks(execute=True):
        tool.logo = upload("b.png", image_bytes("PNG", colour=(200, 0, 0, 255)))
        tool.save()
    tool.refresh_from_db()
    after = tool.logo_renditions
    assert after["source"] != before["source"]
    assert stored(after["fallback"][0]).convert("RGB").getpixel((32, 32)) == (
        200,
        0,
        0,
    )
    assert not any(
        default_storage.exists(name) for name in before["webp"] + before["fallback"]
    )


def test_renditions_task_is_idempotent(django_capture_on_commit_callbacks):
    """A second run finds the renditions current and draws nothing."""
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory()
        persona = ReviewerFactory()
    assert tool_logo_renditions(tool.pk) is False
    assert reviewer_avatar_renditions(persona.pk) is False
    Tool.objects.filter(pk=tool.pk).update(logo_renditions={})
    assert tool_logo_renditions(tool.pk) is True
    assert tool_logo_renditions(tool.pk + 1000) is False
    assert Reviewer.objects.get(pk=persona.pk).avatar_renditions["size"] == 48


def test_renditions_are_made_after_commit_not_during_the_request():
    """Inside the transaction nothing is drawn yet (no on-commit callback ran)."""
    tool = ToolFactory(logo=upload("a.png", image_bytes("PNG")), logo_alt="Blue")
    tool.refresh_from_db()
    assert tool.logo_renditions == {}


def test_pages_show_picture_with_srcset_and_size(
    client, comparison, django_capture_on_commit_callbacks
):
    """The comparison page serves logos and avatars through <picture>."""
    left = comparison.left
    persona = Reviewer.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        left.logo = upload("logo.png", image_bytes("PNG"))
        left.logo_alt = "Claw Code's claw mark"
        left.save()
        persona.save()
        comparison.right.save()
    left.refresh_from_db()
    html = client.get(comparison.get_absolute_url()).content.decode()
    webp = left.logo_renditions["webp"]
    png = left.logo_renditions["fallback"]
    assert (
        f'<source type="image/webp" srcset="/media/{webp[0]} 1x, /media/{webp[1]} 2x">'
        in html
    )
    assert (
        f'<img src="/media/{png[0]}" srcset="/media/{png[0]} 1x, /media/{png[1]} 2x" '
        'width="64" height="64" alt="Claw Code&#x27;s claw mark"' in html
    )
    # The right tool has no logo: its monogram, with an empty alt as the
    # name is next to it.
    right_png = Tool.objects.get(pk=comparison.right_id).logo_renditions["fallback"]
    assert f'srcset="/media/{right_png[0]} 1x' in html
    assert 'width="48" height="48"' in html  # the persona's avatar


def test_replaced_upload_is_deleted_after_commit(django_capture_on_commit_callbacks):
    """The old logo file goes once its replacement is committed."""
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(logo=upload("a.png", image_bytes("PNG")), logo_alt="Blue")
    old = tool.logo.name
    with django_capture_on_commit_callbacks(execute=True):
        tool.logo = upload("b.png", image_bytes("PNG"))
        tool.save()
    assert default_storage.exists(tool.logo.name)
    assert not default_storage.exists(old)


def test_deleting_a_persona_deletes_its_pictures(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        persona = ReviewerFactory(
            avatar=upload("me.png", image_bytes("PNG")), avatar_alt="Blue"
        )
    persona.refresh_from_db()
    files = [persona.avatar.name, *persona.avatar_renditions["webp"]]
    assert all(default_storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        persona.delete()
    assert not any(default_storage.exists(name) for name in files)


def test_deleting_a_tool_deletes_its_logo_renditions_and_card(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(logo=upload("a.png", image_bytes("PNG")), logo_alt="Blue")
    tool.refresh_from_db()
    files = [
        tool.logo.name,
        tool.share_card.name,
        *tool.logo_renditions["webp"],
        *tool.logo_renditions["fallback"],
    ]
    assert all(name and default_storage.exists(name) for name in files)
    with django_capture_on_commit_callbacks(execute=True):
        tool.delete()
    assert not any(default_storage.exists(name) for name in files)


def test_admin_shows_the_logo_as_readers_see_it(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tool = ToolFactory(logo=upload("a.png", image_bytes("PNG")), logo_alt="Blue")
    tool.refresh_from_db()
    html = admin_client.get(f"/admin/tools/tool/{tool.pk}/change/").content.decode()
    assert f'<img src="/media/{tool.logo_renditions["fallback"][0]}"' in html
    persona = ReviewerFactory()
    html = admin_client.get(
        f"/admin/reviewers/reviewer/{persona.pk}/change/"
    ).content.decode()
    assert "Being drawn after saving; reload this page in a moment." in html


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "big.png"), ("JPEG", "big.jpg")])
def test_large_upload_gives_renditions_of_the_same_picture(
    fmt, name, django_capture_on_commit_callbacks
):
    """A 3000 x 2000 upload, decoded at a reduced scale, still renders right."""
    big = Image.new("RGB", (3000, 2000), (250, 250, 250))
    big.paste((20, 90, 170), (1000, 0, 2000, 2000))  # a blue band in the middle
    out = io.BytesIO()
    big.save(out, fmt)
    with django_capture_on_commit_callbacks(execute=True):
        persona = ReviewerFactory(avatar=upload(name, out.getvalue()), avatar_alt="X")
    persona.refresh_from_db()
    two_x = stored(persona.avatar_renditions["webp"][1]).convert("RGB")
    assert two_x.size == (96, 96)
    # Cropped to the middle square: blue in the centre, light at the edges.
    r, g, b = two_x.getpixel((48, 48))
    assert b > 140 and r < 60
    assert min(two_x.getpixel((2, 48))) > 200
