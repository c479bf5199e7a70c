from django.db import migrations

GROUP = "Newsletter editor"
PERMISSIONS = {
    "issue": ["view", "change", "delete", "send"],
    "subscriber": ["view", "add", "change", "delete"],
    "issuecomparison": ["view", "add", "change", "delete"],
    "delivery": ["view"],
}
NAMES = {"send": "Can send an issue to subscribers"}


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for model, actions in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(
            app_label="newsletter", model=model
        )
        for action in actions:
            codename = "send_issue" if action == "send" else f"{action}_{model}"
            name = NAMES.get(action, f"Can {action} {model}")
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": name},
            )
            group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_subscribers_issues_deliveries"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
