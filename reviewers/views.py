from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from reviewers.models import Reviewer
from reviewers.panel import panel_figure, with_panel
from tools.community import community_figures
from tools.models import Category, Tool


def reviewer_list(request: HttpRequest) -> HttpResponse:
    reviewers = Reviewer.objects.active()
    return render(request, "reviewers/reviewer_list.html", {"reviewers": reviewers})


def reviewer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reviewer = get_object_or_404(Reviewer, slug=slug)
    reviews = (
        reviewer.reviews.select_related("tool__category").order_by("tool__name").all()
    )
    ship_count = sum(review.is_ship for review in reviews)
    return render(
        request,
        "reviewers/reviewer_detail.html",
        {"reviewer": reviewer, "reviews": reviews, "ship_count": ship_count},
    )


def category_list(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.prefetch_related(
        Prefetch("tools", queryset=Tool.objects.order_by("name"))
    )
    return render(request, "reviewers/category_list.html", {"categories": categories})


def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    tools = list(with_panel(category.tools.order_by("name")))
    community = community_figures(tool.pk for tool in tools)
    rows = [(tool, panel_figure(tool), community[tool.pk]) for tool in tools]
    return render(
        request,
        "reviewers/category_detail.html",
        {"category": category, "tools": rows},
    )
