"""Slow-header clients ("slowloris") against this repository's gunicorn: does the site still answer?

    .venv/bin/python benchmarks/slow_clients.py

Starts gunicorn on a fresh SQLite database twice, with sync workers and with the configured threaded
worker (same worker count), opens N connections that send their headers one byte a second, and
meanwhile asks for /healthz every half second. Prints, for each, how many of those answered within 5 s,
their median time, and how many slow connections the server had dropped when the run ended.
"""

import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.servers import fetch, site_environment, start_gunicorn, stop_gunicorn  # noqa: E402


def slow_client(base_url, seconds, dropped):
    host, port = base_url.removeprefix("http://").split(":")
    header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    try:
        with socket.create_connection((host, int(port)), timeout=5) as connection:
            deadline = time.monotonic() + seconds
            for byte in header:
                if time.monotonic() > deadline:
                    return
                connection.sendall(bytes([byte]))
                time.sleep(1)
    except OSError:
        dropped.append(1)


def measure(environment, *, slow, seconds):
    """(answered, asked, median seconds, dropped slow connections) while ``slow`` clients trickle."""
    with tempfile.TemporaryDirectory() as log_dir:
        migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
        subprocess.run(migrate, env=environment, cwd=REPO, check=True)  # noqa: S603
        server, base = start_gunicorn(environment, log_path=Path(log_dir) / "gunicorn.log")
        try:
            dropped = []
            clients = [
                threading.Thread(target=slow_client, args=(base, seconds, dropped), daemon=True) for _ in range(slow)
            ]
            for client in clients:
                client.start()
            time.sleep(1)
            times, answered, asked = [], 0, 0
            end = time.monotonic() + seconds - 2
            while time.monotonic() < end:
                asked += 1
                start = time.monotonic()
                try:
                    if fetch(base + "/healthz", timeout=5)[0] == 200:
                        answered += 1
                        times.append(time.monotonic() - start)
                except OSError:
                    pass
                time.sleep(0.5)
            for client in clients:
                client.join(timeout=seconds)
            return answered, asked, statistics.median(times) if times else float("nan"), len(dropped)
        finally:
            stop_gunicorn(server)


def main():
    seconds, workers = 20, 2
    for slow in (4, 32):
        for label, extra in (
            ("sync workers", {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_THREADS": "1"}),
            ("threaded, header deadline", {}),
        ):
            with tempfile.TemporaryDirectory() as data_dir:
                environment = site_environment(data_dir, WEB_CONCURRENCY=str(workers), **extra)
                answered, asked, median, dropped = measure(environment, slow=slow, seconds=seconds)
            print(
                f"{slow:3} slow clients, {workers} {label:26}: /healthz answered {answered}/{asked} within 5 s, "
                f"median {median * 1000:6.1f} ms; slow connections dropped by the server: {dropped}/{slow}"
            )


if __name__ == "__main__":
    main()
