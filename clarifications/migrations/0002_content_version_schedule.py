from django.db import migrations, models


class Migration(migrations.Migration):
    """The content version lists every upcoming publish time instead of the next one, so that a passing
    moment changes the version without a write (see ContentVersion)."""

    dependencies = [
        ("clarifications", "0001_initial_release"),
    ]

    operations = [
        migrations.RemoveField(model_name="contentversion", name="next_publication_at"),
        migrations.AddField(
            model_name="contentversion",
            name="schedule",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
    ]
