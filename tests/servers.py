"""This repository's gunicorn on a free local port, for the tests that need a real server (several worker
processes, production settings) rather than Django's test client; the benchmarks import it too."""

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
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


def fetch(url, timeout=30, headers=None):
    """Status and body of a GET, whatever the status."""
    try:
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (a local server of ours)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (a local server of ours)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def start_gunicorn(environment, *, log_path=None, ready_path="/healthz", timeout=60, port=None):
    """Start gunicorn with the repo's gunicorn.conf.py; returns (process, base URL) once it answers."""
    port = port or free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (closed in stop_gunicorn)
    process = subprocess.Popen(
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


def python(environment, *arguments, check=True, input=None):
    """This interpreter with ``arguments`` in a process of its own, in the repository with ``environment``;
    the completed process, its output as text. With ``check``, a failure raises, showing the output."""
    result = subprocess.run(
        [sys.executable, *arguments], cwd=REPO, env=environment, capture_output=True, text=True, input=input
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def manage(environment, *arguments, check=True, input=None):
    """``manage.py`` with ``arguments`` in a process of its own (see ``python``)."""
    return python(environment, str(REPO / "manage.py"), *arguments, check=check, input=input)


def prepare(data_dir, env):
    """Migrate and collect static files into a fresh DATA_DIR (once per data folder)."""
    manage = [sys.executable, str(REPO / "manage.py")]
    # Fixed commands of this repository, no outside input (hence the noqa).
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True)


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
    output = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "shell", "-c", RENAME.format(external_id=external_id, title=title)],
        cwd=REPO,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.split()[-1])


def publish_delay(url, publish, old_text, *, connections=4, watch_seconds=2.0, headers=None):
    """How long the old page was still served after a change: seconds from ``publish()`` (which makes
    the change and returns its commit time) to the start of the last request that still got
    ``old_text``, with ``connections`` clients asking all the time (so every worker answers); 0.0 if
    none did. Also returns the number of requests made."""
    stop = threading.Event()
    seen = []

    def ask():
        while not stop.is_set():
            started = time.time()
            status, html = fetch(url, timeout=10, headers=headers)
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
    subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "import_clarifications", "-"],
        input=lines,
        text=True,
        cwd=REPO,
        env=environment,
        check=True,
        capture_output=True,
    )


# --- nginx with deploy/nginx.conf ------------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


class NginxProxy:
    """Debian's nginx with this repository's deploy/nginx.conf, as an ordinary process in ``root``.

    The file is adapted only where a machine's details go: the host name, a self-signed certificate
    made here, the ports, ``DATA_DIR``, the app servers of the upstream, the cache folder, and the
    journal's syslog socket (a file in ``root`` instead). ``page_cache=False`` takes out the optional
    one-second page cache, so that every request reaches the app servers.
    """

    def __init__(self, root, *, upstreams, data_dir, host="localhost", page_cache=True, processes=1):
        self.root, self.upstreams, self.data_dir, self.host = Path(root), list(upstreams), Path(data_dir), host
        self.page_cache, self.processes = page_cache, processes
        self.http_port, self.https_port = free_port(), free_port()
        self.certificate, self.key = self.root / "cert.pem", self.root / "key.pem"
        self.error_log = self.root / "nginx-error.log"
        self.access_log = self.root / "nginx-access.log"
        self.process = None
        self.context = None

    @property
    def https(self):
        return f"https://{self.host}:{self.https_port}"

    def site_configuration(self):
        site = (REPO / "deploy" / "nginx.conf").read_text()
        replacements = {
            "piyao.example.org": self.host,
            "/etc/ssl/piyao/fullchain.pem": str(self.certificate),
            "/etc/ssl/piyao/privkey.pem": str(self.key),
            "/srv/piyao/data": str(self.data_dir),
            "    server 127.0.0.1:8000;\n": "".join(f"    server {address};\n" for address in self.upstreams),
            "/var/cache/nginx/piyao": str(self.root / "nginx-cache"),
        }
        for old, new in replacements.items():
            assert old in site, f"deploy/nginx.conf no longer contains {old!r}"
            site = site.replace(old, new)
        site, logs = re.subn(r"\b(access_log|error_log) syslog:\S+", self._log_file, site)
        assert logs == 2, "deploy/nginx.conf should send its access and error logs to the journal (syslog)"
        if not self.page_cache:
            site = "\n".join(line for line in site.splitlines() if not re.match(r"\s*proxy_(cache|no_cache)", line))
        # The ports in one pass: replaced one after another, a free port such as 44323 put in for 80
        # would have its "443" replaced next.
        ports = {"80": self.http_port, "443": self.https_port}
        site = re.sub(r"listen (\[::\]:)?(80|443)\b", lambda match: f"listen {match[1] or ''}{ports[match[2]]}", site)
        listening = set(re.findall(r"listen (?:\[::\]:)?(\d+)", site))
        assert listening == {str(self.http_port), str(self.https_port)}, f"deploy/nginx.conf listens on {listening}"
        return site

    def _log_file(self, match):
        return f"{match[1]} {self.access_log if match[1] == 'access_log' else self.error_log}"

    def start(self, ready_path="/healthz", timeout=20):
        openssl = shutil.which("openssl")
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={self.host}",
                "-addext",
                f"subjectAltName=DNS:{self.host}",
                "-keyout",
                str(self.key),
                "-out",
                str(self.certificate),
            ],
            check=True,
            capture_output=True,
        )
        self.context = ssl.create_default_context(cafile=str(self.certificate))
        (self.root / "site.conf").write_text(self.site_configuration())
        temp = self.root / "nginx-temp"
        temp.mkdir(exist_ok=True)
        # The master reads the certificate; workers (nobody, when started as root) read DATA_DIR.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.root / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes {self.processes};
pid {self.root / "nginx.pid"};
error_log {self.error_log} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.root / "site.conf"};
}}
"""
        )
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(self.root / "nginx.conf"), "-e", str(self.error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.get(ready_path)[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.error_log.read_text() if self.error_log.exists() else ""
                self.stop()
                raise RuntimeError(f"nginx did not answer: {log}")
            time.sleep(0.2)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def get(self, path, *, headers=None, data=None, opener=None, timeout=10):
        """(status, headers, body) of a request through nginx over HTTPS, whatever the status."""
        opener = opener or urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context))
        url = path if path.startswith("http") else self.https + path
        request = urllib.request.Request(url, headers=headers or {}, data=data)  # noqa: S310 (our nginx)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


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

        self.process = subprocess.Popen(
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
