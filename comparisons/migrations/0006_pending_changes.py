"""`draft` held a published comparison's pending changes; the name now says
so, and "draft" means only the Draft state. Stored revisions are rewritten
too, so restoring an old one still brings its pending changes back."""

import json

from django.db import migrations

OLD, NEW = "draft", "pending_changes"


def _rename_in_revisions(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Version = apps.get_model("reversion", "Version")
    content_type = ContentType.objects.filter(
        app_label="comparisons", model="comparison"
    ).first()
    if content_type is None:
        return
    versions = Version.objects.filter(content_type=content_type, format="json")
    for version in versions.iterator():
        objects = json.loads(version.serialized_data)
        changed = False
        for obj in objects:
            fields = obj.get("fields", {})
            if old in fields:
                fields[new] = fields.pop(old)
                changed = True
        if changed:
            version.serialized_data = json.dumps(objects)
            version.save(update_fields=["serialized_data"])


def forwards(apps, schema_editor) -> None:
    _rename_in_revisions(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor) -> None:
    _rename_in_revisions(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0005_workflow_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
    ]

    operations = [
        migrations.RenameField("comparison", OLD, NEW),
        migrations.RunPython(forwards, backwards),
    ]
