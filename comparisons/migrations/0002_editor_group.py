"""The "Editor" group: every content permission and nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "Editor"
CONTENT_MODELS = {
    "tools": ["category", "tool"],
    "reviewers": ["reviewer", "review"],
    "comparisons": ["comparison"],
}
ACTIONS = ["add", "change", "delete", "view"]


def create_editor_group(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so
    # the group can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    codenames = [
        (app_label, f"{action}_{model}")
        for app_label, models in CONTENT_MODELS.items()
        for model in models
        for action in ACTIONS
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in codenames
    ]
    group.permissions.add(*permissions)


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tools", "0001_initial"),
        ("reviewers", "0001_initial"),
        ("comparisons", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_editor_group, remove_editor_group),
    ]
