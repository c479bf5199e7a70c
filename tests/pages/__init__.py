import re

from django.http import HttpResponse


def text_of(response: HttpResponse) -> str:
    """The page as a reader reads it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


#: What the quick comparison of two tools says, where readers would
#: otherwise find a comparison that is not published.
UNWRITTEN = "The editors have not compared these yet"


def shows_no_written_comparison(response: HttpResponse, comparison) -> bool:
    """Readers get the quick comparison of the two tools, without a word of
    the unpublished one."""
    text = text_of(response)
    hidden = [comparison.standfirst, comparison.bottom_line]
    return (
        response.status_code == 200
        and UNWRITTEN in text
        and not any(part and part in text for part in hidden)
    )
