"""The SQL that keeps `VoteTally` rows exact, for PostgreSQL and SQLite.

Triggers on the votes table add a vote's verdict to its tool's tally when
the vote is inserted, take it away when it is deleted, and do both when it
changes, inside the statement that wrote the vote. A held vote (cast in a
burst an editor has not judged, `tools/bursts.py`) counts for nothing
until it is released. `tally_rebuild` recounts
every tally from the votes, for after a bulk load with the triggers off or
to prove nothing drifted.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from editorial.sql import run_for_vendor

#: The shard a reader's vote is counted in, on PostgreSQL: a hash of the
#: reader, so one reader's vote always lands in the same row.
PG_SHARD = "(hashtext({reader}) & 7)"

PG_INSTALL = f"""
CREATE OR REPLACE FUNCTION tools_vote_tally() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE tools_votetally
        SET ship = ship - (OLD.verdict = 'ship' AND NOT OLD.held)::int,
            skip = skip - (OLD.verdict = 'skip' AND NOT OLD.held)::int
        WHERE tool_id = OLD.tool_id
          AND shard = {PG_SHARD.format(reader="OLD.reader")};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO tools_votetally AS tally (tool_id, shard, ship, skip)
        VALUES (
            NEW.tool_id,
            {PG_SHARD.format(reader="NEW.reader")},
            (NEW.verdict = 'ship' AND NOT NEW.held)::int,
            (NEW.verdict = 'skip' AND NOT NEW.held)::int
        )
        ON CONFLICT (tool_id, shard) DO UPDATE
        SET ship = tally.ship + EXCLUDED.ship, skip = tally.skip + EXCLUDED.skip;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS tools_vote_tally_write ON tools_vote;
CREATE TRIGGER tools_vote_tally_write
    AFTER INSERT OR DELETE ON tools_vote
    FOR EACH ROW EXECUTE FUNCTION tools_vote_tally();
DROP TRIGGER IF EXISTS tools_vote_tally_change ON tools_vote;
CREATE TRIGGER tools_vote_tally_change
    AFTER UPDATE ON tools_vote
    FOR EACH ROW
    WHEN (
        OLD.verdict IS DISTINCT FROM NEW.verdict
        OR OLD.tool_id IS DISTINCT FROM NEW.tool_id
        OR OLD.reader IS DISTINCT FROM NEW.reader
        OR OLD.held IS DISTINCT FROM NEW.held
    )
    EXECUTE FUNCTION tools_vote_tally();
"""

PG_UNINSTALL = """
DROP TRIGGER IF EXISTS tools_vote_tally_write ON tools_vote;
DROP TRIGGER IF EXISTS tools_vote_tally_change ON tools_vote;
DROP FUNCTION IF EXISTS tools_vote_tally();
"""

_SQLITE_ADD = """
    INSERT INTO tools_votetally (tool_id, shard, ship, skip)
    VALUES (
        NEW.tool_id, 0,
        NEW.verdict = 'ship' AND NOT NEW.held,
        NEW.verdict = 'skip' AND NOT NEW.held
    )
    ON CONFLICT (tool_id, shard) DO UPDATE
    SET ship = ship + excluded.ship, skip = skip + excluded.skip;
"""
_SQLITE_TAKE = """
    UPDATE tools_votetally
    SET ship = ship - (OLD.verdict = 'ship' AND NOT OLD.held),
        skip = skip - (OLD.verdict = 'skip' AND NOT OLD.held)
    WHERE tool_id = OLD.tool_id AND shard = 0;
