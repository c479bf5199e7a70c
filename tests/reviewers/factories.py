import factory

from reviewers.models import Review, Reviewer
from tests.tools.factories import ToolFactory


class ReviewerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reviewer

    name = factory.Sequence(lambda n: f"Persona {n}")
    slug = factory.Sequence(lambda n: f"persona-{n}")
    lens = "Developer experience"
    bio = "Judges tools by how they feel in the first ten minutes."
    seat = factory.Sequence(lambda n: n)
    active = True


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    reviewer = factory.SubFactory(ReviewerFactory)
    tool = factory.SubFactory(ToolFactory)
    verdict = Review.Verdict.SHIP
    quote = factory.Sequence(lambda n: f"Quote number {n}: it does what it says.")
