"""The sitemap: an index at /sitemap.xml naming one section per kind of page,
each section split into pages of at most `PAGE_SIZE` addresses, so no
response grows with the catalogue."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from comparisons.models import Comparison
from reviewers.models import Reviewer
from tools.models import Category, Tool

PAGE_SIZE = 1000


class _PagedSitemap(Sitemap):
    """A section of pages of `PAGE_SIZE` addresses, each dated by when its
    object last changed; reads only what the address and date need."""

    changefreq = "weekly"
    limit = PAGE_SIZE

    def lastmod(self, item):
        return item.updated_at


class ComparisonSitemap(_PagedSitemap):
    priority = 0.8

    def items(self):
        return Comparison.objects.published().only("slug", "updated_at")


class ToolSitemap(_PagedSitemap):
    priority = 0.5

    def items(self):
        return Tool.objects.order_by("pk").only("slug", "updated_at")


class PersonaSitemap(_PagedSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Reviewer.objects.active().order_by("pk").only("slug", "updated_at")


class CategorySitemap(_PagedSitemap):
    priority = 0.4

    def items(self):
        return Category.objects.order_by("pk").only("slug", "updated_at")


class StaticSitemap(Sitemap):
    priority = 1.0

    def items(self) -> list[str]:
        return ["home", "reviewer-list", "category-list"]

    def location(self, item: str) -> str:
        return reverse(item)


sitemaps = {
    "pages": StaticSitemap,
    "comparisons": ComparisonSitemap,
    "tools": ToolSitemap,
    "personas": PersonaSitemap,
    "categories": CategorySitemap,
}
