"""Roles of the editorial workflow.

Contributor: writes and edits drafts and submits them for review; reads the
catalogue and the panel; cannot publish, delete or restore.
Editor (made in 0002): also submits, publishes, schedules, unpublishes,
restores revisions and reads the audit log.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTRIBUTOR_GROUP = "Contributor"
EDITOR_GROUP = "Editor"

CONTRIBUTOR_PERMISSIONS = [
    ("comparisons", "add_comparison"),
    ("comparisons", "change_comparison"),
    ("comparisons", "view_comparison"),
    ("comparisons", "submit_comparison"),
    ("tools", "view_tool"),
    ("tools", "view_category"),
    ("reviewers", "view_reviewer"),
    ("reviewers", "view_review"),
]
EDITOR_EXTRA_PERMISSIONS = [
    ("comparisons", "submit_comparison"),
    ("comparisons", "publish_comparison"),
    ("comparisons", "restore_comparison"),
    ("editorial", "view_auditentry"),
]


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in pairs
    ]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    contributor, _ = Group.objects.get_or_create(name=CONTRIBUTOR_GROUP)
    contributor.permissions.add(*_permissions(apps, CONTRIBUTOR_PERMISSIONS))
    editor, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    editor.permissions.add(*_permissions(apps, EDITOR_EXTRA_PERMISSIONS))


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=CONTRIBUTOR_GROUP).delete()
    editor = Group.objects.filter(name=EDITOR_GROUP).first()
    if editor is not None:
        editor.permissions.remove(*_permissions(apps, EDITOR_EXTRA_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0004_editorial_workflow"),
        ("editorial", "0001_audit_log"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
    ]
