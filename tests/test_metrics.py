"""``/metrics`` (ops/metrics.py, core/metrics.py): what operators read, who may read it, and the counts
of several processes added up (two gunicorn workers and a task worker, for real)."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from config.settings import env_networks
from tips.models import ScreenshotReading, TipChannel

from .factories import ClarificationFactory, SightingFactory, TipFactory
from .servers import REPO, fetch, site_environment, start_gunicorn, stop_gunicorn

LOCAL = "127.0.0.1"


def samples(text):
    """{(name, frozenset of labels): value} of a metrics page."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text, name, **labels):
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def scrape(client):
    response = client.get("/metrics", REMOTE_ADDR=LOCAL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


@pytest.mark.django_db
def test_requests_are_counted_by_view_method_and_status_with_their_latency(client):
    before = scrape(client)
    ClarificationFactory()
    for _ in range(3):
        assert client.get("/clarifications/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = scrape(client)

    def grew(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("piyao_http_requests_total", view="clarifications:list", method="GET", status="200") == 3
    assert grew("piyao_http_requests_total", view="unmatched", method="GET", status="404") == 1
    assert grew("piyao_http_request_duration_seconds_count", view="clarifications:list") == 3
    assert grew("piyao_http_request_duration_seconds_bucket", view="clarifications:list", le="+Inf") == 3


@pytest.mark.django_db
def test_page_cache_hits_and_misses_are_counted(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    ClarificationFactory()
    before = scrape(client)
    for _ in range(3):
        client.get("/about/")
    after = scrape(client)
    hits = value(after, "piyao_page_cache_requests_total", result="hit") - value(
        before, "piyao_page_cache_requests_total", result="hit"
    )
    misses = value(after, "piyao_page_cache_requests_total", result="miss") - value(
        before, "piyao_page_cache_requests_total", result="miss"
    )
    assert (hits, misses) == (2, 1)
    # A page the cache answered is counted under its view all the same.
    assert (
        value(after, "piyao_http_requests_total", view="clarifications:about", method="GET", status="200")
        - value(before, "piyao_http_requests_total", view="clarifications:about", method="GET", status="200")
        == 3
    )


@pytest.mark.django_db
def test_rate_limit_refusals_are_counted_by_view(client, settings):
    settings.TIPS_LOOKUP_RATE = "1/10m"
    before = scrape(client)
    statuses = [client.get("/tips/", {"code": "T-AAAA-AAAA"}).status_code for _ in range(3)]
    assert statuses[1:] == [429, 429]
    after = scrape(client)
    view = "tips:lookup"
    assert (
        value(after, "piyao_rate_limit_refusals_total", view=view)
        - value(before, "piyao_rate_limit_refusals_total", view=view)
        == 2
    )


@pytest.mark.django_db
def test_reports_per_channel_and_screenshots_by_state_come_from_the_database(client):
    TipFactory.create_batch(3)
    TipFactory(channel=TipChannel.WECHAT, status="not_actionable")
    TipFactory(screenshot="tips/a.png", screenshot_reading=ScreenshotReading.PENDING)
    TipFactory(screenshot="tips/b.png", screenshot_reading=ScreenshotReading.FAILED)
    SightingFactory()
    SightingFactory(status="not_actionable")

    text = scrape(client)

    assert value(text, "piyao_reports_received_total", channel="web") == 5
    assert value(text, "piyao_reports_received_total", channel="wechat") == 1
    assert value(text, "piyao_reports_received_total", channel="inspection") == 2
    assert value(text, "piyao_reports_open", channel="web") == 5
    assert value(text, "piyao_reports_open", channel="wechat") == 0
    assert value(text, "piyao_reports_open", channel="inspection") == 1
    assert value(text, "piyao_tip_screenshots", reading="pending") == 1
    assert value(text, "piyao_tip_screenshots", reading="failed") == 1
    assert value(text, "piyao_tip_screenshots", reading="read") == 0


@pytest.mark.django_db
def test_the_queue_depth_and_the_age_of_the_oldest_waiting_task(client, database_queue):
    from .queue_tasks import fail_times

    assert value(scrape(client), "piyao_task_queue_depth", queue="default") == 0
    assert value(scrape(client), "piyao_task_queue_oldest_waiting_seconds", queue="default") == 0
    for number in range(3):
        fail_times.enqueue(f"/nonexistent/{number}", 0)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=5))
    later = fail_times.enqueue("/nonexistent/later", 0)
    DBTaskResult.objects.filter(pk=later.id).update(run_after=timezone.now() + timedelta(hours=1))  # not due

    text = scrape(client)

    assert value(text, "piyao_task_queue_depth", queue="default") == 3
    assert 299 <= value(text, "piyao_task_queue_oldest_waiting_seconds", queue="default") < 400
    assert value(text, "piyao_task_queue_depth", queue="checks") == 0
    assert value(text, "piyao_tasks", queue="default", state="running") == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("address", "forwarded", "proxies", "allowed", "status"),
    [
        ("10.1.2.3", None, 0, ["127.0.0.1", "::1"], 403),
        ("10.1.2.3", None, 0, ["10.1.0.0/16"], 200),
        ("::1", None, 0, ["127.0.0.1", "::1"], 200),
        # Behind the proxy the client is the address it appended, not the proxy's own.
        ("127.0.0.1", "198.51.100.7", 1, ["127.0.0.1", "::1"], 403),
        ("127.0.0.1", "10.1.2.3", 1, ["10.1.0.0/16"], 200),
        # A forged entry left of the proxy's does not count.
        ("127.0.0.1", "127.0.0.1, 198.51.100.7", 1, ["127.0.0.1"], 403),
        ("127.0.0.1", None, 0, [], 403),
    ],
)
def test_only_the_configured_addresses_may_read_the_metrics(
    client, settings, address, forwarded, proxies, allowed, status
):
    import ipaddress

    settings.TRUSTED_PROXY_COUNT = proxies
    settings.METRICS_ALLOWED_ADDRESSES = [ipaddress.ip_network(item) for item in allowed]
    headers = {"REMOTE_ADDR": address, **({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})}
    response = client.get("/metrics", **headers)
    assert response.status_code == status
    if status == 403:
        assert "piyao_" not in response.content.decode()


@pytest.mark.parametrize(
    ("text", "networks"),
    [
        ("127.0.0.1,::1", ["127.0.0.1/32", "::1/128"]),
        (" 10.0.0.0/8 , 192.0.2.7 ", ["10.0.0.0/8", "192.0.2.7/32"]),
        ("", []),
    ],
)
def test_the_allowed_addresses_setting_reads_addresses_and_networks(monkeypatch, text, networks):
    monkeypatch.setenv("METRICS_ALLOWED_ADDRESSES", text)
    assert [str(network) for network in env_networks("METRICS_ALLOWED_ADDRESSES", [])] == networks


@pytest.mark.parametrize("text", ["localhost", "10.0.0.5/24", "10.0.0.0/33", "127.0.0.1;::1", "*"])
def test_the_allowed_addresses_setting_refuses_anything_unclear(monkeypatch, text):
    monkeypatch.setenv("METRICS_ALLOWED_ADDRESSES", text)
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_ADDRESSES"):
        env_networks("METRICS_ALLOWED_ADDRESSES", [])


# --- Several processes, for real ---------------------------------------------------------------------

on_sqlite_run = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="runs once, in the suite's SQLite run (the servers use a SQLite file of their own either way)",
)

