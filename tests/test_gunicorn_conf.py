"""gunicorn's checked-in settings follow the site's own: forwarded headers and slow clients."""

import contextlib
import runpy
import socket
import subprocess
import sys
import time
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
def server(tmp_path_factory):
    """The repository's gunicorn (two workers, a one-second header deadline) on a SQLite file of its own."""
    data_dir = tmp_path_factory.mktemp("gunicorn")
    # The test settings serve static files without collectstatic; the rest is production.
    environment = site_environment(
        data_dir, WEB_CONCURRENCY="2", GUNICORN_HEADER_TIMEOUT="1", DJANGO_SETTINGS_MODULE="config.settings_test"
    )
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, env=environment, cwd=CONF.parent, check=True)
    process, base = start_gunicorn(environment, log_path=data_dir / "gunicorn.log")
    yield base
    stop_gunicorn(process)


@on_sqlite_run
def test_gunicorn_does_not_take_a_forwarded_scheme_from_a_client_when_no_proxy_is_trusted(server):
    page = requests.get(server + "/en/", headers={"X-Forwarded-Proto": "https"}, timeout=10).text
    assert 'rel="canonical" href="http://127.0.0.1' in page
    assert "https://127.0.0.1" not in page


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
