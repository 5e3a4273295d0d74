"""Rate limits shared by every worker; the tip form allows ``TIPS_RATE`` reports per client and period.

The count must be shared by every gunicorn worker, so a per-process memory cache will not do:

- with ``REDIS_URL`` set, the counter is a Redis key (``cache.add`` then the atomic ``cache.incr``),
  which also holds across several app servers;
- otherwise it is a row of ``RateLimitCounter``, incremented inside a transaction. On SQLite that
  transaction is ``BEGIN IMMEDIATE`` (it holds the write lock from the start); on PostgreSQL the
  ``UPDATE`` locks the row until commit. Either way the count read back is exactly ours.

Windows are fixed (``"5/10m"``: five per ten-minute window), which is simple and good enough to stop
a flood; a client may at worst send twice the limit across a window boundary.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import sharedcache
from .models import RateLimitCounter
from .rates import parse_rate

# What ``hit_in_cache`` counts in while Redis is down: this process's memory.
_local_counts = LocMemCache("piyao-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _window(scope, client, rate, now):
    """The limit, the period, the window's number and the counter's key for ``client`` at ``now``."""
    limit, period = parse_rate(rate)
    window = int(now.timestamp()) // period
    return limit, period, window, f"ratelimit:{scope}:{period}:{window}:{client}"


def used_up(scope, client, *, rate):
    """True when ``client`` has already used every request ``rate`` allows in this window; counts nothing.

    For a form that counts only what costs (see ``tips.intake.views.tip_receive``): it asks first, so that a
    client over the limit is turned away before anything is decoded, and calls ``hit`` for the costly
    step, whose count stays the one that decides when several workers race.
    """
    limit, _period, _window_number, key = _window(scope, client, rate, timezone.now())
    count = _in_redis(cache.get, key, 0)
    if count is None:
        count = RateLimitCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return count >= limit


def hit(scope, client, *, rate):
    """Count one request of ``client`` in ``scope``; False when it goes over ``rate`` (``"5/10m"``)."""
    now = timezone.now()
    limit, period, window, key = _window(scope, client, rate, now)
    count = _in_redis(_hit_cache, cache, key, period)
    if count is None:
        expires_at = datetime.fromtimestamp((window + 1) * period, tz=UTC)
        count = _hit_database(key, expires_at, now)
    return count <= limit


def _in_redis(operation, *arguments):
    """What ``operation`` returns on Redis; None without Redis, or while it is down (the database counts)."""
    if not settings.REDIS_URL:
        return None
    try:
        return sharedcache.call(operation, *arguments)
    except sharedcache.CacheUnavailable:
        return None


def hit_in_cache(scope, client, *, rate):
    """``hit`` counted in the cache only, never in the database (see the module docstring)."""
    limit, period, _window_number, key = _window(scope, client, rate, timezone.now())
    try:
        count = sharedcache.call(_hit_cache, cache, key, period)
    except sharedcache.CacheUnavailable:
        count = _hit_cache(_local_counts, key, period)
    return count <= limit


def _hit_cache(counts, key, period):
    counts.add(key, 0, timeout=period + 1)
    try:
        return counts.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this request opens the next window.
        counts.add(key, 1, timeout=period + 1)
        return 1


def _hit_database(key, expires_at, now):
    with transaction.atomic():
        updated = RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateLimitCounter.objects.create(key=key, count=1, expires_at=expires_at)
            except IntegrityError:
                # Another worker created the row first (PostgreSQL; SQLite's lock prevents this race).
                RateLimitCounter.objects.filter(key=key).update(count=F("count") + 1)
            else:
                # A new window began: forget the finished ones, so the table stays small.
                RateLimitCounter.objects.filter(expires_at__lt=now).delete()
        return RateLimitCounter.objects.values_list("count", flat=True).get(key=key)


def purge_expired():
    """Delete finished windows; returns how many rows went."""
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
