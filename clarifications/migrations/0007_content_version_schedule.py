from django.db import migrations, models


class Migration(migrations.Migration):
    """The content version lists every upcoming publish time instead of the next one, so that a passing
    moment changes the version without a write (see ContentVersion)."""

    dependencies = [
        ("clarifications", "0006_withdrawal_date_and_claim_origin"),
    ]

    operations = [
        migrations.RemoveField(model_name="contentversion", name="next_publication_at"),
        migrations.AddField(
            model_name="contentversion",
            name="schedule",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
    ]
