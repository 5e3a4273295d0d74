"""Casework by rumor: one report lifecycle for tips and sightings, the rumor group as the unit of work.

- Tips and sightings share one status (``ReportStatus``): a sighting's "recorded" is "received".
- A sighting's screenshot has a reading state and a fingerprint like a tip's.
- A rumor group keeps its clarification (its answer, or the draft being written) and the counts the
  triage queue sorts by (reports, open reports, latest report, the heat key): filled here from the
  reports already stored. A group whose reports were answered takes the latest answer as its own.
- History (who, when, why) of tips (never their contact data), sightings and groups.
- Two permissions for the lifecycle's moves, given to "Tip triage": moving reports
  (``triage_report``), and re-opening a closed one (``reopen_report``), which takes back an answer.

Frozen like the first release: the computations are written out here, not imported.
"""

import math

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import tips.models

TRIAGE = "Tip triage"
PERMISSIONS = {
    "triage_report": ("rumor", "Can move reports through their lifecycle"),
    "reopen_report": ("rumor", "Can re-open a closed report"),
}
OPEN = ("new", "reviewing")
TAU_SECONDS = 2.0 * 86400 / math.log(2)  # the heat's half-life of two days, as tips.casework.rumors says


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.using(using).get_or_create(name=TRIAGE)
    for codename, (model, name) in PERMISSIONS.items():
        content_type, _ = ContentType.objects.using(using).get_or_create(app_label="tips", model=model)
        permission, _ = Permission.objects.using(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=TRIAGE).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(codename__in=PERMISSIONS))


