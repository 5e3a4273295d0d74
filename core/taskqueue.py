"""The task queue's reliability: bounded retries, recovery of tasks whose worker died, queue length.

Tasks use the django-tasks API (Django 6.0's own); the database backend (``django-tasks-db``) keeps
each task as a row, visible in the admin ("Task results"), so a task survives a restart of the site
and of its workers. That backend runs a task once: it has no retry, and a task whose worker is
killed (out of memory, a deploy, a power cut) stays "running" for ever. Both are handled here, on
the same row, so the admin shows one task with its attempts (one worker id per attempt) and its last
traceback:

- a task that raised is put back in the queue after ``RETRY_DELAY`` × attempts, until it was tried
  ``TASK_MAX_ATTEMPTS`` times (``retry_failed_task``, a receiver of ``task_finished``);
- a task running for longer than ``TASK_STALLED_AFTER_SECONDS`` is taken for lost with its worker
  and put back the same way (``recover_stalled()``, run by ``manage.py run_worker`` when it starts and
  every ``RECOVERY_INTERVAL`` seconds, and by ``manage.py requeue_stalled_tasks`` on demand).

So every task may run more than once and must be idempotent (reading a screenshot writes the same
text again; an e-mail may, rarely, go out twice rather than never).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from core.logs import log_event

logger = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=10)
RECOVERY_INTERVAL = 60


def _requeue(rows, *, now):
    """Put ``rows`` (a DBTaskResult queryset) back in the queue, or leave them failed once out of attempts.

    Returns (requeued, given_up)."""
    requeued = given_up = 0
    for row in rows:
        attempts = len(row.worker_ids)
        if attempts >= settings.TASK_MAX_ATTEMPTS:
            changed = (
                type(row)
                .objects.filter(pk=row.pk, status=row.status)
                .update(status=TaskResultStatus.FAILED, finished_at=now)
            )
            given_up += changed
            if changed:
                log_event(logger, "task.given_up", id=row.pk, task=row.task_path, attempts=attempts)
            continue
        # The status in the filter: a row another worker or recovery already moved is left alone.
        changed = (
            type(row)
            .objects.filter(pk=row.pk, status=row.status)
            .update(status=TaskResultStatus.READY, run_after=now + RETRY_DELAY * attempts, finished_at=None)
        )
        requeued += changed
        if changed:
            log_event(logger, "task.requeued", id=row.pk, task=row.task_path, attempts=attempts, was=row.status)
    return requeued, given_up


@receiver(task_finished)
def retry_failed_task(sender, task_result, **kwargs):
    """A task of the database queue that raised goes back in the queue while it has attempts left."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    from django_tasks_db.models import DBTaskResult

    _requeue(DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED), now=timezone.now())


def recover_stalled(*, older_than=None):
    """Queue again the tasks running for longer than ``older_than``: their worker died. Returns
    (requeued, given_up)."""
    from django_tasks_db.models import DBTaskResult

    if older_than is None:
        older_than = timedelta(seconds=settings.TASK_STALLED_AFTER_SECONDS)
    now = timezone.now()
    stalled = DBTaskResult.objects.running().filter(started_at__lt=now - older_than)
    return _requeue(stalled, now=now)
