"""SQLite: the FTS5 table gets a prefix index for one-character prefixes.

A one-character Chinese query (水) is a prefix query (see clarifications/search/); without this
index FTS5 merges the doclists of every term starting with the character at each query, which
dominated the cost of such a search. FTS5 options cannot be altered, so the table is created
again and refilled. PostgreSQL is untouched.
"""

from django.db import migrations

from ._search_frozen import rebuild

TABLE = "clarifications_search"
COLUMNS = "title, claim, truth, body, tokenize = 'ascii'"


def recreate(prefix):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        options = f"{COLUMNS}, prefix = '1'" if prefix else COLUMNS
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({options})")
        rebuild(apps.get_model("clarifications", "Clarification"), schema_editor.connection, with_statistics=False)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0003_content_version"),
    ]

    operations = [
        migrations.RunPython(recreate(prefix=True), recreate(prefix=False)),
    ]
