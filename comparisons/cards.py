"""Which share card each page gets, and redrawing it when it is stale.

A card's key fingerprints everything drawn on it, so a refresh that finds
the key unchanged draws nothing: running it twice, or for a change that does
not show on the card, costs two queries.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models

from comparisons.models import Comparison
from pictures.cards import CardTool, card_key, draw_comparison_card, draw_tool_card
from pictures.signals import picture_stored
from reviewers.panel import PanelFigure, panel_figures
from tools.models import Tool


def card_tool(tool: Tool, figure: PanelFigure) -> CardTool:
    return CardTool(
        name=tool.name,
        category=tool.category.name,
        tagline=tool.tagline,
        logo_name=tool.logo.name or "",
        panel_label=figure.label,
        panel_counts=figure.counts,
    )


def _store_card(
    instance: models.Model, *, key: str, folder: str, stem: str, data: bytes
) -> bool:
    """Save the card and point the row at it, unless someone got there first."""
    model = type(instance)
    old_name, old_key = instance.share_card.name or "", instance.share_card_key
    name = default_storage.save(f"{folder}/{stem}-{key[:12]}.png", ContentFile(data))
    updated = model._default_manager.filter(
        pk=instance.pk, share_card_key=old_key
    ).update(share_card=name, share_card_key=key)
    if not updated:
        default_storage.delete(name)
        return False
    if old_name and old_name != name:
        default_storage.delete(old_name)
    picture_stored.send(sender=model, instance=instance)
    return True


def _is_current(instance: models.Model, key: str) -> bool:
    return (
        instance.share_card_key == key
        and bool(instance.share_card)
        and default_storage.exists(instance.share_card.name)
    )


def comparison_card_refresh(*, comparison_id: int) -> bool:
    """Draw a published comparison's card if it is missing or stale."""
    comparison = Comparison.objects.with_tools().filter(pk=comparison_id).first()
    if comparison is None or comparison.status != Comparison.Status.PUBLISHED:
        return False
    figures = panel_figures([comparison.left_id, comparison.right_id])
    left = card_tool(comparison.left, figures[comparison.left_id])
    right = card_tool(comparison.right, figures[comparison.right_id])
    key = card_key(left, right, kind="comparison")
    if _is_current(comparison, key):
        return False
    data = draw_comparison_card(
        left,
        right,
        left_logo=comparison.left.logo or None,
        right_logo=comparison.right.logo or None,
    )
    return _store_card(
        comparison,
        key=key,
        folder="cards/comparisons",
        stem=comparison.slug,
        data=data,
    )


def tool_card_refresh(*, tool_id: int) -> bool:
    """Draw a tool's card if it is missing or stale."""
    tool = Tool.objects.select_related("category").filter(pk=tool_id).first()
    if tool is None:
        return False
    card = card_tool(tool, panel_figures([tool.pk])[tool.pk])
    key = card_key(card, kind="tool")
    if _is_current(tool, key):
        return False
    data = draw_tool_card(card, logo=tool.logo or None)
    return _store_card(tool, key=key, folder="cards/tools", stem=tool.slug, data=data)
