import django.db.models.deletion
from django.db import migrations, models

from reviewers import tallies


def install(apps, schema_editor):
    """Triggers first, then a count of the verdicts already given. Later
    changes to the triggers' SQL come with a migration that installs them
    again."""
    tallies.install_triggers(schema_editor)
    tallies.panel_rebuild()


def uninstall(apps, schema_editor):
    tallies.uninstall_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0004_persona_updated_at"),
        ("tools", "0008_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="PanelTally",
            fields=[
                (
                    "tool",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="panel_tally",
                        serialize=False,
                        to="tools.tool",
                    ),
                ),
                ("ship", models.IntegerField(default=0)),
                ("total", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "panel tally",
                "verbose_name_plural": "panel tallies",
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
