"""Test settings: the real settings with the few changes a test run needs."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
# The test client (and the servers some tests start on 127.0.0.1) speak plain HTTP.
os.environ.setdefault("HTTPS", "false")

from config import settings as base
from config.settings import *  # noqa: F403

# make test-fast runs the suite in several processes (pytest-xdist): each gets a database of its own,
# and with Redis a database number of its own after REDIS_URL's, since every test empties the cache
# (tests/conftest.py). gw0 keeps REDIS_URL's own number. On SQLite the test database is in memory, one
# per process, as Django makes it: named here, since pytest-django would otherwise give each worker a
# file beside the site's (it takes core.sqlite for another database), shared by two parallel runs.
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if base.REDIS_URL and XDIST_WORKER.startswith("gw"):
    _redis = urlsplit(base.REDIS_URL)
    _number = int(_redis.path.strip("/") or 0) + int(XDIST_WORKER.removeprefix("gw"))
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_number}"))
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405

# Tests render pages without running collectstatic first.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Serve static files straight from the source folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# django-axes raises on authenticate() calls without a request, which the test client's login() makes;
# so it is off for the suite, and the lockout tests (tests/test_security.py) switch it back on.
AXES_ENABLED = False

# The page cache is keyed by a version row that every test's rollback resets, so cached pages would
# leak from one test to the next: it is off here and switched on by the tests of the cache itself.
PAGE_CACHE_ENABLED = False

# Queued tasks run at once, in the code that queues them; the tests of the queue itself switch to the
# database backend and run real workers (tests/test_task_queue.py).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASKS["default"]["QUEUES"]}  # noqa: F405
}

# Each test process keeps its own metrics (core/metrics.py); the tests of /metrics across processes
# start real servers with a folder of their own.
METRICS_DIR = ""
# Page views are written by a thread of each worker (clarifications/pageviews.py); in the test process
# a thread of its own would write outside the test's transaction, so tests call flush() themselves.
# A server started with these settings writes them when its workers stop, unless VIEWS_FLUSH_SECONDS is set.
if "VIEWS_FLUSH_SECONDS" not in os.environ:
    VIEWS_FLUSH_SECONDS = 0
