import django.db.models.deletion
from django.db import migrations, models

from tools import tallies


def install(apps, schema_editor):
    """Triggers first, then a count of the votes already cast. Later changes
    to the triggers' SQL come with a migration that installs them again."""
    tallies.install_triggers(schema_editor)
    tallies.tally_rebuild()


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
