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

import os
import shutil
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

# The children of labelled metrics, made once (labels() takes a lock and builds a key every time).
_requests = {}
_latencies = {}
_refusals = {}
_page_cache = {True: page_cache_requests.labels("hit"), False: page_cache_requests.labels("miss")}


def count_page_cache(hit):
    """One anonymous request for a public page, answered from the page cache or not."""
    _page_cache[bool(hit)].inc()


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
        key = (view, method, response.status_code)
        counter = _requests.get(key) or _requests.setdefault(key, http_requests.labels(*key))
        counter.inc()
        latency = _latencies.get(view) or _latencies.setdefault(view, http_latency.labels(view))
        latency.observe(elapsed)
        if response.status_code == 429:
            (_refusals.get(view) or _refusals.setdefault(view, rate_limit_refusals.labels(view))).inc()
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
