import factory

from newsletter.models import Issue, IssueComparison, Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = Subscriber.Status.ACTIVE


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    iso_year = 2026
    iso_week = factory.Sequence(lambda n: 1 + n % 52)
    subject = "Weekly AI Tool Verdicts: Claw Code vs Modal"
    intro = "This week the panel compared **two** tools."
    status = Issue.Status.SCHEDULED


class IssueComparisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssueComparison

    position = factory.Sequence(lambda n: n)
