"""RSS feeds: the latest comparisons of the whole site, and of each
category (`/categories/<slug>/feed/`).

A feed reader shows an item's description as HTML, so the standfirst is
escaped as HTML before the feed writer escapes it again as XML: whatever an
editor typed arrives as text, never as markup.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.html import escape

from comparisons.models import Comparison
from comparisons.selectors import comparisons_in_category, latest_comparisons
from pages.moved import moved_or_404
from tools.models import Category

ITEMS_PER_FEED = 20


class _ComparisonsFeed(Feed):
    def item_title(self, item: Comparison) -> str:
        return item.title

    def item_description(self, item: Comparison) -> str:
        return escape(item.standfirst)

    def item_pubdate(self, item: Comparison):
        return item.published_at

    def item_updateddate(self, item: Comparison):
        return item.updated_at


class LatestComparisonsFeed(_ComparisonsFeed):
    title = "Verdicts: the latest AI tool comparisons"
    link = reverse_lazy("home")
    description = "New head-to-head comparisons of AI tools from the Verdicts panel."

    def items(self):
        return latest_comparisons()[:ITEMS_PER_FEED]


class CategoryComparisonsFeed(_ComparisonsFeed):
    """The newest published comparisons with a tool of one category."""

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            return moved_or_404(request, Category, kwargs["slug"])

    def get_object(self, request: HttpRequest, slug: str) -> Category:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404("No category at this address.")
        return category

    def title(self, category: Category) -> str:
        return f"{settings.SITE_NAME}: {category.name} comparisons"

    def link(self, category: Category) -> str:
        return category.get_absolute_url()

    def feed_url(self, category: Category) -> str:
        return reverse("category-feed", args=[category.slug])

    def description(self, category: Category) -> str:
        return (
            f"New head-to-head comparisons of {category.name} tools "
            f"from the {settings.SITE_NAME} panel."
        )

    def items(self, category: Category) -> list[Comparison]:
        return comparisons_in_category(category, most=ITEMS_PER_FEED)
