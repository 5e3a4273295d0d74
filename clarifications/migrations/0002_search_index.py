"""The full-text index: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.

Each database gets only its own part (see clarifications/search/ for the design). Existing
clarifications are indexed at the end, through the historical model.
"""

from django.db import migrations

from ._search_frozen import rebuild

SQLITE_CREATE = "CREATE VIRTUAL TABLE clarifications_search USING fts5(title, claim, truth, body, tokenize = 'ascii')"
SQLITE_DROP = "DROP TABLE IF EXISTS clarifications_search"
POSTGRESQL_CREATE = [
    "ALTER TABLE clarifications_clarification ADD COLUMN search_document tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX clarifications_clarification_search_gin ON clarifications_clarification USING gin (search_document)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS clarifications_clarification_search_gin",
    "ALTER TABLE clarifications_clarification DROP COLUMN IF EXISTS search_document",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
    else:
        return
    rebuild(apps.get_model("clarifications", "Clarification"), schema_editor.connection, with_statistics=False)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