def fill(apps, schema_editor):
    """The sightings' reading state, and each group's counts, heat key and answer, from the reports."""
    using = schema_editor.connection.alias
    Sighting = apps.get_model("tips", "Sighting")
    Tip = apps.get_model("tips", "Tip")
    Rumor = apps.get_model("tips", "Rumor")
    sightings = Sighting.objects.using(using).exclude(screenshot="")
    sightings.exclude(screenshot_text="").update(screenshot_reading="read")
    sightings.filter(screenshot_text="").update(screenshot_reading="pending")
    totals = {}
    for model, at in ((Tip, "submitted_at"), (Sighting, "seen_at")):
        rows = model.objects.using(using).exclude(rumor=None).values_list("rumor_id", at, "status").iterator()
        for rumor_id, moment, status in rows:
            total = totals.setdefault(rumor_id, {"reports": 0, "open": 0, "latest": None, "terms": []})
            total["reports"] += 1
            total["open"] += status in OPEN
            total["latest"] = moment if total["latest"] is None else max(total["latest"], moment)
            total["terms"].append(moment.timestamp() / TAU_SECONDS)
    for rumor_id, total in totals.items():
        top = max(total["terms"])
        key = top + math.log(sum(math.exp(term - top) for term in total["terms"]))
        Rumor.objects.using(using).filter(pk=rumor_id).update(
            reports=total["reports"], open_reports=total["open"], latest_report_at=total["latest"], heat_key=key
        )
    for model, at in ((Tip, "closed_at"), (Sighting, "closed_at")):
        answered = model.objects.using(using).filter(status="answered").exclude(rumor=None).order_by(at, "pk")
        for rumor_id, clarification_id in answered.values_list("rumor_id", "clarification_id").iterator():
            Rumor.objects.using(using).filter(pk=rumor_id, clarification=None).update(clarification=clarification_id)


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0003_daily_views"),
        ("tips", "0006_layout_by_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalRumor",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
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
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical reported rumor",
                "verbose_name_plural": "historical reported rumors",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSighting",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "text",
                    models.TextField(
                        blank=True,
                        help_text="The message as it was seen.",
                        max_length=2000,
                        verbose_name="what was seen",
                    ),
                ),
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
                    "screenshot_reading",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "No screenshot"),
                            ("pending", "Waiting to be read"),
                            ("read", "Read"),
                            ("unavailable", "OCR unavailable"),
                            ("failed", "Could not be read"),
                        ],
                        default="",
                        max_length=12,
                        verbose_name="screenshot reading",
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
                (
                    "screenshot_fingerprint",
                    models.CharField(
                        blank=True,
                        help_text="Perceptual hashes: the same picture, re-compressed, resized or cropped, has a close one.",
                        max_length=600,
                        verbose_name="screenshot fingerprint",
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
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                ("screenshot", models.TextField(blank=True, max_length=100, verbose_name="screenshot")),
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
                    "recorded_at",
                    models.DateTimeField(blank=True, db_index=True, editable=False, verbose_name="recorded"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical sighting",
                "verbose_name_plural": "historical sightings (online inspection)",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTip",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "text",
                    models.TextField(
                        blank=True,
                        help_text="The message as it was seen.",
                        max_length=2000,
                        verbose_name="what was seen",
                    ),
                ),
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
                    "screenshot_reading",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "No screenshot"),
                            ("pending", "Waiting to be read"),
                            ("read", "Read"),
                            ("unavailable", "OCR unavailable"),
                            ("failed", "Could not be read"),
                        ],
                        default="",
                        max_length=12,
                        verbose_name="screenshot reading",
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
                (
                    "screenshot_fingerprint",
                    models.CharField(
                        blank=True,
                        help_text="Perceptual hashes: the same picture, re-compressed, resized or cropped, has a close one.",
                        max_length=600,
                        verbose_name="screenshot fingerprint",
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
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "code",
                    models.CharField(
                        db_index=True, default=tips.models.new_tip_code, max_length=11, verbose_name="reference code"
                    ),
                ),
                ("seen_on", models.DateField(blank=True, null=True, verbose_name="seen on")),
                ("screenshot", models.TextField(blank=True, max_length=100, verbose_name="screenshot")),
                (
                    "language",
                    models.CharField(
                        default="zh-hans", help_text="Of the form used.", max_length=7, verbose_name="language"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("web", "web form"), ("wechat", "WeChat official account")],
                        default="web",
                        max_length=20,
                        verbose_name="sent through",
                    ),
                ),
                (
                    "pending_picture_url",
                    models.URLField(
                        blank=True,
                        help_text="Where WeChat keeps a picture sent to the official account, until it is stored as the screenshot.",
                        max_length=1000,
                        verbose_name="picture still to fetch",
                    ),
                ),
                (
                    "picture_fetch_error",
                    models.CharField(blank=True, max_length=200, verbose_name="why the picture could not be fetched"),
                ),
                ("submitted_at", models.DateTimeField(blank=True, editable=False, verbose_name="submitted")),
                (
                    "personal_data_purged_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="personal data purged"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical tip",
                "verbose_name_plural": "historical tips",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterModelOptions(
            name="rumor",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("export_evidence", "Can export a rumor's evidence package for referral"),
                    ("triage_report", "Can move reports through their lifecycle"),
                    ("reopen_report", "Can re-open a closed report"),
                ],
                "verbose_name": "reported rumor",
                "verbose_name_plural": "reported rumors",
            },
        ),
        migrations.RemoveConstraint(
            model_name="sighting",
            name="sighting_status_valid",
        ),
        migrations.AddField(
            model_name="rumor",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                help_text="The clarification that answers this rumor, or the draft being written for it.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="rumors",
                to="clarifications.clarification",
                verbose_name="clarification",
            ),
        ),
        migrations.AddField(
            model_name="rumor",
            name="heat_key",
            field=models.FloatField(
                blank=True,
                editable=False,
                help_text="log Σ exp(t / τ) over the group's reports: sorts groups by heat at any moment.",
                null=True,
                verbose_name="heat key",
            ),
        ),
        migrations.AddField(
            model_name="rumor",
            name="latest_report_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="latest report"),
        ),
        migrations.AddField(
            model_name="rumor",
            name="open_reports",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="open reports"),
        ),
        migrations.AddField(
            model_name="rumor",
            name="reports",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="reports"),
        ),
        migrations.AddField(
            model_name="sighting",
            name="screenshot_fingerprint",
            field=models.CharField(
                blank=True,
                help_text="Perceptual hashes: the same picture, re-compressed, resized or cropped, has a close one.",
                max_length=600,
                verbose_name="screenshot fingerprint",
            ),
        ),
        migrations.AddField(
            model_name="sighting",
            name="screenshot_reading",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "No screenshot"),
                    ("pending", "Waiting to be read"),
                    ("read", "Read"),
                    ("unavailable", "OCR unavailable"),
                    ("failed", "Could not be read"),
                ],
                default="",
                max_length=12,
                verbose_name="screenshot reading",
            ),
        ),
        migrations.AlterField(
            model_name="sighting",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="%(class)ss",
                to="clarifications.clarification",
                verbose_name="answered by",
            ),
        ),
        migrations.AlterField(
            model_name="sighting",
            name="rumor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="%(class)ss",
                to="tips.rumor",
                verbose_name="rumor group",
            ),
        ),
        migrations.AlterField(
            model_name="sighting",
            name="status",
            field=models.CharField(
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
        migrations.AlterField(
            model_name="sighting",
            name="text",
            field=models.TextField(
                blank=True, help_text="The message as it was seen.", max_length=2000, verbose_name="what was seen"
            ),
        ),
        migrations.AlterField(
            model_name="tip",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="%(class)ss",
                to="clarifications.clarification",
                verbose_name="answered by",
            ),
        ),
        migrations.AlterField(
            model_name="tip",
            name="rumor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="%(class)ss",
                to="tips.rumor",
                verbose_name="rumor group",
            ),
        ),
        migrations.AlterField(
            model_name="tip",
            name="screenshot_text",
            field=models.TextField(
                blank=True,
                help_text="Filled in when the screenshot has been read; used for grouping and matching like the text.",
                verbose_name="text read from the screenshot",
            ),
        ),
        migrations.AlterField(
            model_name="tip",
            name="text",
            field=models.TextField(
                blank=True, help_text="The message as it was seen.", max_length=2000, verbose_name="what was seen"
            ),
        ),
        migrations.AddIndex(
            model_name="rumor",
            index=models.Index(fields=["latest_report_at"], name="rumor_latest_report"),
        ),
        migrations.AddIndex(
            model_name="rumor",
            index=models.Index(fields=["-heat_key"], name="rumor_heat"),
        ),
        migrations.AddConstraint(
            model_name="sighting",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["new", "reviewing", "answered", "not_actionable", "duplicate"])),
                name="sighting_status_valid",
            ),
        ),
        migrations.AddField(
            model_name="historicalrumor",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The clarification that answers this rumor, or the draft being written for it.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="clarifications.clarification",
                verbose_name="clarification",
            ),
        ),
        migrations.AddField(
            model_name="historicalrumor",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalsighting",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="clarifications.clarification",
                verbose_name="answered by",
            ),
        ),
        migrations.AddField(
            model_name="historicalsighting",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalsighting",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="historicalsighting",
            name="rumor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tips.rumor",
                verbose_name="rumor group",
            ),
        ),
        migrations.AddField(
            model_name="historicaltip",
            name="clarification",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="clarifications.clarification",
                verbose_name="answered by",
            ),
        ),
        migrations.AddField(
            model_name="historicaltip",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tips.tip",
                verbose_name="duplicate of",
            ),
        ),
        migrations.AddField(
            model_name="historicaltip",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicaltip",
            name="rumor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tips.rumor",
                verbose_name="rumor group",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
