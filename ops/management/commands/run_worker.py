"""``manage.py run_worker``: a worker of the task queue, which also looks after the queue itself.

django-tasks-db's ``db_worker`` with every queue by default (``--queue-name``, as there), plus a
thread that, when the worker starts and every ``core.taskqueue.PERIODIC_SECONDS``:

- recovers the tasks whose worker died (``taskqueue.recover_stalled``);
- raises the tasks that have waited long to the priority of those a person waits for
  (``taskqueue.promote_waiting``), so that none starves;
- stores the WeChat messages a web worker kept on disk while the database was locked, in case that
  web worker stopped before it could (``tips.intake.wechat.storing.store_kept``).

Ctrl+C or SIGTERM lets the running task finish, then stops; a second one stops at once. Run as many
as the machines allow, wherever the database and the private files are reachable.
"""

import threading
from collections.abc import Callable

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from core import taskqueue
from tips.intake.wechat import storing

PERIODIC_JOBS: list[Callable[..., object]] = [taskqueue.recover_stalled, taskqueue.promote_waiting, storing.store_kept]


def run_periodically(stop, interval):
    while not stop.is_set():
        for job in PERIODIC_JOBS:
            try:
                close_old_connections()
                job()
            except Exception:
                taskqueue.logger.exception("%s failed; trying again later", job.__name__)
            finally:
                connection.close()
        stop.wait(interval)


class Command(DatabaseWorkerCommand):
    help = (
        "Run a worker of the task queue (all queues by default), recovering tasks whose worker died and "
        "promoting tasks that have waited long."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        stop = threading.Event()
        if not options.get("batch"):
            thread = threading.Thread(target=run_periodically, args=(stop, taskqueue.PERIODIC_SECONDS), daemon=True)
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
