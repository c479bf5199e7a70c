from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from comparisons.models import Comparison
from reviewers.models import Reviewer
from tools.models import Category, Tool


class ComparisonSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Comparison.objects.published().with_tools()

    def lastmod(self, item: Comparison):
        return item.updated_at


class CatalogueSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return [
            *Tool.objects.order_by("name"),
            *Reviewer.objects.active(),
            *Category.objects.all(),
        ]


class StaticSitemap(Sitemap):
    priority = 1.0

    def items(self) -> list[str]:
        return ["home", "reviewer-list", "category-list"]

    def location(self, item: str) -> str:
        return reverse(item)


sitemaps = {
    "pages": StaticSitemap,
    "comparisons": ComparisonSitemap,
    "catalogue": CatalogueSitemap,
}
