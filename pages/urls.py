from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from pages import browse, views
from pages.cache import cached_page
from pages.feeds import CategoryComparisonsFeed, LatestComparisonsFeed
from pages.search import search
from pages.sitemaps import sitemaps

urlpatterns = [
    path("", cached_page(views.home), name="home"),
    path("search/", cached_page(search, parameters=("q", "type")), name="search"),
    path(
        "compare/",
        cached_page(browse.compare_pick, parameters=("tool", "with")),
        name="compare-pick",
    ),
    path(
        "tools/",
        cached_page(browse.tool_list, parameters=browse.FILTERS),
        name="tool-list",
    ),
    path(
        "tools/<slug:slug>/alternatives/",
        cached_page(browse.tool_alternatives),
        name="tool-alternatives",
    ),
    path("methodology/", cached_page(browse.methodology), name="methodology"),
    path(
        "compare/<slug:slug>/",
        cached_page(views.comparison_detail),
        name="comparison-detail",
    ),
    path("preview/<str:token>/", views.comparison_preview, name="comparison-preview"),
    path("tools/<slug:slug>/", cached_page(views.tool_detail), name="tool-detail"),
    path("reviewers/", cached_page(views.reviewer_list), name="reviewer-list"),
    path(
        "reviewers/<slug:slug>/",
        cached_page(views.reviewer_detail),
        name="reviewer-detail",
    ),
    path("categories/", cached_page(views.category_list), name="category-list"),
    path(
        "categories/<slug:slug>/",
        cached_page(views.category_detail, parameters=("sort",)),
        name="category-detail",
    ),
    path(
        "categories/<slug:slug>/feed/",
        cached_page(CategoryComparisonsFeed()),
        name="category-feed",
    ),
    path("feed/", cached_page(LatestComparisonsFeed()), name="feed"),
    path(
        "community/figures.json",
        views.community_figures_json,
        name="community-figures",
    ),
    path(
        "sitemap.xml",
        cached_page(sitemap_views.index),
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_page(sitemap_views.sitemap),
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
]
