"""Test settings: the real settings with the few changes a test run needs."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else")
# The test client (and the servers some tests start on 127.0.0.1) speak plain HTTP.
os.environ.setdefault("HTTPS", "false")

from config.settings import *  # noqa: F403

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
