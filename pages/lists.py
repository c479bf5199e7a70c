"""Lists a page at a time, the same way on every reader page."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, items, per_page: int) -> Page:
    """The page of `items` that ?page= asks for; a page number that is not a
    number, or below 1, gives the first page, and one past the end the last."""
    paginator = Paginator(items, per_page)
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    return paginator.page(min(max(number, 1), paginator.num_pages))
