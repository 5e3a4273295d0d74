"""Fault injection: what a visitor, a citizen sending a tip and ``/healthz`` get when the storage fails,
and that no tip or file is ever left half-written.

The first tests run in-process on either database. The rest run the real thing on SQLite: gunicorn
with the repository's configuration on a data folder of its own (a small tmpfs where the machine lets
us mount one, so that "disk full" is a real ``ENOSPC``), whose database file the tests remove, make
read-only, lock past the busy timeout, and whose worker they kill in the middle of an upload.
"""

import contextlib
import errno
import io
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from PIL import Image

from tips.casework.purge import remove_orphan_screenshots
from tips.models import Tip

from .factories import TipFactory
from .servers import start_gunicorn, stop_gunicorn

TEXT = "群里说明天全市停水三天，大家赶紧囤水！"
NOT_SAVED = "Your report could not be saved"


def noise_png(side=300):
    """A PNG that does not compress: about 3 bytes a pixel on disk."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(root):
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@contextlib.contextmanager
def tmpfs(path, size):
    """A tmpfs of ``size`` mounted on ``path``, or None where this machine does not allow mounting."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = (
        shutil.which("mount")
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield path if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)


class FullDisk(io.RawIOBase):
    """A file that takes ``room`` bytes and then fails as a full disk does."""

    def __init__(self, file, room):
        self.file, self.room = file, room

    def write(self, data):
        if len(data) > self.room:
            self.file.write(bytes(data[: self.room]))
            self.file.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return self.file.write(data)

    def fileno(self):
        return self.file.fileno()

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()
        super().close()


# --- In process, on either database --------------------------------------------------------------


@pytest.mark.django_db
def test_a_database_locked_past_its_timeout_gives_the_form_back_with_what_was_written(client, monkeypatch, tmp_path):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(Tip, "save", locked)
    response = client.post(
        "/en/tips/new/", {"text": TEXT, "platform": "weibo", "screenshot": io.BytesIO(noise_png(40))}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert NOT_SAVED in response.text
    assert TEXT in response.text
    assert not Tip.objects.exists()
    assert stored_files(settings.PRIVATE_ROOT) == []


@pytest.mark.subprocess
@pytest.mark.django_db
def test_a_full_disk_while_storing_the_screenshot_leaves_no_file_and_loses_nothing(client, monkeypatch, tmp_path):
    upload = io.BytesIO(noise_png())
    upload.name = "screenshot.png"
    with tmpfs(tmp_path / "small", "64k") as small:
        if small is not None:
            settings.PRIVATE_ROOT = small  # a real ENOSPC
        else:
            real_fdopen = os.fdopen
            monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k), 64 * 1024))
        response = client.post("/en/tips/new/", {"text": TEXT, "platform": "weibo", "screenshot": upload})
        assert response.status_code == 503
        assert NOT_SAVED in response.text
        assert TEXT in response.text
        assert not Tip.objects.exists()
        assert stored_files(settings.PRIVATE_ROOT) == []


@pytest.mark.django_db
def test_screenshot_files_no_tip_refers_to_are_removed_by_the_purge(private_root):
    kept = TipFactory(screenshot="tips/2025/03/kept.png")
    folder = Path(private_root) / "tips" / "2025" / "03"
    folder.mkdir(parents=True)
    for name in ("kept.png", "orphan.png", ".partial-abc123", "fresh-orphan.png"):
        (folder / name).write_bytes(b"x")
    hour_ago = time.time() - 2 * 3600
    for name in ("kept.png", "orphan.png", ".partial-abc123"):
        os.utime(folder / name, (hour_ago, hour_ago))

    out = io.StringIO()
    call_command("purge_tip_personal_data", stdout=out)

    assert "2 orphan screenshot file(s)" in out.getvalue()
    # The referenced file stays, and so does a young one whose tip may still be on its way.
    assert stored_files(folder) == ["fresh-orphan.png", "kept.png"]
    assert Tip.objects.get(pk=kept.pk).screenshot.name == "tips/2025/03/kept.png"
    assert remove_orphan_screenshots(older_than=timedelta(0)) == 1


