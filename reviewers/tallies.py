"""The SQL that keeps `PanelTally` rows exact, for PostgreSQL and SQLite.

A tool's panel figure counts the verdicts of active personas. Triggers on
the verdicts table add a verdict to its tool's tally when it is written by
an active persona and take it away when it is deleted or changed, inside
the statement that wrote it; a trigger on the personas table adds or takes
away all of a persona's verdicts when it is seated or stood down. Each
trigger adds or subtracts rather than recounting, so concurrent writers
never overwrite each other's counts, and a verdict's trigger holds a share
lock on its persona's row, so a persona stood down meanwhile waits for it
(and then counts it) or is seen inactive. `panel_rebuild` recounts every
tally, for after a bulk load with the triggers off or to prove nothing
drifted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from editorial.sql import run_for_vendor

PG_INSTALL = """
CREATE OR REPLACE FUNCTION reviewers_panel_verdict() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF (SELECT active FROM reviewers_reviewer
            WHERE id = OLD.reviewer_id FOR SHARE) THEN
            UPDATE reviewers_paneltally
            SET ship = ship - (OLD.verdict = 'ship')::int, total = total - 1
            WHERE tool_id = OLD.tool_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF (SELECT active FROM reviewers_reviewer
            WHERE id = NEW.reviewer_id FOR SHARE) THEN
            INSERT INTO reviewers_paneltally AS tally (tool_id, ship, total)
            VALUES (NEW.tool_id, (NEW.verdict = 'ship')::int, 1)
            ON CONFLICT (tool_id) DO UPDATE
            SET ship = tally.ship + EXCLUDED.ship,
                total = tally.total + EXCLUDED.total;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION reviewers_panel_persona() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    sign int := CASE WHEN NEW.active THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO reviewers_paneltally AS tally (tool_id, ship, total)
    SELECT tool_id, sign * COUNT(*) FILTER (WHERE verdict = 'ship'), sign * COUNT(*)
    FROM reviewers_review WHERE reviewer_id = NEW.id GROUP BY tool_id
    ON CONFLICT (tool_id) DO UPDATE
    SET ship = tally.ship + EXCLUDED.ship, total = tally.total + EXCLUDED.total;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS reviewers_panel_verdict_write ON reviewers_review;
CREATE TRIGGER reviewers_panel_verdict_write
    AFTER INSERT OR DELETE ON reviewers_review
    FOR EACH ROW EXECUTE FUNCTION reviewers_panel_verdict();
DROP TRIGGER IF EXISTS reviewers_panel_verdict_change ON reviewers_review;
CREATE TRIGGER reviewers_panel_verdict_change
    AFTER UPDATE ON reviewers_review
    FOR EACH ROW
    WHEN (
        OLD.verdict IS DISTINCT FROM NEW.verdict
        OR OLD.tool_id IS DISTINCT FROM NEW.tool_id
        OR OLD.reviewer_id IS DISTINCT FROM NEW.reviewer_id
    )
    EXECUTE FUNCTION reviewers_panel_verdict();
DROP TRIGGER IF EXISTS reviewers_panel_persona_seat ON reviewers_reviewer;
CREATE TRIGGER reviewers_panel_persona_seat
    AFTER UPDATE ON reviewers_reviewer
    FOR EACH ROW
    WHEN (OLD.active IS DISTINCT FROM NEW.active)
    EXECUTE FUNCTION reviewers_panel_persona();
"""

PG_UNINSTALL = """
DROP TRIGGER IF EXISTS reviewers_panel_verdict_write ON reviewers_review;
DROP TRIGGER IF EXISTS reviewers_panel_verdict_change ON reviewers_review;
DROP TRIGGER IF EXISTS reviewers_panel_persona_seat ON reviewers_reviewer;
DROP FUNCTION IF EXISTS reviewers_panel_verdict();
DROP FUNCTION IF EXISTS reviewers_panel_persona();
"""

_SQLITE_ACTIVE = "(SELECT active FROM reviewers_reviewer WHERE id = {row}.reviewer_id)"
_SQLITE_ADD = f"""
    INSERT INTO reviewers_paneltally (tool_id, ship, total)
    SELECT NEW.tool_id, NEW.verdict = 'ship', 1 WHERE {_SQLITE_ACTIVE.format(row="NEW")}
    ON CONFLICT (tool_id) DO UPDATE
    SET ship = ship + excluded.ship, total = total + excluded.total;
"""
_SQLITE_TAKE = f"""
    UPDATE reviewers_paneltally
    SET ship = ship - (OLD.verdict = 'ship'), total = total - 1
    WHERE tool_id = OLD.tool_id AND {_SQLITE_ACTIVE.format(row="OLD")};
