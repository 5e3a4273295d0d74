"""SQLite: the FTS5 table gets a prefix index for one-character prefixes.

A one-character Chinese query (水) is a prefix query (see clarifications/search.py); without this
index FTS5 merges the doclists of every term starting with the character at each query, which
dominated the cost of such a search. FTS5 options cannot be altered, so the table is created
again and refilled. PostgreSQL is untouched.
"""

from django.db import migrations

TABLE = "clarifications_search"
COLUMNS = "title, claim, truth, body, tokenize = 'ascii'"


def recreate(prefix):
    def operation(apps, schema_editor):
        from clarifications.search import rebuild_index

        if schema_editor.connection.vendor != "sqlite":
            return
        options = f"{COLUMNS}, prefix = '1'" if prefix else COLUMNS
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5({options})")
        rebuild_index(model=apps.get_model("clarifications", "Clarification"), using=schema_editor.connection.alias)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0003_content_version"),
    ]

    operations = [
        migrations.RunPython(recreate(prefix=True), recreate(prefix=False)),
    ]
