"""Tips for the first release, squashed from the migrations written during development.

Frozen like clarifications' first migration: the "Tip triage" group's permissions are written out, not
taken from today's models. The group may read and handle tips and nothing else; seeing contact details
(``view_tip_contact``) is deliberately not part of it, but granted to each person who needs it.
"""

import django.db.models.deletion
from django.db import migrations, models

import core.storage
import tips.models

GROUP = "Tip triage"
# codename -> (model, the name Django gives it), created now (post_migrate comes after all migrations).
PERMISSIONS = {
    "view_tip": ("tip", "Can view tip"),
    "change_tip": ("tip", "Can change tip"),
    "view_rumor": ("rumor", "Can view reported rumor"),
    "change_rumor": ("rumor", "Can change reported rumor"),
}


def create_group(apps, schema_editor):
    using = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.using(using).get_or_create(name=GROUP)
    for codename, (model, name) in PERMISSIONS.items():
        content_type, _ = ContentType.objects.using(using).get_or_create(app_label="tips", model=model)
        permission, _ = Permission.objects.using(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    replaces = [("tips", "0001_initial"), ("tips", "0002_tip_triage_group")]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("clarifications", "0001_initial_release"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateLimitCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=150, unique=True)),
                ("count", models.PositiveIntegerField(default=0)),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.CreateModel(
            name="Rumor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "label",
                    models.CharField(help_text="A short description for staff.", max_length=200, verbose_name="label"),
                ),
                (
                    "confirmed",
                    models.BooleanField(
                        default=False,
                        help_text="Set when staff checked that these tips are one rumor.",
                        verbose_name="grouping confirmed",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
            ],
            options={
                "verbose_name": "reported rumor",
                "verbose_name_plural": "reported rumors",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Tip",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        default=tips.models.new_tip_code, max_length=11, unique=True, verbose_name="reference code"
                    ),
                ),
                ("text", models.TextField(max_length=2000, verbose_name="what was seen")),
                (
                    "platform",
                    models.CharField(
                        choices=[
                            ("wechat_group", "WeChat group"),
                            ("wechat_article", "WeChat article"),
                            ("weibo", "Weibo"),
                            ("douyin", "Douyin"),
                            ("other", "Other"),
                        ],
                        default="wechat_group",
                        max_length=20,
                        verbose_name="where",
                    ),
                ),
                ("seen_on", models.DateField(blank=True, null=True, verbose_name="seen on")),
                ("link", models.URLField(blank=True, max_length=500, verbose_name="link")),
                (
                    "screenshot",
                    models.FileField(
                        blank=True,
                        storage=core.storage.private_storage,
                        upload_to="tips/%Y/%m/",
                        verbose_name="screenshot",
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        default="zh-hans", help_text="Of the form used.", max_length=7, verbose_name="language"
                    ),
                ),
                ("contact_email", models.EmailField(blank=True, max_length=254, verbose_name="contact e-mail")),
                ("contact_consent", models.BooleanField(default=False, verbose_name="agreed to be contacted")),
                (
                    "client_hash",
                    models.CharField(
                        blank=True,
                        help_text="Keyed hash; the address cannot be read back.",
                        max_length=64,
                        verbose_name="client address hash",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "Received"),
                            ("reviewing", "Being reviewed"),
                            ("answered", "Answered"),
                            ("not_actionable", "Not actionable"),
                            ("duplicate", "Duplicate"),
                        ],
                        default="new",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("staff_notes", models.TextField(blank=True, verbose_name="staff notes")),
                ("submitted_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="submitted")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "personal_data_purged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="personal data purged"),
                ),
                (
                    "clarification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tips",
                        to="clarifications.clarification",
                        verbose_name="answered by",
                    ),
                ),
                (
                    "duplicate_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="duplicates",
                        to="tips.tip",
                        verbose_name="duplicate of",
                    ),
                ),
                (
                    "rumor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tips",
                        to="tips.rumor",
                        verbose_name="rumor group",
                    ),
                ),
            ],
            options={
                "verbose_name": "tip",
                "verbose_name_plural": "tips",
                "ordering": ["-submitted_at", "-id"],
                "permissions": [("view_tip_contact", "Can see the contact details of tips")],
                "indexes": [models.Index(fields=["status", "closed_at"], name="tips_tip_status_844d35_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["new", "reviewing", "answered", "not_actionable", "duplicate"])
                        ),
                        name="tip_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("platform__in", ["wechat_group", "wechat_article", "weibo", "douyin", "other"])
                        ),
                        name="tip_platform_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "answered"), _negated=True),
                            ("clarification__isnull", False),
                            _connector="OR",
                        ),
                        name="tip_answer_has_clarification",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "duplicate"), _negated=True),
                            ("duplicate_of__isnull", False),
                            _connector="OR",
                        ),
                        name="tip_duplicate_has_original",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("contact_email", ""), ("contact_consent", True), _connector="OR"),
                        name="tip_contact_has_consent",
                    ),
                ],
            },
        ),
        migrations.RunPython(create_group, remove_group),
    ]
