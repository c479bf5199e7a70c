from django.db import migrations

from comparisons import search


def install(apps, schema_editor):
    search.install_search(schema_editor)


def uninstall(apps, schema_editor):
    search.uninstall_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0008_requested_pairs"),
        ("tools", "0008_search"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
