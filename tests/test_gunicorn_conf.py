"""gunicorn's checked-in settings follow the site's own: forwarded headers and slow clients."""

import contextlib
import runpy
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from django.db import connections

from .servers import fetch, site_environment, start_gunicorn, stop_gunicorn

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def gunicorn_settings(monkeypatch, **environ):
    for name in ("TRUST_PROXY_SSL_HEADER", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_without_a_trusted_proxy_gunicorn_believes_no_forwarded_scheme(monkeypatch):
    assert gunicorn_settings(monkeypatch)["forwarded_allow_ips"] == ""
    assert gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="false")["forwarded_allow_ips"] == ""


def test_with_a_trusted_proxy_gunicorn_believes_the_proxys_address(monkeypatch):
    assert gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="true")["forwarded_allow_ips"] == "127.0.0.1"
    configured = gunicorn_settings(monkeypatch, TRUST_PROXY_SSL_HEADER="true", FORWARDED_ALLOW_IPS="10.0.0.5")
    assert configured["forwarded_allow_ips"] == "10.0.0.5"


on_sqlite_run = pytest.mark.skipif(
    connections["default"].vendor != "sqlite",
    reason="runs once, in the suite's SQLite run (the server uses a SQLite file of its own either way)",
)


@pytest.fixture(scope="module")
def gunicorn_server(tmp_path_factory):
    """The repository's gunicorn (two workers, a one-second header deadline) on a SQLite file of its own."""
    data_dir = tmp_path_factory.mktemp("gunicorn")
    # The test settings serve static files without collectstatic; the rest is production.
    environment = site_environment(
        data_dir, WEB_CONCURRENCY="2", GUNICORN_HEADER_TIMEOUT="1", DJANGO_SETTINGS_MODULE="config.settings_test"
    )
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, env=environment, cwd=CONF.parent, check=True)
    process, base = start_gunicorn(environment, log_path=data_dir / "gunicorn.log")
    wait_for_workers(process, 2)
    yield process, base
    stop_gunicorn(process)


def wait_for_workers(process, number):
    """gunicorn answers as soon as its first worker is up; wait for the others too."""
    import psutil

    deadline = time.monotonic() + 30
    while len(psutil.Process(process.pid).children()) < number:
        assert time.monotonic() < deadline, "gunicorn did not start its workers"
        time.sleep(0.1)
    time.sleep(1)  # the last one's start-up


@pytest.fixture(scope="module")
def server(gunicorn_server):
    return gunicorn_server[1]


@pytest.mark.subprocess
@on_sqlite_run
def test_gunicorn_does_not_take_a_forwarded_scheme_from_a_client_when_no_proxy_is_trusted(server):
    page = requests.get(server + "/en/", headers={"X-Forwarded-Proto": "https"}, timeout=10).text
    assert 'rel="canonical" href="http://127.0.0.1' in page
    assert "https://127.0.0.1" not in page


@pytest.mark.subprocess
@on_sqlite_run
def test_slow_header_clients_neither_freeze_the_site_nor_stay_connected(server):
    """Four clients trickling their headers (as many as there are sync workers) against two workers."""
    host, port = server.removeprefix("http://").split(":")
    slow = [socket.create_connection((host, int(port)), timeout=10) for _ in range(4)]
    try:
        for connection in slow:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for second in range(4):
            for connection in slow:
                with contextlib.suppress(OSError):
                    connection.sendall(b"X")
            # The site answers meanwhile.
            assert fetch(server + "/healthz", timeout=10)[0] == 200, second
            time.sleep(1)
        # And the server has hung up on every slow client (a read returns nothing, or the reset).
        for connection in slow:
            connection.settimeout(10)
            with contextlib.suppress(ConnectionResetError):
                assert connection.recv(1024) == b""
    finally:
        for connection in slow:
            connection.close()


def held_by_workers(process, port):
    """How many established connections each gunicorn worker holds on ``port``, fewest first."""
    import psutil

    return sorted(
        sum(1 for socket_ in worker.net_connections("tcp") if socket_.laddr.port == port and socket_.raddr)
        for worker in psutil.Process(process.pid).children()
    )