# --- gunicorn on SQLite --------------------------------------------------------------------------

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the SQLite faults run in the suite's SQLite run",
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    with tmpfs(tmp_path_factory.mktemp("faults"), "48m") as mounted:
        yield mounted or tmp_path_factory.mktemp("faults-plain")


@pytest.fixture(scope="module")
def site(data_dir):
    """gunicorn (two workers, DEBUG off) on its own SQLite file, with a one-second busy timeout."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "REDIS_URL", "DATABASE_URL")}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": "fault-test-key-" + "x" * 40,
            "SQLITE_BUSY_TIMEOUT": "1",
            "TIPS_RATE": "1000/m",
            "HEALTHZ_MIN_FREE_MB": "1",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": os.devnull,
        }
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = data_dir.parent / f"{data_dir.name}-gunicorn.log"
    server, base = start_gunicorn(environment, log_path=log)
    server.base, server.data_dir, server.environment, server.log_path = base, data_dir, environment, log
    yield server
    stop_gunicorn(server)


def get(site, path):
    return requests.get(site.base + path, timeout=30)


def healthy(site):
    """Whether ``/healthz`` says the site can serve and store (200, database and disk ok)."""
    response = get(site, "/healthz")
    body = response.json()
    return response.status_code == 200 and body["database"]["state"] == body["disk"]["state"] == "ok"


def post_tip(site, text=TEXT, screenshot=None):
    session = requests.Session()
    form = session.get(site.base + "/en/tips/new/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    files = {"screenshot": ("screenshot.png", screenshot, "image/png")} if screenshot else None
    data = {"text": text, "platform": "weibo", "csrfmiddlewaretoken": token}
    return session.post(site.base + "/en/tips/new/", data=data, files=files, timeout=30, allow_redirects=False)


def database(site):
    return site.data_dir / "db.sqlite3"


def tips_stored(site, text):
    with contextlib.closing(sqlite3.connect(database(site), timeout=10)) as connection:
        return connection.execute("SELECT count(*) FROM tips_tip WHERE text = ?", [text]).fetchone()[0]


def screenshots(site):
    return stored_files(site.data_dir / "private")


@pytest.mark.subprocess
@on_sqlite
def test_a_database_locked_past_the_busy_timeout(site):
    assert healthy(site)
    locker = sqlite3.connect(database(site), timeout=10, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        response = post_tip(site, text="锁住的时候发送的线索")
        # Readers go on (WAL), the citizen gets the form back with their words, health stays honest.
        assert get(site, "/en/").status_code == 200
        assert get(site, "/healthz").status_code == 200
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert response.status_code == 503
    assert NOT_SAVED in response.text
    assert "锁住的时候发送的线索" in response.text
    assert tips_stored(site, "锁住的时候发送的线索") == 0
    assert post_tip(site, text="锁解开以后的线索").status_code == 302
    assert tips_stored(site, "锁解开以后的线索") == 1


@pytest.mark.subprocess
@on_sqlite
def test_a_full_disk(site):
    free = shutil.disk_usage(site.data_dir).free
    if free > 64 * 1024 * 1024:
        pytest.skip("the data folder is not a small tmpfs here (mounting is not allowed)")
    filler = site.data_dir / "filler"
    # Unbuffered: a buffered file would keep the bytes of the last partial write and fail again on close.
    with open(filler, "wb", buffering=0) as file, contextlib.suppress(OSError):
        while True:
            file.write(b"\0" * 65536)
            file.flush()
    try:
        shrink = shutil.disk_usage(site.data_dir).free
        assert shrink < 256 * 1024
        before = screenshots(site)
        response = post_tip(site, text="磁盘满的时候发送的线索", screenshot=noise_png())
        health = get(site, "/healthz")
        visitor = get(site, "/en/")
    finally:
        filler.unlink()
    assert response.status_code == 503
    assert NOT_SAVED in response.text
    assert screenshots(site) == before
    assert tips_stored(site, "磁盘满的时候发送的线索") == 0
    assert (health.status_code, health.json()["disk"]["reason"]) == (503, "disk full")
    assert visitor.status_code == 200
    assert healthy(site)
    assert post_tip(site, text="有空间以后的线索", screenshot=noise_png()).status_code == 302


@pytest.mark.subprocess
@on_sqlite
def test_a_worker_killed_in_the_middle_of_an_upload_leaves_nothing_behind(site):
    before = screenshots(site)
    host, port = site.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            b"POST /en/tips/new/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: 3000000\r\n\r\n--x\r\n"
            b'Content-Disposition: form-data; name="screenshot"; filename="a.png"\r\n\r\n' + b"\0" * 100000
        )
        time.sleep(0.5)
        for worker in worker_pids(site):
            os.kill(worker, signal.SIGKILL)
    time.sleep(1)
    assert get(site, "/en/").status_code == 200
    assert screenshots(site) == before
    assert post_tip(site, text="重启以后的线索").status_code == 302


def worker_pids(site):
    children = subprocess.run(["pgrep", "-P", str(site.pid)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in children]


@pytest.mark.subprocess
@on_sqlite
def test_a_read_only_database(site):
    folder = str(site.data_dir)
    # A read-only bind mount over the data folder: new opens fail as on a read-only disk (workers' open
    # files keep working, as they would).
    if subprocess.run(["mount", "--bind", folder, folder], capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow mounting")
    try:
        assert subprocess.run(["mount", "-o", "remount,bind,ro", folder], capture_output=True).returncode == 0
        health = get(site, "/healthz")
        response = post_tip(site, text="只读的时候发送的线索")
        visitor = get(site, "/en/")
    finally:
        subprocess.run(["umount", "-l", folder], check=True)
    assert health.status_code == 503
    assert health.json()["database"] == {"state": "down", "reason": "database is read-only"}
    assert visitor.status_code == 200
    # Whatever the citizen is told is true: received and stored, or not saved and asked to retry.
    stored = tips_stored(site, "只读的时候发送的线索")
    assert (response.status_code, stored) in ((302, 1), (503, 0))
    assert healthy(site)


@pytest.mark.subprocess
@on_sqlite
def test_a_removed_database_file(site):
    assert healthy(site)
    saved = site.data_dir / "saved.sqlite3"
    with contextlib.closing(sqlite3.connect(database(site))) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(database(site), saved)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database(site)}{suffix}").unlink(missing_ok=True)
    try:
        health = get(site, "/healthz")
        response = post_tip(site, text="数据库文件没了的时候发送的线索")
        recreated = database(site).exists()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database(site)}{suffix}").unlink(missing_ok=True)
        shutil.move(saved, database(site))
    assert not recreated
    assert health.status_code == 503
    assert health.json()["database"] == {"state": "down", "reason": "database file missing"}
    assert response.status_code == 503
    assert NOT_SAVED in response.text
    assert "数据库文件没了的时候发送的线索" in response.text
    assert healthy(site)


@pytest.mark.subprocess
@on_sqlite
def test_a_database_file_moved_away_is_never_recreated_empty_and_the_site_recovers_without_a_restart(site):
    """Renaming the file away for a moment made a worker create an empty database at its path; once
    the file was back, /healthz flapped and searches failed until a restart."""
    assert post_tip(site, text="改名之前的线索").status_code == 302
    away = site.data_dir / "away.sqlite3"
    database(site).rename(away)
    try:
        answers = [get(site, path) for path in ("/healthz", "/en/clarifications/?q=停水", "/healthz", "/en/")]
        response = post_tip(site, text="改名的时候发送的线索")
        recreated = database(site).exists()
    finally:
        away.rename(database(site))
    assert not recreated, "a worker created a new database file at the database's path"
    assert [answer.status_code for answer in answers[::2]] == [503, 503]
    assert answers[0].json()["database"] == {"state": "down", "reason": "database file missing"}
    assert response.status_code == 503
    assert NOT_SAVED in response.text
    # Back without a restart: every worker answers (more requests than workers), searches work.
    assert all(healthy(site) for _ in range(6))
    for _ in range(4):
        assert get(site, "/en/clarifications/?q=停水").status_code == 200
    assert post_tip(site, text="改名回来以后的线索").status_code == 302
    assert tips_stored(site, "改名之前的线索") == tips_stored(site, "改名回来以后的线索") == 1
    assert tips_stored(site, "改名的时候发送的线索") == 0
