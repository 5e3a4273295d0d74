"""Term statistics for noise-tolerant ranking (see clarifications/search/statistics.py).

The table is filled from the clarifications already there, with the frozen copy of the analysis.
"""

from django.db import migrations, models

from ._search_frozen import rebuild


def fill(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        rebuild(apps.get_model("clarifications", "Clarification"), schema_editor.connection, with_statistics=True)


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0004_search_prefix_index"),
    ]

    operations = [
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
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
