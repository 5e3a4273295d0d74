"""The task queue (django-tasks with its database backend): a task that fails is tried again up to
TASK_MAX_ATTEMPTS times, and a task whose worker is killed in the middle runs again (core/taskqueue.py)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import queue_tasks
from .queue_tasks import DATABASE_QUEUE, run_worker
from .servers import REPO, manage, site_environment


@pytest.mark.django_db(transaction=True)
def test_a_failing_task_is_tried_again_until_it_succeeds(database_queue, tmp_path):
    counter = tmp_path / "attempts"
    result = queue_tasks.fail_times.enqueue(str(counter), 2)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    assert len(row.worker_ids) == 3


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_failing_is_given_up_after_the_limit_with_its_traceback(database_queue, settings, tmp_path):
    settings.TASK_MAX_ATTEMPTS = 3
    counter = tmp_path / "attempts"
    result = queue_tasks.fail_times.enqueue(str(counter), 99)
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert len(counter.read_text().splitlines()) == 3
    assert "failing on attempt 3" in row.traceback


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_before_it_is_due(settings, tmp_path):
    settings.TASKS = DATABASE_QUEUE
    result = queue_tasks.fail_times.enqueue(str(tmp_path / "attempts"), 1)
    try:
        run_worker()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY
    assert row.run_after > row.started_at
    assert len(row.worker_ids) == 1


# --- a real worker process, killed with SIGKILL in the middle of a task -------------------------------

ENQUEUE = """
from tests.factories import TipFactory
from tests.queue_tasks import hang_once_then_read
from tips.models import Tip
from core.storage import private_storage
from django.core.files.base import ContentFile
from benchmarks import wechat_screens
picture = wechat_screens.encoded(wechat_screens.chat("明天起全市地铁停运三天，大家提前准备。", width=375, height=667))
name = private_storage().save("tips/2026/01/killed.png", ContentFile(picture))
Tip.objects.bulk_create([Tip(code="T-KILL-0001", text="see it", screenshot=name, screenshot_reading="pending")])
tip = Tip.objects.get(code="T-KILL-0001")
print(hang_once_then_read.enqueue({marker!r}, tip.pk).id)
"""

STATE = """
from django_tasks_db.models import DBTaskResult
from tips.models import Tip
row = DBTaskResult.objects.get(pk={task_id!r})
tip = Tip.objects.get(code="T-KILL-0001")
print(row.status, len(row.worker_ids), tip.screenshot_reading, tip.screenshot_text.replace(chr(10), " ") or "-")
"""


def shell(environment, code):
    """The last line ``manage.py shell -c code`` prints."""
    return manage(environment, "shell", "-c", code).stdout.strip().splitlines()[-1]


def start_worker(environment, log):
    return subprocess.Popen(
        [sys.executable, str(REPO / "manage.py"), "run_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=REPO,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.mark.subprocess
def test_a_task_whose_worker_was_killed_runs_again_on_another_worker(tmp_path):
    environment = site_environment(tmp_path / "site", TASK_STALLED_AFTER_SECONDS="2")
    manage(environment, "migrate", "--noinput", "-v0")
    marker = tmp_path / "first-attempt-started"
    task_id = shell(environment, ENQUEUE.format(marker=str(marker)))
    with open(tmp_path / "worker.log", "ab") as log:
        first = start_worker(environment, log)
        try:
            wait_for(marker.exists)
            assert shell(environment, STATE.format(task_id=task_id)).startswith("RUNNING 1 pending")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        # Nothing runs it while it looks running; a new worker takes it for lost once it is stalled.
        time.sleep(2.5)
        second = start_worker(environment, log)
        try:
            state = wait_for(
                lambda: (
                    (line := shell(environment, STATE.format(task_id=task_id))).startswith(("SUCCESSFUL", "FAILED"))
                    and line
                )
            )
        finally:
            # As Ctrl+C does: the worker stops cleanly between tasks.
            second.send_signal(signal.SIGINT)
            second.wait(timeout=30)
    status, attempts, reading, text = state.split(" ", 3)
    assert (status, attempts) == ("SUCCESSFUL", "2")
    assert reading in ("read", "unavailable")
    if reading == "read":
        assert "地铁停运" in text
    assert second.returncode == 0