def ask_on(connection):
    """One request on a kept-alive connection, opening it again if the server closed it."""
    import http.client

    for _attempt in range(3):
        try:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, body
            return
        except (http.client.HTTPException, OSError):
            connection.close()
    raise AssertionError("the server did not answer three times in a row")


@pytest.mark.subprocess
@on_sqlite_run
def test_persistent_connections_are_spread_over_the_workers(gunicorn_server):
    """16 kept-alive connections opened at once: each of the two workers holds about half of them, where
    a plain threaded worker took 15 or 16 of them in most runs."""
    import http.client

    process, base = gunicorn_server
    host, port = base.removeprefix("http://").split(":")
    connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(16)]
    try:
        for connection in connections:
            connection.connect()
        for connection in connections:
            ask_on(connection)
        # 8 each, or nearly; on a busy machine a worker too slow to take its share at once gets it
        # within a few requests (a connection closed to rebalance is not counted until it reopens).
        deadline = time.monotonic() + 15
        while min(held := held_by_workers(process, int(port))) < 6:
            assert time.monotonic() < deadline, f"still {held} connections per worker"
            for connection in connections:
                ask_on(connection)
            time.sleep(0.05)
    finally:
        for connection in connections:
            connection.close()
    assert sum(held) >= 12, held


@pytest.mark.subprocess
@on_sqlite_run
def test_kept_alive_connections_spread_again_when_a_worker_joins(gunicorn_server):
    """All 16 connections on one worker (the other was stopped, as a recycled worker is), then a new
    worker starts: the busy one closes connections one by one until the new one holds its share."""
    import http.client
    import signal

    import psutil

    process, base = gunicorn_server
    host, port = base.removeprefix("http://").split(":")
    master = psutil.Process(process.pid)
    connections = [http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(16)]
    try:
        process.send_signal(signal.SIGTTOU)  # one worker fewer
        deadline = time.monotonic() + 30
        while len(master.children()) > 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        for connection in connections:
            ask_on(connection)
        assert held_by_workers(process, int(port)) == [16]
        process.send_signal(signal.SIGTTIN)  # and one more again
        wait_for_workers(process, 2)
        deadline = time.monotonic() + 20
        while min(held := held_by_workers(process, int(port))) < 6:
            assert time.monotonic() < deadline, f"still {held} connections per worker"
            for connection in connections:
                ask_on(connection)
            time.sleep(0.05)
    finally:
        for connection in connections:
            connection.close()
    assert sum(held) >= 12, held


def test_behind_a_proxy_the_access_log_is_the_proxys(monkeypatch):
    for name in ("GUNICORN_ACCESS_LOG", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    assert gunicorn_settings(monkeypatch)["accesslog"] == "-"
    assert gunicorn_settings(monkeypatch, TRUSTED_PROXY_COUNT="0")["accesslog"] == "-"
    assert gunicorn_settings(monkeypatch, TRUSTED_PROXY_COUNT="1")["accesslog"] is None
    chosen = gunicorn_settings(monkeypatch, TRUSTED_PROXY_COUNT="1", GUNICORN_ACCESS_LOG="/var/log/piyao/access.log")
    assert chosen["accesslog"] == "/var/log/piyao/access.log"


@pytest.fixture(scope="module")
def recycling_server(tmp_path_factory):
    """Two workers recycled every 40 requests or so, as max_requests does every 50,000 in production."""
    data_dir = tmp_path_factory.mktemp("recycling")
    environment = site_environment(
        data_dir, WEB_CONCURRENCY="2", GUNICORN_MAX_REQUESTS="40", DJANGO_SETTINGS_MODULE="config.settings_test"
    )
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, env=environment, cwd=CONF.parent, check=True)
    process, base = start_gunicorn(environment, log_path=data_dir / "gunicorn.log")
    yield base
    stop_gunicorn(process)


@pytest.mark.subprocess
@on_sqlite_run
def test_no_connection_is_reset_while_workers_are_recycled(recycling_server):
    """Each worker's own socket is closed as soon as it stops accepting: none queued there is lost."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(_):
        try:
            # A new connection each time: new connections are what the kernel queues on a socket.
            return requests.get(recycling_server + "/healthz", timeout=10, headers={"Connection": "close"}).status_code
        except requests.ConnectionError as error:
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = Counter(pool.map(ask, range(1200)))
    assert outcomes == {200: 1200}
