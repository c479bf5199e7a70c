"""Markdown for editors' long texts, rendered and then sanitised with nh3.

Raw HTML in the source is kept as text by the parser and anything the
renderer produces passes nh3's allow-list, so a description or a bottom line
can carry emphasis, links and lists but never a script or an event handler.
"""

import html
import re
from functools import lru_cache

import nh3
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    "strikethrough"
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=2048)
def render_markdown(source: str) -> SafeString:
    """The sanitised HTML of `source`. A pure function of the text, so each
    process keeps the last few thousand: a page renders the same
    descriptions and bottom lines again and again."""
    html = _parser.render(source or "")
    # Headings written as "#" would compete with the page's own outline, so
    # they are lowered to h3/h4 before sanitising.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
#: A sentence ends at ., ! or ? followed by space and what starts the next.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9])")


def first_sentence(source: str) -> str:
    """The first sentence of a Markdown text's first paragraph, as plain
    text: what a summary, a card or an email quotes of a bottom line."""
    rendered = render_markdown(source)
    paragraph = _FIRST_PARAGRAPH.search(rendered)
    text = html.unescape(strip_tags(paragraph.group(1) if paragraph else rendered))
    text = " ".join(text.split())
    return _SENTENCE_END.split(text, maxsplit=1)[0]
