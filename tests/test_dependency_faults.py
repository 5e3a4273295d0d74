"""Fault injection through the real thing: gunicorn with the repository's configuration (and, where the
fault is the queue's, a real task worker) on a SQLite file of its own, while a dependency fails.

- the shared Redis is killed: no report is lost, nothing answers 500, one warning per worker;
- a picture that held the OCR worker for minutes: its reading stops at its bound and says "could not be
  read", the next picture is read, and one address cannot fill the checks' queue;
- SQLite's write lock is held past the busy timeout while readers' beacons and a WeChat message arrive:
  beacons and cached pages are answered at once, WeChat gets its reply with the tip's code, and the
  views and the tip are stored once the lock is gone.

The SQLite file moved away is in tests/test_faults.py. These start servers of their own whatever the
suite's database, so they run once, in the suite's SQLite run. Timings are not asserted here: the
benchmark (benchmarks/dependency_faults.py) measures them.
"""

import contextlib
import io
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.db import connections

from benchmarks import wechat_screens

from .servers import REPO, import_records, prepare, redis_server, site_environment, start_gunicorn, stop_gunicorn
from .test_screenshot_failures import random_dots
from .test_screenshots import needs_ocr
from .wechat_simulator import ACCOUNT, TOKEN, WeChat

pytestmark = [
    pytest.mark.skipif(
        connections["default"].vendor != "sqlite",
        reason="runs once, in the suite's SQLite run (the servers use a SQLite file of their own either way)",
    ),
    pytest.mark.subprocess,
]

