"""``manage.py run_worker``: a worker of the task queue, which also recovers tasks whose worker died.

django-tasks-db's ``db_worker`` with every queue by default (``--queue-name``, as there), plus a
thread that calls ``core.taskqueue.recover_stalled()`` when the worker starts and every minute
(see that module). Ctrl+C or SIGTERM lets the running task finish, then stops; a second one stops at
once. Run as many as the machines allow, wherever the database and the private files are reachable.
"""

import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from core import taskqueue


def recover_periodically(stop, interval):
    while not stop.is_set():
        try:
            close_old_connections()
            taskqueue.recover_stalled()
        except Exception:
            taskqueue.logger.exception("Could not recover stalled tasks; trying again later")
        finally:
            connection.close()
        stop.wait(interval)


class Command(DatabaseWorkerCommand):
    help = "Run a worker of the task queue (all queues by default), recovering tasks whose worker died."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args, **options):
        stop = threading.Event()
        if not options.get("batch"):
            thread = threading.Thread(
                target=recover_periodically, args=(stop, taskqueue.RECOVERY_INTERVAL), daemon=True
            )
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
