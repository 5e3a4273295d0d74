"""The shared cache (Redis, with ``REDIS_URL``) as a dependency that may be down: every caller fails open.

Redis holds what several app servers share: cached pages, rate-limit counters, the API throttle's
counts. None of it may decide whether a citizen's report is stored, so every use goes through
``call()``, which runs one cache operation and, when Redis does not answer, raises ``CacheUnavailable``
for the caller to do without it (serve the page uncached, count in the database, let the request
through). The outage is the process's, not the request's:

- one warning line per outage and process when it starts, and one when Redis answers again;
- for ``RETRY_SECONDS`` after a failure the cache is not asked at all (``CacheUnavailable`` at once):
  an unreachable host costs one request a second its ``socket_timeout`` (0.5 s), not every request.

With the local-memory cache (no ``REDIS_URL``) nothing can be unreachable and ``call()`` only calls.
The Redis client is imported only when the cache is Redis: with it come ssl and asyncio, 21 MB of
every worker's memory on the embedded default, which has no use for them.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class CacheUnavailable(Exception):
    """The shared cache did not answer (or did not a moment ago): do without it."""


def outage_errors():
    """The errors of an unreachable shared cache."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return (OSError,)
    import redis

    return (OSError, redis.RedisError)


def is_shared():
    """Whether the cache is shared between processes (Redis) rather than each process's own memory."""
    return not settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache")


class _Outage:
    def __init__(self):
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = float("-inf")
        self.reason = ""

    def failed(self, error):
        with self.lock:
            first = not self.down
            self.down, self.retry_at, self.reason = True, time.monotonic() + RETRY_SECONDS, str(error)
        if first:
            logger.warning("Shared cache unreachable (%s): the site works without it until it is back.", error)

    def answered(self):
        if not self.down:
            return
        with self.lock:
            was_down, self.down = self.down, False
        if was_down:
            logger.warning("Shared cache reachable again.")

    def skipping(self):
        return self.down and time.monotonic() < self.retry_at


_outage = _Outage()


def call(operation, *arguments, **keywords):
    """``operation(*arguments, **keywords)`` on the shared cache, or ``CacheUnavailable`` (module docstring)."""
    if _outage.skipping():
        raise CacheUnavailable(_outage.reason)
    try:
        result = operation(*arguments, **keywords)
    except outage_errors() as error:
        _outage.failed(error)
        raise CacheUnavailable(str(error)) from error
    _outage.answered()
    return result


def state():
    """("ok", "") or ("down", reason), from what this process last saw; asks the cache only when it
    is not known to be down (one read of a key nobody writes: no write, no lock)."""
    try:
        from django.core.cache import cache

        call(cache.get, "healthz:probe")
    except CacheUnavailable as error:
        return "down", str(error) or "unreachable"
    return "ok", ""


def forget_outage():
    """Forget a recorded outage (tests)."""
    global _outage
    _outage = _Outage()
