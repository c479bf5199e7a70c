from django import template

from tools.community import CommunityFigure, disagreement

register = template.Library()


@register.simple_tag
def panel_and_community(panel, community: CommunityFigure | None) -> str:
    """The plain sentence where the panel and readers are far apart, or ""."""
    if panel is None or community is None:
        return ""
    return disagreement(panel.share, community.share)
