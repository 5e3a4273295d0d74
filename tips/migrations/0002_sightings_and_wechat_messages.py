"""Online inspection (sightings) and the WeChat official-account channel.

The "Online inspection" group records sightings and sees the rumor groups and the tips in them (so that
a patrol can tell a rumor citizens already reported), but no contact data and nothing on
clarifications beyond what Editor or Publisher add. "Tip triage" now handles sightings in its queue
too. Permissions are written out, as in the first release, and created here (post_migrate comes
after all migrations).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import core.storage

INSPECTION = "Online inspection"
TRIAGE = "Tip triage"
# codename -> (model, the name Django gives it)
PERMISSIONS = {
    "add_sighting": ("sighting", "Can add sighting"),
    "change_sighting": ("sighting", "Can change sighting"),
    "view_sighting": ("sighting", "Can view sighting"),
    "view_rumor": ("rumor", "Can view reported rumor"),
    "view_tip": ("tip", "Can view tip"),
}
GRANTS = {
    INSPECTION: ["add_sighting", "change_sighting", "view_sighting", "view_rumor", "view_tip"],
    TRIAGE: ["change_sighting", "view_sighting"],
}


def grant(apps, schema_editor):
    """Give each group its permissions; safe to run again (tests re-run it after a flush)."""
    using = schema_editor.connection.alias if schema_editor else "default"
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        for codename in codenames:
            model, label = PERMISSIONS[codename]
            content_type, _ = ContentType.objects.using(using).get_or_create(app_label="tips", model=model)
            permission, _ = Permission.objects.using(using).get_or_create(
                content_type=content_type, codename=codename, defaults={"name": label}
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=INSPECTION).delete()
    triage = Group.objects.filter(name=TRIAGE).first()
    if triage is not None:
        triage.permissions.remove(*triage.permissions.filter(codename__in=GRANTS[TRIAGE]))


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0002_content_version_schedule"),
        ("tips", "0001_initial_release"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Sighting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                ("link", models.URLField(blank=True, max_length=500, verbose_name="link")),
                (
                    "text",
                    models.TextField(
                        blank=True,
                        help_text="The message as it was seen.",
                        max_length=2000,
                        verbose_name="what it said",
                    ),
                ),
                (
                    "screenshot",
                    models.FileField(
                        blank=True,
                        storage=core.storage.private_storage,
                        upload_to="sightings/%Y/%m/",
                        verbose_name="screenshot",
                    ),
                ),
                (
                    "screenshot_text",
                    models.TextField(
                        blank=True,
                        help_text="Filled in when the screenshot has been read; used for grouping and matching like the text.",
                        verbose_name="text read from the screenshot",
                    ),
                ),
                ("seen_at", models.DateTimeField(verbose_name="seen at")),
                (
                    "reach",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "not estimated"),
                            (1, "small: up to 100 people (one chat group, a few reposts, under 1,000 reads)"),
                            (
                                2,
                                "medium: hundreds (several groups or one full group of 500, tens of reposts, thousands of reads)",
                            ),
                            (3, "large: thousands (many groups, hundreds of reposts, tens of thousands of reads)"),
                            (4, "viral: beyond (trending lists, thousands of reposts, reads shown as 100,000+)"),
                        ],
                        default=0,
                        verbose_name="reach",
                    ),
                ),
                (
                    "reach_details",
                    models.CharField(
                        blank=True,
                        help_text="What the platform showed, e.g. “group of 487 members”, “2,300 reposts”, “10万+ reads”.",
                        max_length=200,
                        verbose_name="reach in figures",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "Recorded"),
                            ("reviewing", "Being reviewed"),
                            ("answered", "Answered"),
                            ("not_actionable", "Not actionable"),
                        ],
                        default="new",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("staff_notes", models.TextField(blank=True, verbose_name="staff notes")),
                ("recorded_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="recorded")),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
            ],
            options={
                "verbose_name": "sighting",
                "verbose_name_plural": "sightings (online inspection)",
                "ordering": ["-seen_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="WeChatMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("msg_id", models.CharField(max_length=64, unique=True, verbose_name="WeChat message id")),
                ("kind", models.CharField(max_length=20, verbose_name="message type")),
                ("reply", models.TextField(blank=True, verbose_name="reply sent")),
                ("received_at", models.DateTimeField(auto_now_add=True, verbose_name="received")),
            ],
            options={
                "verbose_name": "WeChat message",
                "verbose_name_plural": "WeChat messages",
            },
        ),
        migrations.AddField(
            model_name="tip",
            name="picture_fetch_error",
            field=models.CharField(blank=True, max_length=200, verbose_name="why the picture could not be fetched"),
        ),
        migrations.AddField(
            model_name="tip",
            name="channel",
            field=models.CharField(
                choices=[("web", "web form"), ("wechat", "WeChat official account")],
                default="web",
                max_length=20,
                verbose_name="sent through",
            ),
        ),
        migrations.AddField(
            model_name="tip",
            name="pending_picture_url",
            field=models.URLField(
                blank=True,
                help_text="Where WeChat keeps a picture sent to the official account, until it is stored as the screenshot.",
                max_length=1000,
                verbose_name="picture still to fetch",
            ),
        ),
        migrations.AlterField(
            model_name="tip",
            name="text",
            field=models.TextField(blank=True, max_length=2000, verbose_name="what was seen"),
        ),
        migrations.AddConstraint(
            model_name="tip",
            constraint=models.CheckConstraint(
                condition=models.Q(("channel__in", ["web", "wechat"])), name="tip_channel_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="tip",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("text", ""), _negated=True),
                    models.Q(("screenshot", ""), _negated=True),
                    models.Q(("pending_picture_url", ""), _negated=True),
                    _connector="OR",
                ),
                name="tip_has_content",
            ),
        ),
        migrations.AddField(
            model_name="sighting",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sightings",
                to="clarifications.clarification",
                verbose_name="answered by",
            ),
        ),
        migrations.AddField(
            model_name="sighting",
            name="recorded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sightings",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="sighting",
            name="rumor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="sightings",
                to="tips.rumor",
                verbose_name="rumor group",
            ),
        ),
        migrations.AddField(
            model_name="wechatmessage",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="clarifications.clarification",
                verbose_name="clarification sent",
            ),
        ),
        migrations.AddField(
            model_name="wechatmessage",
            name="tip",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="wechat_messages",
                to="tips.tip",
                verbose_name="tip",
            ),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["new", "reviewing", "answered", "not_actionable"])),
                name="sighting_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(("platform__in", ["wechat_group", "wechat_article", "weibo", "douyin", "other"])),
                name="sighting_platform_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(("reach__in", [0, 1, 2, 3, 4])), name="sighting_reach_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("text", ""), _negated=True), models.Q(("screenshot", ""), _negated=True), _connector="OR"
                ),
                name="sighting_has_text_or_screenshot",
            ),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "answered"), _negated=True), ("clarification__isnull", False), _connector="OR"
                ),
                name="sighting_answer_has_clarification",
            ),
        ),
        migrations.RunPython(grant, revoke),
    ]
