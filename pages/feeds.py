from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from comparisons.models import Comparison


class LatestComparisonsFeed(Feed):
    title = "Verdicts: the latest AI tool comparisons"
    link = reverse_lazy("home")
    description = "New head-to-head comparisons of AI tools from the Verdicts panel."

    def items(self):
        return Comparison.objects.published().with_tools()[:20]

    def item_title(self, item: Comparison) -> str:
        return item.title

    def item_description(self, item: Comparison) -> str:
        return item.standfirst

    def item_pubdate(self, item: Comparison):
        return item.published_at

    def item_updateddate(self, item: Comparison):
        return item.updated_at
