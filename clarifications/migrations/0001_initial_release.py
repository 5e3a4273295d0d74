"""The first release's schema and starting data, squashed from the migrations written during development.

Frozen: nothing here imports application code that may change later (the staff groups' permissions,
the search index's DDL and the content version row are written out), so a fresh ``migrate`` runs the
same whatever today's models say. ``replaces`` names the development migrations: a database that has
them all applied takes this one as applied. This migration only ever runs on an empty database, so
there is nothing to index: the search index starts empty, as the clarifications table does.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, migrations, models

import clarifications.models

# --- The search index (see clarifications/search/): FTS5 with one-character prefixes on SQLite, a
# tsvector column with a GIN index on PostgreSQL.
SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE clarifications_search USING fts5(title, claim, truth, body, tokenize = 'ascii', prefix = '1')"
)
SQLITE_DROP = "DROP TABLE IF EXISTS clarifications_search"
POSTGRESQL_CREATE = [
    "ALTER TABLE clarifications_clarification ADD COLUMN search_document tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX clarifications_clarification_search_gin ON clarifications_clarification USING gin (search_document)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS clarifications_clarification_search_gin",
    "ALTER TABLE clarifications_clarification DROP COLUMN IF EXISTS search_document",
]


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)


def create_content_version(apps, schema_editor):
    apps.get_model("clarifications", "ContentVersion").objects.using(schema_editor.connection.alias).get_or_create(pk=1)


# --- The staff roles as decided for the first release (later changes get their own migration).
# Editors draft and edit, and submit for review; they cannot make anything public. Publishers also
# hold the publish permission (publish, schedule, unpublish, withdraw) and edit notices. Tip triage
# gets its permissions from the tips app's migration; it has nothing on clarifications.
EDITOR_PERMISSIONS = [
    "add_clarification",
    "change_clarification",
    "view_clarification",
    "add_source",
    "change_source",
    "delete_source",
    "view_source",
    "add_update",
    "change_update",
    "view_update",
    "add_topic",
    "change_topic",
    "view_topic",
    "view_notice",
]
PUBLISHER_PERMISSIONS = [*EDITOR_PERMISSIONS, "publish_clarification", "add_notice", "change_notice"]
GROUPS = {"Editor": EDITOR_PERMISSIONS, "Publisher": PUBLISHER_PERMISSIONS, "Tip triage": []}
# Permissions are normally created after all migrations (post_migrate); the groups need them now. Their
# names are Django's ("Can add clarification"), so post_migrate later finds them and adds nothing.
MODEL_NAMES = {
    "clarification": "clarification",
    "source": "evidence source",
    "update": "update",
    "topic": "topic",
    "notice": "notice",
}
CUSTOM_PERMISSIONS = {
    "publish_clarification": ("clarification", "Can publish, schedule, unpublish and withdraw clarifications")
}


def permission(apps, using, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    if codename in CUSTOM_PERMISSIONS:
        model, name = CUSTOM_PERMISSIONS[codename]
    else:
        action, model = codename.split("_", 1)
        name = f"Can {action} {MODEL_NAMES[model]}"
    content_type, _ = ContentType.objects.using(using).get_or_create(app_label="clarifications", model=model)
    found, _ = Permission.objects.using(using).get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return found


def create_staff_groups(apps, schema_editor):
    """Create the groups with exactly their permissions; safe to run again (tests re-run it after a flush)."""
    using = schema_editor.connection.alias if schema_editor else DEFAULT_DB_ALIAS
    Group = apps.get_model("auth", "Group")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*(permission(apps, using, codename) for codename in codenames))


def remove_staff_groups(apps, schema_editor):
    # Tip triage may carry the tips app's permissions by then; only the clarification roles go.
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    replaces = [
        ("clarifications", "0001_initial"),
        ("clarifications", "0002_workflow"),
        ("clarifications", "0002_search_index"),
        ("clarifications", "0003_content_version"),
        ("clarifications", "0004_search_prefix_index"),
        ("clarifications", "0005_search_term_statistics"),
        ("clarifications", "0006_withdrawal_date_and_claim_origin"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Notice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("body", models.TextField(help_text="Markdown.", verbose_name="text")),
                ("issuer", models.CharField(blank=True, max_length=200, verbose_name="issued by")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        default="zh-hans",
                        max_length=7,
                        verbose_name="language",
                    ),
                ),
                ("source_url", models.URLField(blank=True, verbose_name="original URL")),
                ("is_published", models.BooleanField(default=False, verbose_name="published")),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="publish time")),
                ("modified_at", models.DateTimeField(auto_now=True, verbose_name="last modified")),
            ],
            options={
                "verbose_name": "notice",
                "verbose_name_plural": "notices",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Topic",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(help_text="Chinese name.", max_length=80, unique=True, verbose_name="name")),
                ("name_en", models.CharField(blank=True, max_length=80, verbose_name="English name")),
                ("slug", models.SlugField(allow_unicode=True, max_length=80, unique=True, verbose_name="slug")),
                ("description", models.TextField(blank=True, verbose_name="description")),
            ],
            options={
                "verbose_name": "topic",
                "verbose_name_plural": "topics",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="Clarification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "claim",
                    models.TextField(help_text="The rumor as it circulated, quoted as seen.", verbose_name="claim"),
                ),
                (
                    "claim_platform",
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
                        verbose_name="where it circulated",
                    ),
                ),
                ("claim_seen_on", models.DateField(blank=True, null=True, verbose_name="first seen on")),
                (
                    "verdict",
                    models.CharField(
                        choices=[
                            ("false", "False"),
                            ("misleading", "Misleading"),
                            ("partly_false", "Partly false"),
                            ("unproven", "Unproven"),
                            ("true", "True"),
                        ],
                        max_length=20,
                        verbose_name="verdict",
                    ),
                ),
                (
                    "truth",
                    models.TextField(
                        help_text="One or two sentences: what is actually true.",
                        max_length=500,
                        verbose_name="the truth",
                    ),
                ),
                ("body", models.TextField(blank=True, help_text="Markdown.", verbose_name="explanation")),
                ("authority_name", models.CharField(blank=True, max_length=200, verbose_name="issuing authority")),
                ("authority_url", models.URLField(blank=True, verbose_name="authority's URL")),
                ("region", models.CharField(blank=True, max_length=100, verbose_name="region or district")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        default="zh-hans",
                        max_length=7,
                        verbose_name="language",
                    ),
                ),
                ("image", models.ImageField(blank=True, upload_to="clarifications/%Y/%m/", verbose_name="image")),
                (
                    "image_alt",
                    models.CharField(
                        blank=True,
                        help_text="Required with an image, for screen readers.",
                        max_length=250,
                        verbose_name="image description",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_review", "In review"),
                            ("published", "Published"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="A future time schedules the clarification.",
                        null=True,
                        verbose_name="publish time",
                    ),
                ),
                ("withdrawal_note", models.TextField(blank=True, verbose_name="withdrawal note")),
                (
                    "external_id",
                    models.CharField(
                        default=clarifications.models.new_external_id,
                        help_text="Identifier in an imported archive; re-importing it updates this clarification.",
                        max_length=100,
                        unique=True,
                        verbose_name="external ID",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("modified_at", models.DateTimeField(auto_now=True, verbose_name="last modified")),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="authored_clarifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="reviewed_clarifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
                    ),
                ),
                (
                    "topics",
                    models.ManyToManyField(
                        blank=True, related_name="clarifications", to="clarifications.topic", verbose_name="topics"
                    ),
                ),
            ],
            options={
                "verbose_name": "clarification",
                "verbose_name_plural": "clarifications",
                "ordering": ["-published_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalClarification",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "claim",
                    models.TextField(help_text="The rumor as it circulated, quoted as seen.", verbose_name="claim"),
                ),
                (
                    "claim_platform",
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
                        verbose_name="where it circulated",
                    ),
                ),
                ("claim_seen_on", models.DateField(blank=True, null=True, verbose_name="first seen on")),
                (
                    "verdict",
                    models.CharField(
                        choices=[
                            ("false", "False"),
                            ("misleading", "Misleading"),
                            ("partly_false", "Partly false"),
                            ("unproven", "Unproven"),
                            ("true", "True"),
                        ],
                        max_length=20,
                        verbose_name="verdict",
                    ),
                ),
                (
                    "truth",
                    models.TextField(
                        help_text="One or two sentences: what is actually true.",
                        max_length=500,
                        verbose_name="the truth",
                    ),
                ),
                ("body", models.TextField(blank=True, help_text="Markdown.", verbose_name="explanation")),
                ("authority_name", models.CharField(blank=True, max_length=200, verbose_name="issuing authority")),
                ("authority_url", models.URLField(blank=True, verbose_name="authority's URL")),
                ("region", models.CharField(blank=True, max_length=100, verbose_name="region or district")),
                (
                    "language",
                    models.CharField(
                        choices=[("zh-hans", "简体中文"), ("en", "English")],
                        default="zh-hans",
                        max_length=7,
                        verbose_name="language",
                    ),
                ),
                ("image", models.TextField(blank=True, max_length=100, verbose_name="image")),
                (
                    "image_alt",
                    models.CharField(
                        blank=True,
                        help_text="Required with an image, for screen readers.",
                        max_length=250,
                        verbose_name="image description",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("in_review", "In review"),
                            ("published", "Published"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="A future time schedules the clarification.",
                        null=True,
                        verbose_name="publish time",
                    ),
                ),
                ("withdrawal_note", models.TextField(blank=True, verbose_name="withdrawal note")),
                (
                    "external_id",
                    models.CharField(
                        db_index=True,
                        default=clarifications.models.new_external_id,
                        help_text="Identifier in an imported archive; re-importing it updates this clarification.",
                        max_length=100,
                        verbose_name="external ID",
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created")),
                ("modified_at", models.DateTimeField(blank=True, editable=False, verbose_name="last modified")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="author",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical clarification",
                "verbose_name_plural": "historical clarifications",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSource",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="URL")),
                ("publisher", models.CharField(blank=True, max_length=200, verbose_name="publisher")),
                ("date", models.DateField(blank=True, null=True, verbose_name="date")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "clarification",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="clarifications.clarification",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical evidence source",
                "verbose_name_plural": "historical evidence sources",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUpdate",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("date", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date")),
                ("note", models.TextField(verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "clarification",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="clarifications.clarification",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical update",
                "verbose_name_plural": "historical updates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Source",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("url", models.URLField(blank=True, max_length=500, verbose_name="URL")),
                ("publisher", models.CharField(blank=True, max_length=200, verbose_name="publisher")),
                ("date", models.DateField(blank=True, null=True, verbose_name="date")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
                (
                    "clarification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sources",
                        to="clarifications.clarification",
                    ),
                ),
            ],
            options={
                "verbose_name": "evidence source",
                "verbose_name_plural": "evidence sources",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="Update",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateTimeField(default=django.utils.timezone.now, verbose_name="date")),
                ("note", models.TextField(verbose_name="note")),
                (
                    "clarification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="updates",
                        to="clarifications.clarification",
                    ),
                ),
            ],
            options={
                "verbose_name": "update",
                "verbose_name_plural": "updates",
                "ordering": ["date", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="clarification",
            index=models.Index(fields=["status", "published_at"], name="clarificati_status_5f836a_idx"),
        ),
        migrations.AddConstraint(
            model_name="clarification",
            constraint=models.CheckConstraint(
                condition=models.Q(("verdict__in", ["false", "misleading", "partly_false", "unproven", "true"])),
                name="clarification_verdict_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="clarification",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["draft", "in_review", "published", "withdrawn"])),
                name="clarification_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="clarification",
            constraint=models.CheckConstraint(
                condition=models.Q(("language__in", ["zh-hans", "en"])), name="clarification_language_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="clarification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["published", "withdrawn"]), _negated=True),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="clarification_published_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="clarification",
            constraint=models.CheckConstraint(
                condition=models.Q(("image", ""), models.Q(("image_alt", ""), _negated=True), _connector="OR"),
                name="clarification_image_has_alt",
            ),
        ),
        migrations.AlterModelOptions(
            name="clarification",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [
                    ("publish_clarification", "Can publish, schedule, unpublish and withdraw clarifications")
                ],
                "verbose_name": "clarification",
                "verbose_name_plural": "clarifications",
            },
        ),
        migrations.AddField(
            model_name="clarification",
            name="review_by",
            field=models.DateField(
                blank=True,
                help_text="For time-sensitive answers: the date by which the facts should be checked again.",
                null=True,
                verbose_name="review again by",
            ),
        ),
        migrations.AddField(
            model_name="historicalclarification",
            name="review_by",
            field=models.DateField(
                blank=True,
                help_text="For time-sensitive answers: the date by which the facts should be checked again.",
                null=True,
                verbose_name="review again by",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalClarification_topics",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "clarification",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="clarifications.clarification",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="clarifications.historicalclarification",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="clarifications.topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalClarification_topics",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=1)),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("next_publication_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("term", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("documents", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "clarifications_searchterm",
            },
        ),
        migrations.AddField(
            model_name="clarification",
            name="claim_author",
            field=models.CharField(
                blank=True,
                help_text="The claim's originator, when known (an account or outlet); shown to search engines.",
                max_length=200,
                verbose_name="who spread it",
            ),
        ),
        migrations.AddField(
            model_name="clarification",
            name="claim_url",
            field=models.URLField(
                blank=True,
                help_text="A link to the post or article that carried the claim, when one is recorded.",
                max_length=500,
                verbose_name="where it appeared (link)",
            ),
        ),
        migrations.AddField(
            model_name="clarification",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.AddField(
            model_name="historicalclarification",
            name="claim_author",
            field=models.CharField(
                blank=True,
                help_text="The claim's originator, when known (an account or outlet); shown to search engines.",
                max_length=200,
                verbose_name="who spread it",
            ),
        ),
        migrations.AddField(
            model_name="historicalclarification",
            name="claim_url",
            field=models.URLField(
                blank=True,
                help_text="A link to the post or article that carried the claim, when one is recorded.",
                max_length=500,
                verbose_name="where it appeared (link)",
            ),
        ),
        migrations.AddField(
            model_name="historicalclarification",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn"),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(create_content_version, migrations.RunPython.noop),
        migrations.RunPython(create_staff_groups, remove_staff_groups),
    ]
