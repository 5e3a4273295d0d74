"""History records keep a staff member's reason for a change whole (a text field, not 100 characters)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clarifications", "0003_daily_views"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalclarification",
            name="history_change_reason",
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name="historicalsource",
            name="history_change_reason",
            field=models.TextField(null=True),
        ),
        migrations.AlterField(
            model_name="historicalupdate",
            name="history_change_reason",
            field=models.TextField(null=True),
        ),
    ]
