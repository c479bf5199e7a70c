from django import template

from newsroom.today import Part, newsroom_today

register = template.Library()


@register.simple_tag(takes_context=True, name="newsroom_today")
def newsroom_today_tag(context) -> list[Part]:
    """The newsroom's parts for the person looking at the admin's home."""
    return newsroom_today(context["request"].user)
