from django.db import DEFAULT_DB_ALIAS, migrations, models

import clarifications.validators

# Editors and publishers keep the office's list of other words for the same thing (search/synonyms.py).
# As everywhere else, editors add, change and switch off; deleting is a publisher's act.
EDITOR_PERMISSIONS = ["add_synonymgroup", "change_synonymgroup", "view_synonymgroup"]
PERMISSIONS = {"Editor": EDITOR_PERMISSIONS, "Publisher": [*EDITOR_PERMISSIONS, "delete_synonymgroup"]}


def grant(apps, schema_editor):
    """Give the staff roles the permissions on the new model (created here, as post_migrate would later)."""
    using = schema_editor.connection.alias if schema_editor else DEFAULT_DB_ALIAS
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.using(using).get_or_create(app_label="clarifications", model="synonymgroup")
    for name, codenames in PERMISSIONS.items():
        group = Group.objects.using(using).filter(name=name).first()
        if group is None:
            continue
        for codename in codenames:
            permission, _ = Permission.objects.using(using).get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": f"Can {codename.split('_')[0]} synonym group"},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    codenames = PERMISSIONS["Publisher"]
    Permission.objects.filter(content_type__app_label="clarifications", codename__in=codenames).delete()


class Migration(migrations.Migration):
    """The office's own synonym and abbreviation groups, which the search applies to every query."""

    dependencies = [
        ("clarifications", "0004_history_reasons_kept_whole"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="SynonymGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "forms",
                    models.TextField(
                        help_text="Two or more words or phrases that mean the same thing in a rumor, separated by commas: 新冠, 新型冠状病毒, 新冠肺炎. Case and full-width letters do not matter.",
                        max_length=500,
                        validators=[clarifications.validators.validate_synonym_forms],
                        verbose_name="words for the same thing",
                    ),
                ),
                (
                    "note",
                    models.CharField(
                        blank=True,
                        help_text="Why they mean the same thing, for the next editor.",
                        max_length=200,
                        verbose_name="note",
                    ),
                ),
                (
                    "active",
                    models.BooleanField(
                        default=True, help_text="Searches apply only the groups in use.", verbose_name="in use"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("modified_at", models.DateTimeField(auto_now=True, verbose_name="last modified")),
            ],
            options={
                "verbose_name": "synonym group",
                "verbose_name_plural": "synonyms and abbreviations",
                "db_table": "clarifications_synonymgroup",
                "ordering": ["-modified_at", "-id"],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
