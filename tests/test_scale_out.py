"""Scaled out, for real, with faults: two app servers (gunicorn on ports of their own) and two task workers
share one PostgreSQL database and one Redis, behind nginx (deploy/nginx.conf) balancing the two.

Four citizens send 200 tips with screenshots through nginx. Meanwhile one app server is killed
(SIGKILL, between two of their requests: see below) and started again, and one task worker is killed
in the middle of reading a screenshot and started again, as systemd would (deploy/systemd/). Then:
every tip is stored once, every screenshot read once (one task per tip, one attempt each but the one
whose worker died), and a publish shows on both app servers within a second.

The app server is killed while no request of the citizens is in flight there: a tip in flight at that
moment gets a 502 from nginx and its citizen cannot tell whether it was stored (sending it again could
store it twice). nginx sends what arrives meanwhile to the other server, including forms (POST),
since the dead one refuses the connection before anything is sent.

It needs PostgreSQL (it runs in the suite's PostgreSQL run, in a throwaway database next to the
suite's), redis-server and nginx; it is marked slow (about a minute).
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings as django_settings

from benchmarks import wechat_screens

from .servers import (
    NGINX,
    REPO,
    NginxProxy,
    RedisServer,
    fetch,
    free_port,
    import_records,
    prepare,
    rename_clarification,
    start_gunicorn,
    stop_gunicorn,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: it runs in the suite's PostgreSQL run (DATABASE_URL=postgres://...)",
    ),
    pytest.mark.subprocess,
]

TIPS = 200
CITIZENS = 4
STALLED_AFTER = 6  # TASK_STALLED_AFTER_SECONDS: a killed worker's task is queued again after this
PROXY = {"X-Forwarded-Proto": "https"}
RECORD = (
    '{"external_id": "scale-1", "title": "扩容前的标题", "claim": "c", "verdict": "false", "truth": "t", '
    '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
)


def tool_or_fail(name, path):
    if not path:
        message = f"{name} is not installed (Debian: apt-get install {name}); the scale-out test needs it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def database():
    """A throwaway PostgreSQL database on the suite's server, dropped at the end."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    name = f"piyao_scale_out_{secrets.token_hex(4)}"
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Cluster:
    """Two app servers, two workers, nginx, Redis; each one can be killed and started again."""

    def __init__(self, root, database_url, redis_url):
        self.root, self.data = root, root / "data"
        self.data.mkdir()
        self.environment = {
            **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DATA_DIR": str(self.data),
            "SECRET_KEY": secrets.token_urlsafe(40),
            "DEBUG": "false",
            "HTTPS": "true",
            "TRUST_PROXY_SSL_HEADER": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "WEB_CONCURRENCY": "1",
            "TIPS_RATE": "1000/1m",
            "TASK_STALLED_AFTER_SECONDS": str(STALLED_AFTER),
            "LOG_LEVEL": "INFO",
        }
        self.ports = [free_port(), free_port()]
        self.servers = [None, None]
        self.workers = {}
        self.proxy = None

    def server_environment(self, number):
        return {**self.environment, "METRICS_DIR": str(self.root / f"metrics-{number}")}

    def start_server(self, number):
        log = self.root / f"app-{number}.log"
        self.servers[number], _ = start_gunicorn(self.server_environment(number), log_path=log, port=self.ports[number])

    def kill_server(self, number):
        os.killpg(self.servers[number].pid, signal.SIGKILL)
        self.servers[number].wait(timeout=10)
        self.servers[number].log.close()

    def start_worker(self, name):
        log = open(self.root / f"worker-{name}.log", "ab")  # noqa: SIM115 (closed when the worker stops)
        command = ["run_worker", "--interval", "0.2", "--no-startup-delay", "--worker-id", name]
        process = subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), *command],
            cwd=REPO,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        self.workers[name] = process

    def kill_worker(self, name):
        self.workers[name].kill()
        self.workers[name].wait(timeout=10)

    def stop(self):
        if self.proxy is not None:
            self.proxy.stop()
        for process in self.servers:
            if process is not None and process.poll() is None:
                stop_gunicorn(process)
        for process in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            process.log.close()


class Citizens:
    """Four citizens sending tips with screenshots through nginx; they can be paused between tips."""

    def __init__(self, proxy, pictures):
        self.proxy, self.pictures = proxy, pictures
        self.sent, self.errors = [], []
        self.lock = threading.Lock()
        self.going = threading.Event()
        self.going.set()
        self.in_flight = 0

    def run(self, start, count):
        session = requests.Session()
        for number in range(start, start + count):
            text = f"第{number:03d}号线索：群里说明天全市地铁停运三天，是真的吗？"
            while True:
                self.going.wait()
                with self.lock:
                    if not self.going.is_set():
                        continue
                    self.in_flight += 1
                try:
                    status = self.send(session, text, number)
                finally:
                    with self.lock:
                        self.in_flight -= 1
                if status == 302:
                    break
                self.errors.append((number, status))
                time.sleep(0.2)
            with self.lock:
                self.sent.append(text)

    def send(self, session, text, number):
        try:
            # The certificate per request: a session's own setting gives way to REQUESTS_CA_BUNDLE.
            verify = str(self.proxy.certificate)
            form = session.get(f"{self.proxy.https}/tips/new/", timeout=30, verify=verify)
            if form.status_code != 200:
                return form.status_code
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            response = session.post(
                f"{self.proxy.https}/tips/new/",
                data={"csrfmiddlewaretoken": token, "text": text, "platform": "wechat_group"},
                files={"screenshot": (f"screen-{number}.png", self.pictures[number % len(self.pictures)], "image/png")},
                headers={"Referer": f"{self.proxy.https}/tips/new/"},
                allow_redirects=False,
                timeout=30,
                verify=verify,
            )
            return response.status_code
        except requests.RequestException as error:
            return f"{type(error).__name__}: {error}"[:300]

    def pause(self):
        """Wait until no tip is in flight, and send no new one until ``resume``."""
        with self.lock:
            self.going.clear()
        while True:
            with self.lock:
                if self.in_flight == 0:
                    return
            time.sleep(0.01)

    def resume(self):
        self.going.set()


