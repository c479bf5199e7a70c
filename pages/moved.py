"""Old addresses of renamed tools, personas, categories and comparisons
answer with a permanent redirect to where the object lives now."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import reverse

from comparisons.selectors import pair_splits
from editorial.models import FormerSlug
from editorial.slugs import moved_to
from tools.models import Tool


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


def moved_pair(slug: str) -> tuple[Tool, Tool] | None:
    """The two tools a pair address names when one or both of its slugs is
    a tool's former slug; one query when none is."""
    splits = pair_splits(slug)
    named = {part for split in splits for part in split}
    former = dict(
        FormerSlug.objects.filter(
            content_type=ContentType.objects.get_for_model(Tool), slug__in=named
        ).values_list("slug", "object_id")
    )
    if not former:
        return None
    tools = Tool.objects.filter(Q(slug__in=named) | Q(pk__in=former.values()))
    by_id = {tool.pk: tool for tool in tools}
    by_slug = {tool.slug: tool for tool in by_id.values()}
    for first, second in splits:
        pair = [
            by_slug.get(part) or by_id.get(former.get(part)) for part in (first, second)
        ]
        if all(pair) and pair[0].pk != pair[1].pk:
            return pair[0], pair[1]
    return None
