"""``/metrics``: the operators' view of the running site, in Prometheus' text format.

Two kinds of figures:

- counted by the processes as things happen (``core/metrics.py``): requests and latency per view,
  page-cache hits, rate-limit refusals, screenshot readings and their time. With ``METRICS_DIR`` the
  counts of every process of this machine (gunicorn's workers, task workers) are added up here;
- read from the database at each scrape, where the database is the truth and every app server sees
  the same (``DatabaseCollector``): reports per channel (open and all), screenshots by reading state,
  the task queue's depth and its oldest waiting task, running and failed tasks. A few grouped
  queries, each over an index or a small table.

Scrape every app server directly (its ``BIND`` address; deploy/nginx.conf does not serve this path):
the counted figures are per server. The database figures are the same from each, so dashboards take
one (``max``) rather than their sum. Only ``METRICS_ALLOWED_ADDRESSES`` may read it (403 otherwise).
"""

import glob
import ipaddress
import os

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from core import metrics
from core.clients import client_ip
from tips.models import OPEN_STATUSES, ScreenshotReading, Sighting, Tip, TipChannel

INSPECTION = "inspection"


@never_cache
@require_GET
def metrics_view(request):
    if not allowed(client_ip(request)):
        refusal = "Forbidden: this address may not read the metrics (METRICS_ALLOWED_ADDRESSES).\n"
        return HttpResponse(refusal, status=403, content_type="text/plain")
    metrics.flush()  # this process's latest counts; the others write theirs every second
    registry = CollectorRegistry()
    registry.register(MachineCollector(settings.METRICS_DIR) if settings.METRICS_DIR else ThisProcess())
    registry.register(DatabaseCollector())
    # The text format the scraper asks for (Accept), Prometheus' classic one by default.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(registry), content_type=content_type)


def allowed(address):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in settings.METRICS_ALLOWED_ADDRESSES)


class ThisProcess:
    """The counts of this process alone (METRICS_DIR empty: runserver, the test suite)."""

    def collect(self):
        return REGISTRY.collect()


class MachineCollector:
    """The counts of every process tree of this machine (core/metrics.py), added up."""

    def __init__(self, root):
        self.root = root

    def collect(self):
        files = []
        for folder in metrics.process_folders(self.root):
            files += glob.glob(os.path.join(folder, "*.db"))
        return MultiProcessCollector.merge(files, accumulate=True)


class DatabaseCollector:
    """What the database knows, read at each scrape (see the module docstring)."""

    def collect(self):
        received = CounterMetricFamily(
            "piyao_reports_received", "Reports stored since the site began, by channel.", labels=["channel"]
        )
        open_reports = GaugeMetricFamily(
            "piyao_reports_open",
            "Reports waiting for the office (new or being reviewed), by channel.",
            labels=["channel"],
        )
        screenshots = GaugeMetricFamily(
            "piyao_tip_screenshots",
            "Tips' screenshots by reading state: pending (waiting for a worker), read, failed, unavailable (no OCR).",
            labels=["reading"],
        )
        totals: dict[str, int] = {}
        waiting: dict[str, int] = {}
        readings = dict.fromkeys([reading for reading in ScreenshotReading.values if reading], 0)
        is_open = Q(status__in=OPEN_STATUSES)  # the reports' one meaning of open (tips.models)
        rows = Tip.objects.order_by().values("channel", "screenshot_reading")
        for row in rows.annotate(number=Count("pk"), open=Count("pk", filter=is_open)):
            totals[row["channel"]] = totals.get(row["channel"], 0) + row["number"]
            waiting[row["channel"]] = waiting.get(row["channel"], 0) + row["open"]
            if row["screenshot_reading"]:
                readings[row["screenshot_reading"]] += row["number"]
        inspection = Sighting.objects.aggregate(number=Count("pk"), open=Count("pk", filter=is_open))
        totals[INSPECTION], waiting[INSPECTION] = inspection["number"], inspection["open"]
        for channel in [*TipChannel.values, INSPECTION]:
            received.add_metric([channel], totals.get(channel, 0))
            open_reports.add_metric([channel], waiting.get(channel, 0))
        for reading, number in readings.items():
            screenshots.add_metric([reading], number)
        yield received
        yield open_reports
        yield screenshots
        yield from self.task_queue()

    def task_queue(self):
        depth = GaugeMetricFamily(
            "piyao_task_queue_depth", "Tasks waiting for a worker and due to run, by queue.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "piyao_task_queue_oldest_waiting_seconds",
            "Age of the oldest task waiting for a worker and due to run (0 when none waits), by queue.",
            labels=["queue"],
        )
        states = GaugeMetricFamily(
            "piyao_tasks",
            "Tasks of the queue by state: running, failed (given up after their attempts).",
            labels=["queue", "state"],
        )
        now = timezone.now()
        queues = list(settings.TASKS["default"].get("QUEUES") or ["default"])
        ready = {
            row["queue_name"]: row
            for row in DBTaskResult.objects.ready()
            .order_by()
            .values("queue_name")
            .annotate(number=Count("pk"), oldest=Min("enqueued_at"))
        }
        others = DBTaskResult.objects.order_by().filter(
            Q(status=TaskResultStatus.RUNNING) | Q(status=TaskResultStatus.FAILED)
        )
        counted = {
            (row["queue_name"], row["status"]): row["number"]
            for row in others.values("queue_name", "status").annotate(number=Count("pk"))
        }
        for queue in dict.fromkeys(queues + list(ready) + [queue for queue, _ in counted]):
            row = ready.get(queue)
            depth.add_metric([queue], row["number"] if row else 0)
            oldest.add_metric([queue], (now - row["oldest"]).total_seconds() if row else 0.0)
            for status, state in ((TaskResultStatus.RUNNING, "running"), (TaskResultStatus.FAILED, "failed")):
                states.add_metric([queue, state], counted.get((queue, status), 0))
        yield depth
        yield oldest
        yield states
