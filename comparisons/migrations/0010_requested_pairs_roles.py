"""Contributors and Editors read the pairs readers asked for; Editors may
also delete a request (spam, a pair that will never be written)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Contributor": ["view_requestedpair"],
    "Editor": ["view_requestedpair", "delete_requestedpair"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("comparisons")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="comparisons", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="comparisons", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("comparisons", "0009_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
