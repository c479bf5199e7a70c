"""Finding published comparisons by what a reader types.

Like tools (see tools/search.py), each comparison keeps a weighted vector
in a stored, GIN-indexed column kept by triggers: both tools' names (A),
the standfirst (B) and the bottom line (C). A tool renamed touches its
comparisons so their vectors follow. The row holds the published text
(unpublished edits wait in `pending_changes`), so a draft's words are
never found. Trigram similarity on the tools' names finds a comparison
from half a name too.
"""

from __future__ import annotations

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from comparisons.models import Comparison
from editorial.sql import run_for_vendor
from tools.search import (
    every_word_in,
    full_text_match,
    full_text_rank,
    headline,
    name_like,
    search_terms,
    uses_full_text,
    words_in,
)

PG_INSTALL = """
ALTER TABLE comparisons_comparison
    ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE OR REPLACE FUNCTION comparisons_comparison_search_vector()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(
            (SELECT name FROM tools_tool WHERE id = NEW.left_id), ''
        ) || ' ' || coalesce(
            (SELECT name FROM tools_tool WHERE id = NEW.right_id), ''
        )), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.standfirst, '')), 'B')
        || setweight(to_tsvector('english', coalesce(NEW.bottom_line, '')), 'C');
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS comparisons_comparison_search ON comparisons_comparison;
CREATE TRIGGER comparisons_comparison_search
    BEFORE INSERT OR UPDATE OF left_id, right_id, standfirst, bottom_line
    ON comparisons_comparison
    FOR EACH ROW EXECUTE FUNCTION comparisons_comparison_search_vector();
CREATE OR REPLACE FUNCTION comparisons_tool_search_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comparisons_comparison SET left_id = left_id
    WHERE left_id = NEW.id OR right_id = NEW.id;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS comparisons_tool_search ON tools_tool;
CREATE TRIGGER comparisons_tool_search
    AFTER UPDATE OF name ON tools_tool
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION comparisons_tool_search_touch();
CREATE INDEX IF NOT EXISTS comparison_search_idx
    ON comparisons_comparison USING gin (search_vector);
UPDATE comparisons_comparison SET left_id = left_id;
"""

PG_UNINSTALL = """
DROP TRIGGER IF EXISTS comparisons_tool_search ON tools_tool;
DROP FUNCTION IF EXISTS comparisons_tool_search_touch();
DROP TRIGGER IF EXISTS comparisons_comparison_search ON comparisons_comparison;
DROP FUNCTION IF EXISTS comparisons_comparison_search_vector();
ALTER TABLE comparisons_comparison DROP COLUMN IF EXISTS search_vector;
"""


def install_search(schema_editor) -> None:
    """The vector, its triggers and indexes; SQLite searches without them."""
    run_for_vendor(schema_editor, postgresql=PG_INSTALL)


def uninstall_search(schema_editor) -> None:
    run_for_vendor(schema_editor, postgresql=PG_UNINSTALL)


COMPARISON_FIELDS = ("left__name", "right__name", "standfirst", "bottom_line")
_TABLE = "comparisons_comparison"
#: How many of the tools whose names are closest to the query name the
#: comparisons found by name: a query close to thousands of names ("tool")
#: costs the same as one close to a few.
NAMED_TOOLS = 20
_CLOSEST = (
    "SELECT id FROM tools_tool WHERE {like} "
    "ORDER BY word_similarity(%s, tools_tool.name) DESC LIMIT {most}"
)
_NAMED = "({table}.left_id IN ({closest}) OR {table}.right_id IN ({closest}))"


def comparisons_matching(text: str) -> QuerySet[Comparison]:
    """Published comparisons a reader's query finds, best first, each with
    `excerpt`."""
    terms = search_terms(text)
    published = Comparison.objects.published().with_tools()
    if not words_in(terms):
        return published.none()
    if uses_full_text():
        like = name_like("tools_tool.name", terms)
        closest = _CLOSEST.format(like=like.sql, most=NAMED_TOOLS)
        named = type(like)(
            _NAMED.format(table=_TABLE, closest=closest),
            (*like.params, terms) * 2,
            output_field=like.output_field,
        )
        return (
            published.filter(Q(full_text_match(_TABLE, terms)) | Q(named))
            .annotate(
                score=full_text_rank(_TABLE, terms),
                excerpt=headline(f"{_TABLE}.standfirst", terms),
            )
            .order_by("-score", "-published_at")
        )
    return (
        published.filter(every_word_in(COMPARISON_FIELDS, terms))
        .annotate(
            score=Case(
                When(
                    Q(left__name__icontains=terms) | Q(right__name__icontains=terms),
                    then=Value(0),
                ),
                default=Value(1),
                output_field=IntegerField(),
            ),
            excerpt=F("standfirst"),
        )
        .order_by("score", "-published_at")
    )
