"""This repository's gunicorn on a free local port, for the tests that need a real server (several worker
processes, production settings) rather than Django's test client; the benchmarks import it too."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url, timeout=30):
    """Status and body of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a local server of ours)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_gunicorn(environment, *, log_path=None, ready_path="/healthz", timeout=60):
    """Start gunicorn with the repo's gunicorn.conf.py; returns (process, base URL) once it answers."""
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed in stop_gunicorn)
    process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")],
        cwd=REPO,
        env={**environment, "BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path or 'its output'}")
        try:
            if fetch(base_url + ready_path, timeout=5)[0] == 200:
                return process, base_url
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_gunicorn(process)
            raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {log_path or 'its output'}")
        time.sleep(0.2)


def stop_gunicorn(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    if process.log is not subprocess.DEVNULL:
        process.log.close()


def site_environment(data_dir, **extra):
    """The environment of a production-like site in ``data_dir``: SQLite, no Redis, plain HTTP on 127.0.0.1."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "GUNICORN_ACCESS_LOG": os.devnull,
            "LOG_LEVEL": "ERROR",
            **extra,
        }
    )
    return environment


def prepare(data_dir, env):
    """Migrate and collect static files into a fresh DATA_DIR (once per data folder)."""
    manage = [sys.executable, str(REPO / "manage.py")]
    # Fixed commands of this repository, no outside input (hence the noqa).
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)  # noqa: S603
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)  # noqa: S603


# Renames a clarification from a separate process, as an editor's save in the admin would, and prints
# the moment the change was committed.
RENAME = """
import time
from clarifications.models import Clarification
clarification = Clarification.objects.get(external_id={external_id!r})
clarification.title = {title!r}
clarification.save()
print(time.time())
"""


def rename_clarification(environment, external_id, title):
    """Rename a clarification through the models in a process of its own; returns the commit time."""
    output = subprocess.run(  # noqa: S603 (our own manage.py, fixed code)
        [sys.executable, str(REPO / "manage.py"), "shell", "-c", RENAME.format(external_id=external_id, title=title)],
        cwd=REPO,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.split()[-1])


def publish_delay(url, publish, old_text, *, connections=4, watch_seconds=2.0):
    """How long the old page was still served after a change: seconds from ``publish()`` (which makes
    the change and returns its commit time) to the start of the last request that still got
    ``old_text``, with ``connections`` clients asking all the time (so every worker answers); 0.0 if
    none did. Also returns the number of requests made."""
    stop = threading.Event()
    seen = []

    def ask():
        while not stop.is_set():
            started = time.time()
            status, html = fetch(url, timeout=10)
            seen.append((started, status == 200 and old_text in html))

    clients = [threading.Thread(target=ask) for _ in range(connections)]
    for client in clients:
        client.start()
    try:
        committed = publish()
        time.sleep(max(0.0, committed + watch_seconds - time.time()))
    finally:
        stop.set()
        for client in clients:
            client.join()
    stale = [started - committed for started, old in seen if old and started >= committed]
    return max(stale, default=0.0), len(seen)


def import_records(environment, lines):
    """Import JSON Lines into the site of ``environment`` with its own command, in a process of its own."""
    subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, str(REPO / "manage.py"), "import_clarifications", "-"],
        input=lines,
        text=True,
        cwd=REPO,
        env=environment,
        check=True,
        capture_output=True,
    )


class RedisServer:
    """A throwaway redis-server on a free port, which a test may kill (for real) and start again."""

    def __init__(self, binary, directory):
        self.binary, self.directory, self.port = binary, directory, free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        self.process = subprocess.Popen(  # noqa: S603 (the installed redis-server, fixed arguments)
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        connection = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                connection.ping()
                return connection
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)


def redis_server(directory):
    """A Redis server of the test's own on a free port, started; skips (fails under CI) without redis-server."""
    import pytest

    binary = shutil.which("redis-server")
    if not binary:
        message = "redis-server is not installed (Debian: apt-get install redis-server); the outage tests need it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(binary, directory)
    server.start()
    return server
