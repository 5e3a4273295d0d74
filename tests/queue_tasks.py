"""The task queue in tests: the database queue as a site runs it (the ``database_queue`` fixture in
conftest.py), a worker that runs what is due (``run_worker``), and two tasks: one that fails a given
number of times, one that hangs on its first attempt (so that its worker can be killed in the middle
of it) and then reads a tip's screenshot."""

import time
from pathlib import Path

from django.core.management import call_command
from django_tasks import task

from tips.intake.tasks import read_tip_screenshot

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "checks"]}}


def run_worker():
    """A worker in this process that runs what is due, then stops."""
    call_command("run_worker", batch=True, verbosity=0)


@task()
def fail_times(counter_path, failures):
    """Raises on its first ``failures`` attempts, then succeeds; each attempt adds a line to the file."""
    counter = Path(counter_path)
    attempts = len(counter.read_text().splitlines()) + 1 if counter.exists() else 1
    with counter.open("a") as file:
        file.write(f"attempt {attempts}\n")
    if attempts <= failures:
        raise RuntimeError(f"failing on attempt {attempts}")
    return attempts


@task()
def hang_once_then_read(marker_path, tip_id):
    """The first attempt writes the marker and hangs until its worker is killed; later ones read the tip."""
    marker = Path(marker_path)
    if not marker.exists():
        marker.write_text("started")
        time.sleep(600)
    return read_tip_screenshot.call(tip_id)
