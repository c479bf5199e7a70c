from django.db import migrations

from tools import search


def install(apps, schema_editor):
    search.install_search(schema_editor)


def uninstall(apps, schema_editor):
    search.uninstall_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("tools", "0007_list_indexes"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
