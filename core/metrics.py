"""What the running processes count for the operators' metrics (served by ``ops/metrics.py``).

Counted where it happens, with prometheus-client: requests and their latency per view and the
rate-limit refusals (``MetricsMiddleware``, first of all middleware), the page cache's hits and misses
(``count_page_cache``, called by ``clarifications.pagecache``), the time and outcome of reading a
screenshot (``timed_screenshot_reading``, around ``tips.intake.reading.read_picture``, in the task
workers). What the database knows better (reports per channel, the task queue) is read from it when
the metrics are scraped (``ops/metrics.py``).

**Several processes.** gunicorn's workers and the task workers are separate processes, each with its
own counts. With ``METRICS_DIR`` set (``DATA_DIR/metrics`` by default), prometheus-client's
multiprocess mode keeps each process's counts in a small memory-mapped file, and ``/metrics`` adds up
the files of every process of the machine. Each process tree (a gunicorn master and the workers it
forks, or one ``run_worker``) writes into a folder named after the process that first imported this
module; folders of trees that are gone are removed when a new one starts (their counters start again
from zero, which Prometheus reads as the restart it was). The counts of a worker gunicorn replaced
stay in its tree's folder, so totals never go down while the server runs. ``METRICS_DIR`` empty keeps
the counts in each process alone (the test suite, ``runserver``).
"""

import atexit
import bisect
import os
import shutil
import threading
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation

_folder = None


def _configure():
    """Multiprocess mode in ``METRICS_DIR``, chosen before any metric exists (see module docstring)."""
    global _folder
    root = settings.METRICS_DIR
    if not root:
        return
    from prometheus_client import values

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not folder or Path(folder).parent != Path(root):
        folder = str(Path(root) / str(os.getpid()))
        Path(folder).mkdir(parents=True, exist_ok=True)
        for gone in process_folders(root):
            if gone != Path(folder) and not _alive(int(gone.name)):
                shutil.rmtree(gone, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    _folder = folder
    values.ValueClass = values.MultiProcessValue()


def process_folders(root):
    """The folders of the process trees that counted into ``root``."""
    root = Path(root)
    return [path for path in root.iterdir() if path.is_dir() and path.name.isdigit()] if root.is_dir() else []


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_configure()

from prometheus_client import Counter, Histogram  # noqa: E402 (after the value class is chosen)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

http_requests = Counter(
    "piyao_http_requests",
    "Requests answered, by view (URL name), method and status code.",
    ["view", "method", "status"],
)
http_latency = Histogram(
    "piyao_http_request_duration_seconds",
    "Time from the request's arrival in Django to its response, by view (URL name).",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
rate_limit_refusals = Counter(
    "piyao_rate_limit_refusals",
    "Requests refused with 429 (tip and look-up limits, API throttle, login lockout, ...), by view.",
    ["view"],
)
page_cache_requests = Counter(
    "piyao_page_cache_requests",
    "Public pages asked for anonymously, by whether the page cache had them (hit) or rendered them (miss).",
    ["result"],
)
screenshot_readings = Counter(
    "piyao_screenshot_readings",
    "Screenshots read by the task workers (OCR and fingerprint), by outcome (read, failed, unavailable).",
    ["outcome"],
)
screenshot_reading_seconds = Histogram(
    "piyao_screenshot_reading_seconds",
    "Time a task worker took to read one screenshot (OCR and fingerprint).",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 60.0),
)

FLUSH_SECONDS = 1.0


class Tally:
    """This process's request counts since they were last written to prometheus-client's values.

    A request adds to a few dictionaries (under a lock: gunicorn's workers run threads); a thread of
    the process writes the sums out every ``FLUSH_SECONDS``, and a scrape writes its own process's
    first (``flush``). Written at each request, the counts and the latency histogram cost a tenth of
    a cached page's time (measured: 20 of 210 microseconds), since each write goes to the shared file.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.pid = None
        self._reset()

    def _reset(self):
        self.requests, self.latencies, self.refusals, self.page_cache = {}, {}, {}, {True: 0, False: 0}

    def request(self, view, method, status, elapsed):
        bucket = bisect.bisect_left(LATENCY_BUCKETS, elapsed)  # the first bound not below it; past all: +Inf
        key = (view, method, status)
        with self.lock:
            if self.pid != os.getpid():
                self._start()
            self.requests[key] = self.requests.get(key, 0) + 1
            latency = self.latencies.get(view)
            if latency is None:
                latency = self.latencies[view] = [0] * (len(LATENCY_BUCKETS) + 2)  # the buckets, +Inf, the sum
            latency[bucket] += 1
            latency[-1] += elapsed
            if status == 429:
                self.refusals[view] = self.refusals.get(view, 0) + 1

    def page(self, hit):
        with self.lock:
            if self.pid != os.getpid():
                self._start()
            self.page_cache[hit] += 1

    def _start(self):
        """In a new process (a forked worker), forget what the parent counted and start the writer."""
        self.pid = os.getpid()
        self._reset()
        threading.Thread(target=self._write_periodically, name="metrics", daemon=True).start()
        atexit.register(self.flush)

    def _write_periodically(self):
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def flush(self):
        with self.lock:
            if self.pid != os.getpid():
                return
            requests, latencies, refusals, page_cache = self.requests, self.latencies, self.refusals, self.page_cache
            self._reset()
        for key, number in requests.items():
            http_requests.labels(*key).inc(number)
        for view, counts in latencies.items():
            child = http_latency.labels(view)
            # prometheus-client keeps a count per bucket and the sum (its observe() adds one of each).
            for bucket, number in enumerate(counts[:-1]):
                if number:
                    child._buckets[bucket].inc(number)
            child._sum.inc(counts[-1])
        for view, number in refusals.items():
            rate_limit_refusals.labels(view).inc(number)
        for hit, number in page_cache.items():
            if number:
                page_cache_requests.labels("hit" if hit else "miss").inc(number)


tally = Tally()
flush = tally.flush


def count_page_cache(hit):
    """One anonymous request for a public page, answered from the page cache or not."""
    tally.page(bool(hit))


def timed_screenshot_reading(read):
    """Decorates a function returning ``(outcome, ...)``: counts each call by outcome, and its time."""

    @wraps(read)
    def timed(*args, **kwargs):
        started = time.perf_counter()
        result = read(*args, **kwargs)
        screenshot_reading_seconds.observe(time.perf_counter() - started)
        screenshot_readings.labels(str(result[0])).inc()
        return result

    return timed


class MetricsMiddleware:
    """Counts every request by view, method and status, and its time; first in the middleware list,
    so that a page the cache answers counts too."""

    MEMO_SIZE = 10_000

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = {}

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = request.resolver_match
        view = match.view_name if match is not None else self.view_of(request.path_info)
        method = request.method if request.method in KNOWN_METHODS else "other"
        tally.request(view, method, response.status_code, elapsed)
        return response

    def view_of(self, path):
        """The URL name of a path answered before Django resolved it (a cached page, a static file)."""
        view = self.views.get(path)
        if view is None:
            with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
                try:
                    view = resolve(path).view_name
                except Resolver404:
                    view = "static" if path.startswith(settings.STATIC_URL) else "unmatched"
            if len(self.views) >= self.MEMO_SIZE:
                self.views.clear()
            self.views[path] = view
        return view


# Methods named as they are in the labels; anything else a client sends counts as "other".
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