QUEUE_A_SCREENSHOT = """
from django.core.files.base import ContentFile
from benchmarks import wechat_screens
from core.storage import private_storage
from tips.intake.receive import queue_screenshot_reading
from tips.models import Tip
from django.db import transaction
picture = wechat_screens.encoded(wechat_screens.chat("明天起全市地铁停运三天。", width=375, height=667))
name = private_storage().save("tips/2026/01/metrics.png", ContentFile(picture))
with transaction.atomic():
    tip = Tip.objects.create(code="T-METR-1CS0", text="see", screenshot=name, screenshot_reading="pending")
    queue_screenshot_reading(tip.pk)
"""


@pytest.mark.subprocess
@on_sqlite_run
def test_the_counts_of_every_worker_and_of_the_task_worker_are_added_up(tmp_path):
    """Two gunicorn workers share 40 requests, a task worker reads a screenshot: one page has it all."""
    environment = site_environment(
        tmp_path / "site", WEB_CONCURRENCY="2", METRICS_DIR=str(tmp_path / "metrics"), LOG_LEVEL="WARNING"
    )
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=environment, check=True)
    subprocess.run([*manage, "shell", "-c", QUEUE_A_SCREENSHOT], cwd=REPO, env=environment, check=True)
    server, base = start_gunicorn(environment, log_path=tmp_path / "gunicorn.log")
    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(lambda _: fetch(base + "/robots.txt")[0], range(40)))
        assert statuses == [200] * 40
        worker = subprocess.run(
            [*manage, "run_worker", "--batch", "-v0"], cwd=REPO, env=environment, capture_output=True, text=True
        )
        assert worker.returncode == 0, worker.stderr
        status, text = fetch(base + "/metrics")
    finally:
        stop_gunicorn(server)
    assert status == 200
    # A folder for the gunicorn master's tree (its workers' files in it), one for the task worker's.
    folders = {folder.name for folder in (tmp_path / "metrics").iterdir()}
    assert str(server.pid) in folders, folders
    assert len(folders) == 2, folders
    assert value(text, "piyao_http_requests_total", view="robots_txt", method="GET", status="200") == 40
    hits = value(text, "piyao_page_cache_requests_total", result="hit")
    assert hits + value(text, "piyao_page_cache_requests_total", result="miss") == 40
    assert hits >= 30
    reading = "read" if value(text, "piyao_screenshot_readings_total", outcome="read") else "unavailable"
    assert value(text, "piyao_screenshot_readings_total", outcome=reading) == 1
    assert value(text, "piyao_screenshot_reading_seconds_count") == 1
    assert value(text, "piyao_task_queue_depth", queue="default") == 0
    assert value(text, "piyao_tip_screenshots", reading=reading) == 1
    assert value(text, "piyao_reports_received_total", channel="web") == 1