def query(database_url, sql, *parameters):
    import psycopg

    with psycopg.connect(database_url) as connection:
        return connection.execute(sql, parameters).fetchall()


def wait_for(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, message() if callable(message) else message
        time.sleep(0.2)
    return value


def test_tips_survive_a_killed_app_server_and_a_killed_worker(tmp_path, database):
    tool_or_fail("nginx", NGINX)
    tool_or_fail("redis-server", shutil.which("redis-server"))
    from tips.intake import ocr

    reading = "read" if ocr.status().available else "unavailable"
    redis = RedisServer(shutil.which("redis-server"), tmp_path)
    redis.start()
    cluster = Cluster(tmp_path, database, redis.url)
    try:
        prepare(cluster.data, cluster.environment)
        import_records(cluster.environment, RECORD)
        for number in (0, 1):
            cluster.start_server(number)
        for name in ("w1", "w2"):
            cluster.start_worker(name)
        addresses = [f"127.0.0.1:{port}" for port in cluster.ports]
        cluster.proxy = NginxProxy(tmp_path / "nginx", upstreams=addresses, data_dir=cluster.data)
        (tmp_path / "nginx").mkdir()
        cluster.proxy.start()

        pictures = [
            wechat_screens.encoded(wechat_screens.chat(f"明天起全市地铁停运{days}天。", width=300, height=220))
            for days in range(2, 6)
        ]
        citizens = Citizens(cluster.proxy, pictures)
        share = TIPS // CITIZENS
        threads = [threading.Thread(target=citizens.run, args=(n * share, share)) for n in range(CITIZENS)]
        for thread in threads:
            thread.start()

        # A task worker dies in the middle of reading a screenshot ...
        killed_task = wait_for(
            lambda: query(
                database,
                "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' AND worker_ids ? 'w1'",
            ),
            60,
            lambda: f"worker w1 never started reading a screenshot; sent {len(citizens.sent)}, {citizens.errors[:3]}",
        )[0][0]
        cluster.kill_worker("w1")
        killed_at = time.monotonic()
        # ... and one app server, once a quarter of the tips are in.
        wait_for(lambda: len(citizens.sent) >= TIPS // 4, 120, "the tips do not arrive")
        citizens.pause()
        cluster.kill_server(0)
        citizens.resume()
        wait_for(lambda: len(citizens.sent) >= TIPS // 2, 120, "no tips arrive while an app server is down")
        cluster.start_server(0)
        # The worker comes back once its task counts as stalled, and queues it again.
        time.sleep(max(0.0, killed_at + STALLED_AFTER + 1 - time.monotonic()))
        cluster.start_worker("w1")
        for thread in threads:
            thread.join(timeout=300)
        assert len(citizens.sent) == TIPS, citizens.errors

        def pending():
            return query(
                database,
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')",
            )[0][0]

        wait_for(lambda: pending() == 0, 240, lambda: f"{pending()} screenshots still waiting to be read")

        # Every tip stored once.
        stored = dict(query(database, "SELECT text, count(*) FROM tips_tip GROUP BY text"))
        assert sorted(stored) == sorted(citizens.sent)
        assert set(stored.values()) == {1}
        # Every screenshot read once: one task per tip, each tried once, but the one whose worker died.
        readings = dict(query(database, "SELECT screenshot_reading, count(*) FROM tips_tip GROUP BY 1"))
        assert readings == {reading: TIPS}
        tasks = query(
            database,
            "SELECT (args_kwargs->'args'->>0)::int, status, jsonb_array_length(worker_ids), id "
            "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
            "%read_tip_screenshot",
        )
        tip_ids = {tip_id for (tip_id,) in query(database, "SELECT id FROM tips_tip")}
        assert sorted(task[0] for task in tasks) == sorted(tip_ids)
        assert {task[1] for task in tasks} == {"SUCCESSFUL"}
        attempts = {task[3]: task[2] for task in tasks}
        assert attempts.pop(killed_task) == 2
        assert set(attempts.values()) == {1}

        # A publish shows through both app servers within a second.
        committed = rename_clarification(cluster.environment, "scale-1", "扩容后的标题")
        seen = {}
        while len(seen) < 2 and time.time() < committed + 5:
            for number, port in enumerate(cluster.ports):
                if (
                    number not in seen
                    and "扩容后的标题" in fetch(f"http://127.0.0.1:{port}/clarifications/", headers=PROXY)[1]
                ):
                    seen[number] = time.time() - committed
        assert len(seen) == 2, seen
        assert max(seen.values()) < 1.0, seen
        print(
            f"\n{TIPS} tips stored once each, {len(tasks)} screenshots {reading} (the killed task on its "
            f"second attempt), {len(citizens.errors)} sending errors retried, publish seen after "
            f"{max(seen.values()):.2f} s"
        )
    finally:
        cluster.stop()
        redis.kill()
