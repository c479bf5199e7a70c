"""The sitemap: an index at /sitemap.xml naming one section per kind of page,
each section split into pages of at most `PAGE_SIZE` addresses, so no
response grows with the catalogue. Every address carries its `lastmod`, and
the index dates each section by the newest change in it, found by one
aggregate rather than by reading the section."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.urls import reverse

from comparisons.models import Comparison
from pages.browse import METHODOLOGY_REVISED
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

    def get_latest_lastmod(self) -> datetime | None:
        return _latest(self.items())


def _latest(items: QuerySet) -> datetime | None:
    return items.order_by().aggregate(latest=Max("updated_at"))["latest"]


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
    """The home page and the indexes, each dated by the newest change to
    what it lists (the methodology by its last revision)."""

    priority = 1.0

    def items(self) -> list[str]:
        return ["home", "tool-list", "category-list", "reviewer-list", "methodology"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        return self._dates()[item]

    def get_latest_lastmod(self) -> datetime | None:
        return max((date for date in self._dates().values() if date), default=None)

    def _dates(self) -> dict[str, datetime | None]:
        if not hasattr(self, "_dated"):
            self._dated = {
                "home": _latest(Comparison.objects.published()),
                "tool-list": _latest(Tool.objects.all()),
                "category-list": _latest(Category.objects.all()),
                "reviewer-list": _latest(Reviewer.objects.active()),
                "methodology": METHODOLOGY_REVISED,
            }
        return self._dated


sitemaps = {
    "pages": StaticSitemap,
    "comparisons": ComparisonSitemap,
    "tools": ToolSitemap,
    "personas": PersonaSitemap,
    "categories": CategorySitemap,
}
