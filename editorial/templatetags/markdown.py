from django import template
from django.utils.safestring import SafeString

from editorial.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source: str) -> SafeString:
    """Render editor-written Markdown as sanitised HTML."""
    return render_markdown(source)
