"""The "Tip triage" staff group: it may read and handle tips, and nothing else.

Seeing contact details (``view_tip_contact``) is deliberately not part of the group: it is granted
to each person who needs it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Tip triage"
PERMISSIONS = [
    ("tips", "view_tip"),
    ("tips", "change_tip"),
    ("tips", "view_rumor"),
    ("tips", "change_rumor"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran; create them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0001_initial"),
        ("clarifications", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
