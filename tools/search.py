"""Finding tools by what a reader types.

On PostgreSQL each tool keeps a weighted full-text vector in a stored
column, `tools_tool.search_vector`, GIN-indexed and kept by a trigger: the
name weighs most (A), then the tagline and the category's name (B), then
the description (C). A query is read with `websearch_to_tsquery` (quotes,
`or`, `-word`), ranked with `ts_rank`, and trigram word similarity on the
name (`pg_trgm`, its own GIN index) finds what the stemmer cannot: half a
word, a typo ("claude cod"). The column is not a model field, so no other
query ever reads it. SQLite, the embedded default, matches each word of
the query in the same fields, plainly.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from editorial.sql import run_for_vendor
from tools.models import Tool

#: What a reader may type is cut to this many characters and words.
LONGEST_QUERY = 200
MOST_WORDS = 8
#: How alike (0-1) a word typed and a word of a name must be.
NAME_SIMILARITY = 0.5
#: ts_headline marks matches with these (private-use characters no editor
#: types); the text is escaped and they become <mark> afterwards.
_START, _STOP = "\ue000", "\ue001"
HEADLINE_OPTIONS = f"StartSel={_START}, StopSel={_STOP}, MaxWords=28, MinWords=12"

PG_INSTALL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE tools_tool ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE OR REPLACE FUNCTION tools_tool_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.tagline, '')), 'B')
        || setweight(to_tsvector('english', coalesce(
            (SELECT name FROM tools_category WHERE id = NEW.category_id), ''
        )), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS tools_tool_search ON tools_tool;
CREATE TRIGGER tools_tool_search
    BEFORE INSERT OR UPDATE OF name, tagline, description, category_id
    ON tools_tool
    FOR EACH ROW EXECUTE FUNCTION tools_tool_search_vector();
CREATE OR REPLACE FUNCTION tools_category_search_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tools_tool SET category_id = category_id WHERE category_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS tools_category_search ON tools_category;
CREATE TRIGGER tools_category_search
    AFTER UPDATE OF name ON tools_category
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION tools_category_search_touch();
CREATE INDEX IF NOT EXISTS tool_search_idx ON tools_tool USING gin (search_vector);
CREATE INDEX IF NOT EXISTS tool_name_trgm_idx
    ON tools_tool USING gin (name gin_trgm_ops);
UPDATE tools_tool SET category_id = category_id;
"""

PG_UNINSTALL = """
DROP TRIGGER IF EXISTS tools_category_search ON tools_category;
DROP FUNCTION IF EXISTS tools_category_search_touch();
DROP TRIGGER IF EXISTS tools_tool_search ON tools_tool;
DROP FUNCTION IF EXISTS tools_tool_search_vector();
ALTER TABLE tools_tool DROP COLUMN IF EXISTS search_vector;
"""


def install_search(schema_editor) -> None:
    """The vector, its triggers and indexes; SQLite searches without them."""
    run_for_vendor(schema_editor, postgresql=PG_INSTALL)


def uninstall_search(schema_editor) -> None:
    run_for_vendor(schema_editor, postgresql=PG_UNINSTALL)


def search_terms(text: str) -> str:
    """What a reader typed, made safe to search with: printable, one space
    between words, at most LONGEST_QUERY characters and MOST_WORDS words."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = cleaned.replace(_START, " ").replace(_STOP, " ")
    words = cleaned[:LONGEST_QUERY].split()
    return " ".join(words[:MOST_WORDS])


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def full_text_match(table: str, terms: str) -> RawSQL:
    """`table`'s stored vector matches the reader's query."""
    return RawSQL(
        f"{table}.search_vector @@ websearch_to_tsquery('english', %s)",
        (terms,),
        output_field=BooleanField(),
    )


def full_text_rank(table: str, terms: str) -> RawSQL:
    return RawSQL(
        f"ts_rank({table}.search_vector, websearch_to_tsquery('english', %s))",
        (terms,),
        output_field=FloatField(),
    )


def name_like(column: str, terms: str) -> RawSQL:
    """A word of the name is close to what was typed (uses the trigram
    index through the `<%` operator)."""
    return RawSQL(
        f"word_similarity(%s, {column}) >= {NAME_SIMILARITY} AND %s <%% {column}",
        (terms, terms),
        output_field=BooleanField(),
    )


def name_similarity(column: str, terms: str) -> RawSQL:
    return RawSQL(f"word_similarity(%s, {column})", (terms,), output_field=FloatField())


def headline(column_sql: str, terms: str) -> RawSQL:
    """An excerpt of the text around what matched, marked for `marked`."""
    return RawSQL(
        f"ts_headline('english', {column_sql}, "
        "websearch_to_tsquery('english', %s), %s)",
        (terms, HEADLINE_OPTIONS),
        output_field=TextField(),
    )


def marked(excerpt: str) -> SafeString:
    """An excerpt escaped, with its matches in <mark>."""
    text = escape(excerpt)
    # Escaped above: only our own markers become tags.
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def words_in(terms: str) -> list[str]:
    return [word for word in re.split(r"\W+", terms) if word]


def every_word_in(fields: tuple[str, ...], terms: str) -> Q:
    """The SQLite reading: every word appears in one of the fields."""
    condition = Q()
    for word in words_in(terms):
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": word})
        condition &= either
    return condition


TOOL_FIELDS = ("name", "tagline", "description", "category__name")


def tools_matching(text: str) -> QuerySet[Tool]:
    """Tools a reader's query finds, best first, each with `excerpt`; none
    for a query with no words."""
    terms = search_terms(text)
    tools = Tool.objects.select_related("category")
    if not words_in(terms):
        return tools.none()
    if uses_full_text():
        return (
            tools.filter(
                Q(full_text_match("tools_tool", terms))
                | Q(name_like("tools_tool.name", terms))
            )
            .annotate(
                score=full_text_rank("tools_tool", terms)
                + name_similarity("tools_tool.name", terms),
                excerpt=headline(
                    "tools_tool.tagline || '. ' || tools_tool.description", terms
                ),
            )
            .order_by("-score", "name")
        )
    return (
        tools.filter(every_word_in(TOOL_FIELDS, terms))
        .annotate(
            score=Case(
                When(name__icontains=terms, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            excerpt=F("tagline"),
        )
        .order_by("score", "name")
    )