"""

SQLITE_INSTALL = [
    "DROP TRIGGER IF EXISTS tools_vote_tally_insert",
    f"CREATE TRIGGER tools_vote_tally_insert AFTER INSERT ON tools_vote "
    f"BEGIN {_SQLITE_ADD} END",
    "DROP TRIGGER IF EXISTS tools_vote_tally_delete",
    f"CREATE TRIGGER tools_vote_tally_delete AFTER DELETE ON tools_vote "
    f"BEGIN {_SQLITE_TAKE} END",
    "DROP TRIGGER IF EXISTS tools_vote_tally_update",
    "CREATE TRIGGER tools_vote_tally_update AFTER UPDATE ON tools_vote "
    "WHEN OLD.verdict IS NOT NEW.verdict OR OLD.tool_id IS NOT NEW.tool_id "
    "OR OLD.reader IS NOT NEW.reader OR OLD.held IS NOT NEW.held "
    f"BEGIN {_SQLITE_TAKE} {_SQLITE_ADD} END",
]

SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS tools_vote_tally_insert",
    "DROP TRIGGER IF EXISTS tools_vote_tally_delete",
    "DROP TRIGGER IF EXISTS tools_vote_tally_update",
]

_COUNTED = """
SELECT tool_id, {shard} AS shard,
       SUM(CASE WHEN verdict = 'ship' THEN 1 ELSE 0 END) AS ship,
       SUM(CASE WHEN verdict = 'skip' THEN 1 ELSE 0 END) AS skip
FROM tools_vote
WHERE NOT held
GROUP BY 1, 2
"""

_DRIFTED = """
SELECT COUNT(*) FROM (
    SELECT tool_id, SUM(ship) AS ship, SUM(skip) AS skip
    FROM tools_votetally GROUP BY tool_id
) AS kept
FULL OUTER JOIN (
    SELECT tool_id,
           SUM(CASE WHEN verdict = 'ship' THEN 1 ELSE 0 END) AS ship,
           SUM(CASE WHEN verdict = 'skip' THEN 1 ELSE 0 END) AS skip
    FROM tools_vote WHERE NOT held GROUP BY tool_id
) AS counted USING (tool_id)
WHERE COALESCE(kept.ship, 0) <> COALESCE(counted.ship, 0)
   OR COALESCE(kept.skip, 0) <> COALESCE(counted.skip, 0)
"""


def install_triggers(schema_editor) -> None:
    """Create (or replace) the tally triggers on this database."""
    run_for_vendor(
        schema_editor,
        postgresql=PG_INSTALL,
        sqlite=SQLITE_INSTALL,
        required="vote tally triggers",
    )


def uninstall_triggers(schema_editor) -> None:
    run_for_vendor(schema_editor, postgresql=PG_UNINSTALL, sqlite=SQLITE_UNINSTALL)


@dataclass(frozen=True)
class Rebuild:
    drifted: int
    tallies: int


def _shard_expression() -> str:
    if connection.vendor == "postgresql":
        return PG_SHARD.format(reader="reader")
    return "0"


def tally_rebuild() -> Rebuild:
    """Recount every tally from the votes, holding votes still meanwhile.

    Returns how many tools' tallies disagreed with their votes before, and
    how many tally rows there are now.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait until the recount commits; readers carry on.
            cursor.execute("LOCK TABLE tools_vote IN SHARE MODE")
            cursor.execute(_DRIFTED)
            drifted = cursor.fetchone()[0]
        else:
            drifted = _drifted_without_full_join(cursor)
        cursor.execute("DELETE FROM tools_votetally")
        cursor.execute(
            "INSERT INTO tools_votetally (tool_id, shard, ship, skip) "
            + _COUNTED.format(shard=_shard_expression())
        )
        cursor.execute("SELECT COUNT(*) FROM tools_votetally")
        tallies = cursor.fetchone()[0]
    return Rebuild(drifted=drifted, tallies=tallies)


def _drifted_without_full_join(cursor) -> int:
    """SQLite before 3.39 has no FULL OUTER JOIN: compare in Python."""
    cursor.execute(
        "SELECT tool_id, SUM(ship), SUM(skip) FROM tools_votetally GROUP BY 1"
    )
    kept = {tool: (ship, skip) for tool, ship, skip in cursor.fetchall()}
    cursor.execute(_COUNTED.format(shard="0"))
    counted = {tool: (ship, skip) for tool, _, ship, skip in cursor.fetchall()}
    return sum(
        1
        for tool in kept.keys() | counted.keys()
        if kept.get(tool, (0, 0)) != counted.get(tool, (0, 0))
    )


def tallies_drifted() -> int:
    """How many tools' tallies disagree with a fresh count of their votes."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_DRIFTED)
            return cursor.fetchone()[0]
        return _drifted_without_full_join(cursor)
