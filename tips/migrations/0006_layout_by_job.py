"""The layout by job: tips' code moved into intake, casework, evidence and analytics packages, and the
shared helpers (the rate limit among them) into ``core``.

- The rate-limit counters now live in ``core`` (``core.RateLimitCounter``, a table of its own): the
  windows in this table are only minutes long, so they are dropped rather than copied (at worst a
  client's current window starts afresh once, at the upgrade).
- Tasks waiting in the queue name their function by its path: those of the old paths are renamed, so
  a task queued before the upgrade still runs after it.
"""

from django.db import migrations

TASK_PATHS = {
    "tips.tasks.read_tip_screenshot": "tips.intake.tasks.read_tip_screenshot",
    "tips.tasks.read_sighting_screenshot": "tips.intake.tasks.read_sighting_screenshot",
    "tips.tasks.read_screenshot_check": "tips.intake.tasks.read_screenshot_check",
    "tips.tasks.fetch_wechat_picture": "tips.intake.wechat.tasks.fetch_wechat_picture",
    "tips.tasks.send_answer_email": "tips.casework.tasks.send_answer_email",
}


def rename_task_paths(apps, schema_editor, paths=TASK_PATHS):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    results = DBTaskResult.objects.using(schema_editor.connection.alias)
    for old, new in paths.items():
        results.filter(task_path=old).update(task_path=new)


def restore_task_paths(apps, schema_editor):
    rename_task_paths(apps, schema_editor, paths={new: old for old, new in TASK_PATHS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("tips", "0005_evidence_exports"),
        ("core", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.DeleteModel(name="RateLimitCounter"),
        migrations.RunPython(rename_task_paths, restore_task_paths),
    ]
