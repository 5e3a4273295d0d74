"""What ``/healthz`` reports: each dependency's state, and whether the site can serve pages and store
reports, cheaply (reads only: no write, no lock).

The answer is a small JSON object (documented in docs/deployment.md, *Monitoring*)::

    {"status": "ok", "database": {"state": "ok"}, "cache": {"state": "ok", "shared": true},
     "task_queue": {"state": "ok", "waiting": 0, "oldest_waiting_seconds": 0},
     "ocr": {"state": "ok", "engine": "tesseract"}, "disk": {"state": "ok", "free_mb": 5120}}

Each dependency's ``state`` is ``ok``, ``down`` (with a ``reason``), ``late`` (the task queue) or
``off`` (OCR switched off on purpose); ``ocr`` also names its engine (``OCR_ENGINE``). The status code
keeps the load balancer's contract: **200** when the site can serve pages and store reports, **503**
when it cannot, which depends on two things only:

- the database answers and has our schema (a query on the clarifications table); on PostgreSQL it
  accepts writes (not a read-only standby or session); on SQLite its file is at its path and it and
  its folder may be written;
- the data folder, where SQLite, uploads and screenshots live, has room for at least a few uploads
  (``HEALTHZ_MIN_FREE_MB``).

Everything else degrades the site without stopping it, so it makes ``status`` "degraded" and stays
200: a load balancer must not drop every app server because the shared Redis is down (pages are then
rendered uncached and the rate limits count in the database, ``core.sharedcache``), the OCR engine is
missing (reports are kept, read later), or the task queue is late (no worker running, or more work
than workers: the oldest task due has waited more than ``QUEUE_LATE_SECONDS``).
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import translation

from core import sharedcache, taskqueue
from core.sqlite.base import database_path
from tips.intake import ocr

SCHEMA_PROBE = "SELECT 1 FROM clarifications_clarification LIMIT 1"
# Beyond this, a task due waits for a worker that is not there, or for too many tasks before it.
QUEUE_LATE_SECONDS = 300
ESSENTIAL = ("database", "disk")


def report():
    """(HTTP status, the JSON body) of the health check (see the module docstring)."""
    found = {
        "database": database_state(),
        "cache": cache_state(),
        "task_queue": {"state": "down", "reason": "database unavailable"},
        "ocr": ocr_state(),
        "disk": disk_state(Path(settings.DATA_DIR)),
    }
    if found["database"]["state"] == "ok":
        found["task_queue"] = task_queue_state()
    if any(found[name]["state"] != "ok" for name in ESSENTIAL):
        status = "down"
    elif any(state["state"] not in ("ok", "off") for state in found.values()):
        status = "degraded"
    else:
        status = "ok"
    return (503 if status == "down" else 200), {"status": status, **found}


def down(reason, **details):
    return {"state": "down", "reason": reason, **details}


def database_state():
    reason = ""
    try:
        with connection.cursor() as cursor:
            cursor.execute(SCHEMA_PROBE)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
                read_only, in_recovery = cursor.fetchone()
                if read_only == "on" or in_recovery:
                    reason = "database is read-only"
    except DatabaseError as error:
        missing_table = "no such table" in str(error) or "does not exist" in str(error)
        reason = "database schema missing" if missing_table else "database unavailable"
    path = database_path(connection.settings_dict) if connection.vendor == "sqlite" else None
    if path is not None:
        # The file's own problem is the more precise reason (a missing file fails the query too).
        reason = sqlite_file_problem(path) or reason
    return down(reason) if reason else {"state": "ok"}


def sqlite_file_problem(path):
    if not path.exists():
        return "database file missing"
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return "database is read-only"
    return ""


def disk_state(data_dir):
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return down("data folder missing")
    free_mb = free // (1024 * 1024)
    if free < settings.HEALTHZ_MIN_FREE_BYTES:
        return down("disk full", free_mb=free_mb)
    return {"state": "ok", "free_mb": free_mb}


def cache_state():
    if not sharedcache.is_shared():
        return {"state": "ok", "shared": False}
    state, reason = sharedcache.state()
    return {"state": "ok", "shared": True} if state == "ok" else down(reason or "unreachable", shared=True)


def task_queue_state():
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        # Tasks run where they are queued (a test configuration): nothing waits.
        return {"state": "ok", "waiting": 0, "oldest_waiting_seconds": 0}
    try:
        count, age = taskqueue.waiting()
    except DatabaseError:
        return down("task table unavailable")
    state = {"state": "ok", "waiting": count, "oldest_waiting_seconds": int(age)}
    if age > QUEUE_LATE_SECONDS:
        state.update(state="late", reason=f"the oldest task has waited {int(age)} s for a worker")
    return state


def ocr_state():
    if not settings.OCR_ENABLED:
        return {"state": "off"}
    with translation.override("en"):
        engine = ocr.status()
        state = {"state": "ok"} if engine.available else down(str(engine.reason))
    return {**state, "engine": settings.OCR_ENGINE}
