import django.db.models.deletion
from django.db import migrations, models

from tools import tallies

#: The tally triggers as this migration made them (0009 installs their
#: current SQL): frozen here, so a fresh database never runs SQL that reads
#: columns added later.
PG_INSTALL_AS_OF_0006 = "\nCREATE OR REPLACE FUNCTION tools_vote_tally() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP <> 'INSERT' THEN\n        UPDATE tools_votetally\n        SET ship = ship - (OLD.verdict = 'ship')::int,\n            skip = skip - (OLD.verdict = 'skip')::int\n        WHERE tool_id = OLD.tool_id\n          AND shard = (hashtext(OLD.reader) & 7);\n    END IF;\n    IF TG_OP <> 'DELETE' THEN\n        INSERT INTO tools_votetally AS tally (tool_id, shard, ship, skip)\n        VALUES (\n            NEW.tool_id,\n            (hashtext(NEW.reader) & 7),\n            (NEW.verdict = 'ship')::int,\n            (NEW.verdict = 'skip')::int\n        )\n        ON CONFLICT (tool_id, shard) DO UPDATE\n        SET ship = tally.ship + EXCLUDED.ship, skip = tally.skip + EXCLUDED.skip;\n    END IF;\n    RETURN NULL;\nEND\n$$;\nDROP TRIGGER IF EXISTS tools_vote_tally_write ON tools_vote;\nCREATE TRIGGER tools_vote_tally_write\n    AFTER INSERT OR DELETE ON tools_vote\n    FOR EACH ROW EXECUTE FUNCTION tools_vote_tally();\nDROP TRIGGER IF EXISTS tools_vote_tally_change ON tools_vote;\nCREATE TRIGGER tools_vote_tally_change\n    AFTER UPDATE ON tools_vote\n    FOR EACH ROW\n    WHEN (\n        OLD.verdict IS DISTINCT FROM NEW.verdict\n        OR OLD.tool_id IS DISTINCT FROM NEW.tool_id\n        OR OLD.reader IS DISTINCT FROM NEW.reader\n    )\n    EXECUTE FUNCTION tools_vote_tally();\n"

SQLITE_INSTALL_AS_OF_0006 = [
    "DROP TRIGGER IF EXISTS tools_vote_tally_insert",
    "CREATE TRIGGER tools_vote_tally_insert AFTER INSERT ON tools_vote BEGIN \n    INSERT INTO tools_votetally (tool_id, shard, ship, skip)\n    VALUES (NEW.tool_id, 0, NEW.verdict = 'ship', NEW.verdict = 'skip')\n    ON CONFLICT (tool_id, shard) DO UPDATE\n    SET ship = ship + excluded.ship, skip = skip + excluded.skip;\n END",
    "DROP TRIGGER IF EXISTS tools_vote_tally_delete",
    "CREATE TRIGGER tools_vote_tally_delete AFTER DELETE ON tools_vote BEGIN \n    UPDATE tools_votetally\n    SET ship = ship - (OLD.verdict = 'ship'), skip = skip - (OLD.verdict = 'skip')\n    WHERE tool_id = OLD.tool_id AND shard = 0;\n END",
    "DROP TRIGGER IF EXISTS tools_vote_tally_update",
    "CREATE TRIGGER tools_vote_tally_update AFTER UPDATE ON tools_vote WHEN OLD.verdict IS NOT NEW.verdict OR OLD.tool_id IS NOT NEW.tool_id OR OLD.reader IS NOT NEW.reader BEGIN \n    UPDATE tools_votetally\n    SET ship = ship - (OLD.verdict = 'ship'), skip = skip - (OLD.verdict = 'skip')\n    WHERE tool_id = OLD.tool_id AND shard = 0;\n \n    INSERT INTO tools_votetally (tool_id, shard, ship, skip)\n    VALUES (NEW.tool_id, 0, NEW.verdict = 'ship', NEW.verdict = 'skip')\n    ON CONFLICT (tool_id, shard) DO UPDATE\n    SET ship = ship + excluded.ship, skip = skip + excluded.skip;\n END",
]


def _install_triggers_as_of_0006(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INSTALL_AS_OF_0006)
    else:
        for statement in SQLITE_INSTALL_AS_OF_0006:
            schema_editor.execute(statement)


#: The votes already cast, counted as they stood when this migration was
#: written (before votes could be held, 0009): frozen here, so the count
#: never depends on columns added later.
_COUNT_AS_OF_0006 = """
INSERT INTO tools_votetally (tool_id, shard, ship, skip)
SELECT tool_id, {shard},
       SUM(CASE WHEN verdict = 'ship' THEN 1 ELSE 0 END),
       SUM(CASE WHEN verdict = 'skip' THEN 1 ELSE 0 END)
FROM tools_vote
GROUP BY 1, 2
"""


def install(apps, schema_editor):
    """Triggers first, then a count of the votes already cast. Later changes
    to the triggers' SQL come with a migration that installs them again
    (0009), before any vote can fire them."""
    _install_triggers_as_of_0006(schema_editor)
    postgresql = schema_editor.connection.vendor == "postgresql"
    shard = tallies.PG_SHARD.format(reader="reader") if postgresql else "0"
    schema_editor.execute("DELETE FROM tools_votetally")
    schema_editor.execute(_COUNT_AS_OF_0006.format(shard=shard))


def uninstall(apps, schema_editor):
    tallies.uninstall_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("tools", "0005_category_updated_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="VoteTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("shard", models.PositiveSmallIntegerField()),
                ("ship", models.IntegerField(default=0)),
                ("skip", models.IntegerField(default=0)),
            ],
        ),
        migrations.RemoveIndex(
            model_name="vote",
            name="vote_tool_verdict_idx",
        ),
        migrations.AddField(
            model_name="votetally",
            name="tool",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tallies",
                to="tools.tool",
            ),
        ),
        migrations.AddConstraint(
            model_name="votetally",
            constraint=models.UniqueConstraint(
                fields=("tool", "shard"), name="votetally_one_row_per_shard"
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
