"""The sitemap: an index at /sitemap.xml naming one section per kind of page,
each section split into pages of at most `PAGE_SIZE` addresses, so no
response grows with the catalogue."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from comparisons.models import Comparison
from reviewers.models import Reviewer
from tools.models import Category, Tool

PAGE_SIZE = 1000


class ComparisonSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = PAGE_SIZE

    def items(self):
        return Comparison.objects.published().only("slug", "updated_at")

    def lastmod(self, item: Comparison):
        return item.updated_at


class ToolSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5
    limit = PAGE_SIZE

    def items(self):
        return Tool.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Tool):
        return item.updated_at


class PersonaSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4
    limit = PAGE_SIZE

    def items(self):
        return Reviewer.objects.active().order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Reviewer):
        return item.updated_at


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4
    limit = PAGE_SIZE

    def items(self):
        return Category.objects.order_by("pk").only("slug", "updated_at")

    def lastmod(self, item: Category):
        return item.updated_at


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