TIP = "群里说明天全市停水三天，大家赶紧囤水！"
CODE = re.compile(r"T-[0-9A-Z]{4}-[0-9A-Z]{4}")
# Matches no clarification, so it becomes a tip.
WECHAT_TIP = "朋友圈里说下周起全市地铁停运一个月，真的吗？"
CLARIFICATION = (
    '{"external_id": "water", "title": "全市停水三天系谣言", "claim": "明天起全市停水三天", "verdict": "false", '
    '"truth": "只是部分街道例行检修。", "language": "zh-hans", "status": "published", '
    '"published_at": "2025-01-01T10:00:00+08:00"}'
)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A data folder migrated once, its static files collected, with one public clarification: each site
    below starts from a copy."""
    data_dir = tmp_path_factory.mktemp("migrated")
    environment = environment_of(data_dir)
    prepare(data_dir, environment)
    import_records(environment, CLARIFICATION)
    return data_dir


def environment_of(data_dir, **extra):
    return site_environment(
        data_dir, WECHAT_TOKEN=TOKEN, WECHAT_ACCOUNT_ID=ACCOUNT, TIPS_RATE="100/m", LOG_LEVEL="WARNING", **extra
    )


@contextlib.contextmanager
def site(data_dir, migrated, **extra):
    """gunicorn (production settings) on a copy of the migrated data folder."""
    shutil.copytree(migrated, data_dir)
    environment = environment_of(data_dir, **extra)
    log = data_dir / "gunicorn.log"
    process, base = start_gunicorn(environment, log_path=log)
    process.base, process.environment, process.log_path = base, environment, log
    try:
        yield process
    finally:
        stop_gunicorn(process)


@pytest.fixture(scope="module")
def locked_out_site(tmp_path_factory, migrated):
    """Two workers of four threads, a 4 s busy timeout, readings bounded to 4 s of CPU, one proxy in front."""
    with site(
        tmp_path_factory.mktemp("sites") / "locked-out",
        migrated,
        WEB_CONCURRENCY="2",
        GUNICORN_THREADS="4",
        SQLITE_BUSY_TIMEOUT="4",
        VIEWS_FLUSH_SECONDS="1",
        TRUSTED_PROXY_COUNT="1",
        # The CPU bound: a busy machine slows every reading's wall-clock time, not its CPU time.
        OCR_TIMEOUT_SECONDS="120",
        OCR_CPU_SECONDS="4",
        SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT="2",
    ) as server:
        yield server


def database(server):
    return sqlite3.connect(server.environment["DATA_DIR"] + "/db.sqlite3", timeout=30)


def stored(server, sql, parameters=()):
    with contextlib.closing(database(server)) as connection:
        return connection.execute(sql, parameters).fetchone()[0]


def clarification_id(server):
    return stored(server, "SELECT id FROM clarifications_clarification WHERE external_id = 'water'")


def form_post(server, path, data, files=None, headers=None):
    """A form's POST as a browser sends it: the form first, for its CSRF token and cookie."""
    session = requests.Session()
    form = session.get(server.base + path, headers=headers, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = {**data, "csrfmiddlewaretoken": token}
    return session.post(server.base + path, data=data, files=files, headers=headers, timeout=60, allow_redirects=False)


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


class HttpClient:
    """What tests/wechat_simulator.py's WeChat needs of a client, over HTTP."""

    def __init__(self, base):
        self.base = base

    def post(self, path, data, content_type):
        return requests.post(self.base + path, data=data.encode(), headers={"Content-Type": content_type}, timeout=30)


def wait_until(condition, seconds=60, step=0.3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(step)
    raise AssertionError(f"still not true after {seconds} s")


# --- 1. Redis killed ------------------------------------------------------------------------------


def test_with_its_redis_killed_the_site_loses_no_report_and_answers_no_500(tmp_path, migrated):
    redis = redis_server(tmp_path)
    try:
        with site(tmp_path / "site", migrated, REDIS_URL=redis.url, WEB_CONCURRENCY="1") as server:
            pk = clarification_id(server)
            assert requests.get(f"{server.base}/clarifications/{pk}/", timeout=30).status_code == 200
            redis.kill()

            tip = form_post(server, "/en/tips/new/", {"text": TIP, "platform": "weibo"})
            status = requests.get(server.base + tip.headers["Location"], timeout=30)
            check = form_post(
                server,
                "/en/check/",
                {},
                files={"screenshot": ("chat.png", png(wechat_screens.chat(TIP)), "image/png")},
            )
            reply = WeChat(HttpClient(server.base)).text(WECHAT_TIP)
            beacon = requests.post(f"{server.base}/clarifications/{pk}/seen", timeout=30)
            api = requests.get(f"{server.base}/api/clarifications/", timeout=30)
            page = requests.get(f"{server.base}/clarifications/{pk}/", timeout=30)
            health = requests.get(f"{server.base}/healthz", timeout=30)
            log = server.log_path.read_text()
    finally:
        if redis.process.poll() is None:
            redis.kill()
    assert (tip.status_code, status.status_code, check.status_code) == (302, 200, 302)
    assert reply.status == 200
    assert CODE.search(reply.text)
    assert (beacon.status_code, api.status_code, page.status_code) == (204, 200, 200)
    assert stored(server, "SELECT count(*) FROM tips_tip WHERE text = ?", [TIP]) == 1
    # The tip limit counted in the database meanwhile.
    assert stored(server, "SELECT count(*) FROM core_ratelimitcounter WHERE key LIKE 'ratelimit:tips:%'") >= 1
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["cache"]["state"] == "down"
    assert "Traceback" not in log
    # One worker, one outage: one warning, not one per request.
    assert log.count("Shared cache unreachable") == 1


# --- 2. A picture that would hold the OCR worker for minutes ------------------------------------


def test_a_picture_that_would_take_minutes_is_bounded_and_one_address_cannot_fill_the_queue(locked_out_site):
    needs_ocr()
    server = locked_out_site

    def check(picture, address):
        files = {"screenshot": ("screenshot.png", picture, "image/png")}
        return form_post(server, "/en/check/", {}, files=files, headers={"X-Forwarded-For": address})

    # Less than half the 3000 x 3300 picture, still 21 s of CPU for the engine: five times the bound.
    dots = check(png(random_dots(2000, 2200)), "203.0.113.1")
    chat = check(png(wechat_screens.chat(TIP)), "203.0.113.1")
    third = check(png(wechat_screens.chat(TIP)), "203.0.113.1")
    other = check(png(wechat_screens.chat(TIP)), "203.0.113.2")
    assert (dots.status_code, chat.status_code, third.status_code, other.status_code) == (302, 302, 429, 302)
    assert "You already have 2 screenshots waiting to be read." in third.text

    worker = subprocess.Popen(  # the queue's worker, as make run starts it
        [sys.executable, str(REPO / "manage.py"), "run_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=REPO,
        env=server.environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for response in (dots, chat, other):
            progress = server.base + response.headers["Location"] + "?progress"
            wait_until(lambda url=progress: requests.get(url, timeout=30).json()["done"], seconds=120)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    dots_page = requests.get(server.base + dots.headers["Location"], timeout=30).text
    chat_page = requests.get(server.base + chat.headers["Location"], timeout=30).text
    pictures_left = list((Path(server.environment["DATA_DIR"]) / "private" / "checks").glob("*"))
    assert "This picture could not be read." in dots_page
    assert "Your picture has been deleted" in dots_page
    assert "What we read in it" in chat_page
    # The picture that could not be read is gone; the two read ones stay an hour, for "report it".
    assert len(pictures_left) == 2, pictures_left


# --- 4. SQLite's write lock held while beacons and a WeChat message arrive ----------------------


def test_beacons_cached_pages_and_wechat_do_not_wait_for_a_held_write_lock(locked_out_site):
    server = locked_out_site
    pk = clarification_id(server)
    page_url = f"{server.base}/clarifications/{pk}/"
    for _ in range(6):  # every worker has the page cached
        assert requests.get(page_url, timeout=30).status_code == 200

    locker = sqlite3.connect(server.environment["DATA_DIR"] + "/db.sqlite3")
    locker.isolation_level = None
    locker.execute("BEGIN IMMEDIATE")
    locked_at = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=24) as clients:
            beacons = [
                clients.submit(requests.post, f"{server.base}/clarifications/{pk}/seen", timeout=60) for _ in range(24)
            ]
            time.sleep(0.5)
            pages = [requests.get(page_url, timeout=60) for _ in range(3)]
            reply = WeChat(HttpClient(server.base)).text(WECHAT_TIP)
            statuses = [beacon.result().status_code for beacon in beacons]
        # Held longer than the site's busy timeout: a write that waited for it in a request failed.
        time.sleep(max(0.0, 5 - (time.monotonic() - locked_at)))
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    code = CODE.search(reply.text or "")

    assert statuses == [204] * 24
    assert [page.status_code for page in pages] == [200] * 3
    assert reply.status == 200, reply.body
    assert code, reply.body
    # Once the lock is gone the kept message is stored under the code it was given, and the views counted.
    wait_until(lambda: stored(server, "SELECT count(*) FROM tips_tip WHERE code = ?", [code.group()]), 30)
    wait_until(lambda: stored(server, "SELECT coalesce(sum(views), 0) FROM clarifications_dailyviews") == 24, 30)
    assert requests.get(f"{server.base}/tips/{code.group()}/", timeout=30).status_code == 200
