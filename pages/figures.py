"""The live community figures that votes.js puts on every page.

A figure is kept (in the cache and in each process's copy) until a vote on
its tool makes the tools app send `votes_changed`; then every copy is
dropped and the next request sums the tool's tallies again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from pages.mirror import mirror
from tools.community import CommunityFigure, community_figures, minimum_votes
from tools.community import votes_changed as tool_votes_changed
from tools.models import Tool

#: Where kept figures live in the cache, under their tool's slug.
FIGURE_KEY_PREFIX = "community:figure"


def _figure_key(slug: str) -> str:
    return f"{FIGURE_KEY_PREFIX}:{slug}"


def figures_by_slug(slugs: list[str]) -> dict[str, CommunityFigure]:
    """Figures for the named tools that exist; kept ones where no vote has
    replaced them, else from the tallies (two queries for all the misses)."""
    since = mirror.mark()
    kept = mirror.get_many([_figure_key(slug) for slug in slugs])
    minimum = minimum_votes()
    figures = {}
    missing = []
    for slug in slugs:
        found = kept.get(_figure_key(slug))
        if found is None:
            missing.append(slug)
        else:
            figures[slug] = CommunityFigure(*found, minimum=minimum)
    if missing:
        ids = dict(Tool.objects.filter(slug__in=missing).values_list("pk", "slug"))
        for pk, figure in community_figures(ids).items():
            mirror.set(
                _figure_key(ids[pk]),
                (figure.ship, figure.total),
                timeout=settings.FIGURES_CACHE_SECONDS,
                since=since,
            )
            figures[ids[pk]] = figure
    return figures


@receiver(tool_votes_changed, dispatch_uid="pages:forget-figure")
def forget_figure(sender, tool: Tool, **kwargs) -> None:
    """Drop the tool's figure everywhere: now, and again once the change
    commits (a figure read meanwhile may be the old one)."""
    key = _figure_key(tool.slug)
    mirror.forget(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: mirror.forget(key))
