"""Page views of clarifications, for "most asked this week" (``tips.analytics.popularity``).

**Without personal data.** A clarification's page asks a small script to post a beacon
(``/clarifications/<id>/seen``), which adds one to the clarification's count for the day
(``DailyViews``): no cookie, no address or log line is kept, only the number. The beacon comes from
the browser after the page is shown, so it is counted whether the page came from the page cache or
not (a cached page never reaches a view), and robots that do not run scripts are not counted. A
client may post at most ``VIEWS_RATE`` beacons (counted in the cache, ``ratelimit.hit_in_cache``,
keyed by the address's keyed hash for the length of the window), so that one machine cannot push a
clarification up.

**Never waiting for the database's write lock.** Every reader of a clarification sends a beacon, so
the beacon must cost a request nothing it can wait for. It only adds to a count in the worker
process's memory (``count_view``); a thread of that process writes the counts every
``VIEWS_FLUSH_SECONDS`` (10) in one short transaction (``views = views + n`` per clarification and day, or the
day's first ``INSERT``), so concurrent workers and app servers never lose each other's counts. When
SQLite's write lock is held (a restore, a long import), that thread waits for it, not a request:
before, each beacon waited in a request thread for up to the 20 s busy timeout, 24 of them took every
thread of the workers, and even cached pages took 5 to 11 s (the numbers before and after are in
docs/benchmarks.md, *Dependency faults*). A flush that fails (the lock held past the busy timeout, the database down)
keeps its counts for the next one.

What it costs: counts reach the ranking up to ``VIEWS_FLUSH_SECONDS`` late (the ranking's pages are renewed
every ten minutes anyway), and a worker killed outright loses its last seconds of counts; a worker
that stops or is recycled writes them first (``flush``, from gunicorn's ``worker_exit`` hook in
``gunicorn.conf.py`` and at exit). The test settings start no thread (``VIEWS_FLUSH_SECONDS=0``):
tests call ``flush`` themselves.
"""

import atexit
import logging
import os
import threading
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Clarification, DailyViews

logger = logging.getLogger(__name__)


class _Counts:
    """This process's views not yet written, and the thread that writes them."""

    def __init__(self):
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.pending: Counter[tuple[int, date]] = Counter()
        self.writer = None
        self.stop = threading.Event()

    def add(self, clarification_id, day):
        with self.lock:
            self.pending[(clarification_id, day)] += 1
            if self.writer is None and settings.VIEWS_FLUSH_SECONDS > 0:
                self.writer = threading.Thread(target=self._write_periodically, name="page-views", daemon=True)
                self.writer.start()

    def take(self):
        with self.lock:
            taken, self.pending = self.pending, Counter()
        return taken

    def put_back(self, taken):
        with self.lock:
            self.pending.update(taken)

    def _write_periodically(self):
        while not self.stop.wait(settings.VIEWS_FLUSH_SECONDS):
            try:
                flush()
            finally:
                # This thread's own connection: opened for each flush, never kept across a file swap.
                connection.close()


_counts = _Counts()
_counts_lock = threading.Lock()


def _this_process_counts():
    """The counts of this process (a forked worker starts with none of its parent's)."""
    global _counts
    if _counts.pid != os.getpid():
        with _counts_lock:
            if _counts.pid != os.getpid():
                _counts = _Counts()
    return _counts


def count_view(clarification_id, *, day=None):
    """Add one view to today's count of a clarification; written to the database by the next flush."""
    _this_process_counts().add(clarification_id, day or timezone.localdate())


def pending():
    """Views counted in this process and not written yet, by (clarification id, day)."""
    counts = _this_process_counts()
    with counts.lock:
        return dict(counts.pending)


def forget_pending():
    """Drop the views this process has not written (tests)."""
    _this_process_counts().take()


def flush():
    """Write this process's pending views; returns how many. Kept for the next flush if it fails."""
    counts = _this_process_counts()
    taken = counts.take()
    if not taken:
        return 0
    try:
        _write(taken)
    except IntegrityError:
        # A clarification deleted between the check and the commit: its views go with it.
        logger.warning("Page views of a deleted clarification were dropped.")
        return 0
    except DatabaseError as error:
        counts.put_back(taken)
        logger.warning("Page views could not be written (%s); kept for the next try.", error)
        return 0
    return sum(taken.values())


def _write(taken):
    existing = set(Clarification.objects.filter(pk__in={pk for pk, _day in taken}).values_list("pk", flat=True))
    with transaction.atomic():
        for (clarification_id, day), views in sorted(taken.items()):
            if clarification_id not in existing:
                continue
            rows = DailyViews.objects.filter(clarification_id=clarification_id, day=day)
            if not rows.update(views=F("views") + views):
                try:
                    with transaction.atomic():
                        DailyViews.objects.create(clarification_id=clarification_id, day=day, views=views)
                except IntegrityError:
                    # Another process created the day's row first (PostgreSQL; SQLite's write lock prevents it).
                    rows.update(views=F("views") + views)


atexit.register(flush)
