"""Contributors propose verdict changes (and change their own while they
wait); Editors also publish or reject them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Contributor": [
        "add_verdictproposal",
        "change_verdictproposal",
        "view_verdictproposal",
    ],
    "Editor": [
        "add_verdictproposal",
        "change_verdictproposal",
        "view_verdictproposal",
        "publish_verdictproposal",
    ],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="reviewers", codename__in=codenames
    )


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reviewers")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0006_verdict_proposals"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