"""
_SQLITE_SEAT = """
    INSERT INTO reviewers_paneltally (tool_id, ship, total)
    SELECT tool_id,
           (CASE WHEN NEW.active THEN 1 ELSE -1 END) * SUM(verdict = 'ship'),
           (CASE WHEN NEW.active THEN 1 ELSE -1 END) * COUNT(*)
    FROM reviewers_review WHERE reviewer_id = NEW.id GROUP BY tool_id
    ON CONFLICT (tool_id) DO UPDATE
    SET ship = ship + excluded.ship, total = total + excluded.total;
"""

SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS reviewers_panel_insert",
    "CREATE TRIGGER reviewers_panel_insert AFTER INSERT ON reviewers_review "
    f"BEGIN {_SQLITE_ADD} END",
    "DROP TRIGGER IF EXISTS reviewers_panel_delete",
    "CREATE TRIGGER reviewers_panel_delete AFTER DELETE ON reviewers_review "
    f"BEGIN {_SQLITE_TAKE} END",
    "DROP TRIGGER IF EXISTS reviewers_panel_update",
    "CREATE TRIGGER reviewers_panel_update AFTER UPDATE ON reviewers_review "
    "WHEN OLD.verdict IS NOT NEW.verdict OR OLD.tool_id IS NOT NEW.tool_id "
    "OR OLD.reviewer_id IS NOT NEW.reviewer_id "
    f"BEGIN {_SQLITE_TAKE} {_SQLITE_ADD} END",
    "DROP TRIGGER IF EXISTS reviewers_panel_seat",
    "CREATE TRIGGER reviewers_panel_seat AFTER UPDATE ON reviewers_reviewer "
    f"WHEN OLD.active IS NOT NEW.active BEGIN {_SQLITE_SEAT} END",
]

SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS reviewers_panel_insert",
    "DROP TRIGGER IF EXISTS reviewers_panel_delete",
    "DROP TRIGGER IF EXISTS reviewers_panel_update",
    "DROP TRIGGER IF EXISTS reviewers_panel_seat",
]

#: Every tool's figure counted from the verdicts, one row per tool with any.
_COUNTED = """
SELECT review.tool_id,
       SUM(CASE WHEN review.verdict = 'ship' THEN 1 ELSE 0 END),
       COUNT(*)
FROM reviewers_review AS review
JOIN reviewers_reviewer AS persona ON persona.id = review.reviewer_id
WHERE persona.active
GROUP BY review.tool_id
"""


def install_triggers(schema_editor) -> None:
    """Create (or replace) the panel tally triggers on this database."""
    run_for_vendor(
        schema_editor,
        postgresql=PG_INSTALL,
        sqlite=SQLITE_INSTALL,
        required="panel tally triggers",
    )


def uninstall_triggers(schema_editor) -> None:
    run_for_vendor(schema_editor, postgresql=PG_UNINSTALL, sqlite=SQLITE_UNINSTALL)


@dataclass(frozen=True)
class PanelRebuild:
    drifted: int
    tallies: int


def _kept_and_counted(cursor) -> tuple[dict, dict]:
    cursor.execute("SELECT tool_id, ship, total FROM reviewers_paneltally")
    kept = {tool: (ship, total) for tool, ship, total in cursor.fetchall()}
    cursor.execute(_COUNTED)
    counted = {tool: (ship, total) for tool, ship, total in cursor.fetchall()}
    return kept, counted


def _drifted(kept: dict, counted: dict) -> int:
    return sum(
        1
        for tool in kept.keys() | counted.keys()
        if kept.get(tool, (0, 0)) != counted.get(tool, (0, 0))
    )


def panel_drifted() -> int:
    """How many tools' panel tallies disagree with a fresh count."""
    with connection.cursor() as cursor:
        return _drifted(*_kept_and_counted(cursor))


def panel_rebuild() -> PanelRebuild:
    """Recount every panel tally from the verdicts, holding verdicts and
    personas still meanwhile. Returns how many tools' tallies disagreed
    before, and how many tally rows there are now."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "LOCK TABLE reviewers_review, reviewers_reviewer IN SHARE MODE"
            )
        drifted = _drifted(*_kept_and_counted(cursor))
        cursor.execute("DELETE FROM reviewers_paneltally")
        cursor.execute(
            "INSERT INTO reviewers_paneltally (tool_id, ship, total) " + _COUNTED
        )
        cursor.execute("SELECT COUNT(*) FROM reviewers_paneltally")
        tallies = cursor.fetchone()[0]
    return PanelRebuild(drifted=drifted, tallies=tallies)
