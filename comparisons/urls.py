from django.contrib.sitemaps.views import sitemap
from django.urls import path

from comparisons import views
from comparisons.feeds import LatestComparisonsFeed
from comparisons.sitemaps import sitemaps

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/<slug:slug>/", views.comparison_detail, name="comparison-detail"),
    path("preview/<str:token>/", views.comparison_preview, name="comparison-preview"),
    path("tools/<slug:slug>/", views.tool_detail, name="tool-detail"),
    path("feed/", LatestComparisonsFeed(), name="feed"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
