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
  every ``PERIODIC_SECONDS``, and by ``manage.py requeue_stalled_tasks`` on demand).

So every task may run more than once and must be idempotent (reading a screenshot writes the same
text again; an e-mail may, rarely, go out twice rather than never).

When the queue gives up on a task (its last attempt failed, or its worker died during it), what the
task was to do must not wait for ever: ``when_given_up(task)`` registers what to do then, called with
the task's own arguments (a screenshot's reading ends as "could not be read", see
``tips.intake.tasks``).

**Fairness.** A task a person waits for on a page has priority ``SOMEONE_WAITS`` and goes first
(the worker takes the highest priority, then the oldest). So that the other tasks cannot starve
behind a stream of those, any task that has waited ``WAITED_LONG`` is raised to the same priority
(``promote_waiting``, run by ``manage.py run_worker`` every ``PERIODIC_SECONDS``): from then on it
goes before every such task queued after it. Why this design for the screenshots is in
``tips.intake.tasks``.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from core.logs import log_event

logger = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=10)
# How often manage.py run_worker recovers stalled tasks and promotes waiting ones.
PERIODIC_SECONDS = 15
# The priority of a task a person waits for on a page (django-tasks: higher runs first, 0 by default).
SOMEONE_WAITS = 10
# A task waiting this long is raised to SOMEONE_WAITS (see Fairness above).
WAITED_LONG = timedelta(seconds=60)

_given_up_handlers: dict[str, Callable[..., object]] = {}


def when_given_up(task):
    """Decorator: ``handler(*args, **kwargs)`` runs, with the task's own arguments, when the queue gives
    up on ``task`` (see the module docstring)."""

    def register(handler):
        _given_up_handlers[task.module_path] = handler
        return handler

    return register


def _given_up(row):
    handler = _given_up_handlers.get(row.task_path)
    if handler is None:
        return
    try:
        handler(*row.args_kwargs.get("args", []), **row.args_kwargs.get("kwargs", {}))
    except Exception:
        logger.exception("What to do when %s was given up failed", row.task_path)


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
                _given_up(row)
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
def retry_failed_task(sender, task_result, **kwargs):  # noqa: ARG001 (signals pass sender by name)
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


def promote_waiting(*, older_than=None):
    """Raise every task due that has waited longer than ``older_than`` (``WAITED_LONG``) to
    ``SOMEONE_WAITS``; returns how many (see Fairness in the module docstring)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - (WAITED_LONG if older_than is None else older_than)
    waited = DBTaskResult.objects.ready().filter(priority__lt=SOMEONE_WAITS, enqueued_at__lt=cutoff)
    # Asked first: an UPDATE takes SQLite's write lock even when it changes nothing.
    if not waited.exists():
        return 0
    promoted = waited.update(priority=SOMEONE_WAITS)
    log_event(logger, "task.promoted", count=promoted)
    return promoted


def waiting():
    """(tasks due and waiting for a worker, seconds the oldest of them has waited), read in one query.

    A task waits from when it was queued, or, when it was put off (a retry), from when it fell due."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    never_put_off = Q(run_after=get_date_max())
    row = DBTaskResult.objects.ready().aggregate(
        count=Count("pk"),
        queued=Min("enqueued_at", filter=never_put_off),
        due=Min("run_after", filter=~never_put_off),
    )
    since = min((moment for moment in (row["queued"], row["due"]) if moment is not None), default=None)
    age = max(0.0, (timezone.now() - since).total_seconds()) if since is not None else 0.0
    return row["count"], age
