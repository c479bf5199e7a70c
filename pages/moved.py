"""Old addresses of renamed tools, personas, categories and comparisons
answer with a permanent redirect to where the object lives now."""

from django.db import models
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse

from editorial.slugs import moved_to


def moved_or_404(
    request: HttpRequest, model: type[models.Model], slug: str
) -> HttpResponsePermanentRedirect:
    """Redirect to the same page of the object once at `slug`, keeping the
    query; "not found" when no object ever was there."""
    target = moved_to(model, slug)
    if target is None:
        raise Http404(f"No {model._meta.verbose_name} at this address.")
    match = request.resolver_match
    url = reverse(match.view_name, kwargs={**match.kwargs, "slug": target.slug})
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
