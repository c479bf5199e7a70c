import factory
from django.utils import timezone

from tools.models import Category, Tool, Vote
from tools.readers import reader_key


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool

    name = factory.Sequence(lambda n: f"Tool {n}")
    slug = factory.Sequence(lambda n: f"tool-{n}")
    category = factory.SubFactory(CategoryFactory)
    tagline = factory.LazyAttribute(lambda tool: f"{tool.name} does one thing well")
    description = "A tool that does **one** thing well."
    pricing_tier = Tool.PricingTier.FREEMIUM
    pricing_note = "Free to start; paid plans per seat."


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    tool = factory.SubFactory(ToolFactory)
    reader = factory.Sequence(lambda n: reader_key(f"reader-{n}"))
    verdict = Vote.Verdict.SHIP
    cast_at = factory.LazyFunction(timezone.now)


def image_bytes(
    fmt: str = "PNG",
    size: tuple[int, int] = (300, 200),
    colour: tuple[int, ...] = (30, 92, 170, 255),
    **save_options,
) -> bytes:
    """An image drawn on the spot, encoded as `fmt`."""
    import io

    from PIL import Image

    mode = "RGBA" if fmt in ("PNG", "WEBP") and len(colour) == 4 else "RGB"
    image = Image.new(mode, size, colour[: len(mode)])
    out = io.BytesIO()
    image.save(out, fmt, **save_options)
    return out.getvalue()


def upload(name: str, data: bytes):
    """A file as the admin receives it from a browser."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
