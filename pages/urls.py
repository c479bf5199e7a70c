from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from pages import views
from pages.feeds import LatestComparisonsFeed
from pages.sitemaps import sitemaps

urlpatterns = [
    path("", views.home, name="home"),
    path("compare/<slug:slug>/", views.comparison_detail, name="comparison-detail"),
    path("preview/<str:token>/", views.comparison_preview, name="comparison-preview"),
    path("tools/<slug:slug>/", views.tool_detail, name="tool-detail"),
    path("reviewers/", views.reviewer_list, name="reviewer-list"),
    path("reviewers/<slug:slug>/", views.reviewer_detail, name="reviewer-detail"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<slug:slug>/", views.category_detail, name="category-detail"),
    path("feed/", LatestComparisonsFeed(), name="feed"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
]
