import factory
from django.utils import timezone

from comparisons.models import Comparison
from tests.tools.factories import ToolFactory


class ComparisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparison

    left = factory.SubFactory(ToolFactory)
    right = factory.SubFactory(ToolFactory)
    standfirst = "Which one should you ship with? The panel decides."
    bottom_line = "Ship with **the left one** if you are in a hurry."
    status = Comparison.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=Comparison.Status.DRAFT, published_at=None)
