"""What a failing dependency costs the site, measured: the numbers behind issue 22's items 2 and 4.

1. **One reading's bound** (``--ocr``): the 3000 x 3300 PNG of random dots that kept tesseract busy for
   714 s (408 s of CPU) is read with the site's settings (``OCR_TIMEOUT_SECONDS``, ``OCR_CPU_SECONDS``,
   ``OCR_MEMORY_MB``, defaults unless set in the environment); prints how long the reading took to give
   up and why, then how long a real screenshot takes right after (the engine restarted).

2. **A held write lock** (``--lock``): gunicorn as ``gunicorn.conf.py`` starts it (production
   settings, the SQLite default, its workers and threads, a 20 s busy timeout), with one published
   clarification whose page every worker has cached. Another connection then holds SQLite's write
   lock for ``--hold`` seconds (14, as in the issue); meanwhile 24 readers' page-view beacons arrive at
   once, two clients ask for the cached page all the time, and one WeChat text message is sent. Prints
   the cached page's latency without the lock and during it (median and 95th percentile), the beacons'
   statuses and slowest answer, and the WeChat reply's latency and what it said.

``--repo DIR`` runs the site of another checkout (the same Python environment), e.g. the code before
the change, exported with ``git archive <commit> | tar -x -C DIR``, for the "before" numbers.

    .venv/bin/python benchmarks/dependency_faults.py [--ocr] [--lock] [--hold 14] [--repo DIR]
"""

import argparse
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Run as a script from the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import free_port
from tests.wechat_simulator import ACCOUNT, TOKEN, WeChat

REPO = Path(__file__).resolve().parent.parent
CLARIFICATION = (
    '{"external_id": "water", "title": "全市停水三天系谣言", "claim": "明天起全市停水三天", "verdict": "false", '
    '"truth": "只是部分街道例行检修。", "language": "zh-hans", "status": "published", '
    '"published_at": "2025-01-01T10:00:00+08:00"}'
)
WECHAT_TIP = "朋友圈里说下周起全市地铁停运一个月，真的吗？"


def random_dots(width=3000, height=3300, share=0.08, seed=1):
    import numpy
    from PIL import Image

    pixels = numpy.full((height, width), 255, numpy.uint8)
    pixels[numpy.random.default_rng(seed).random((height, width)) < share] = 0
    return Image.fromarray(pixels, "L")


# --- 1. One reading's bound --------------------------------------------------------------------------


def measure_ocr():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="piyao-ocr-bound-"))
    import django

    django.setup()
    from django.conf import settings

    from benchmarks import wechat_screens
    from tips.intake import ocr

    if not ocr.status().available:
        sys.exit(f"OCR is not available here: {ocr.status().reason}")
    folder = Path(tempfile.mkdtemp(prefix="piyao-ocr-bound-"))
    dots = folder / "dots.png"
    random_dots().save(dots, "PNG", optimize=True)
    chat = folder / "chat.png"
    wechat_screens.chat("明天起本市地铁全线停运三天，请大家提前做好出行准备").save(chat)
    print(
        f"bounds: OCR_TIMEOUT_SECONDS={settings.OCR_TIMEOUT_SECONDS}, OCR_CPU_SECONDS={settings.OCR_CPU_SECONDS}, "
        f"OCR_MEMORY_MB={settings.OCR_MEMORY_MB}; picture {dots.stat().st_size / 1e6:.2f} MB, 3000 x 3300"
    )
    ocr.read_text(chat)  # the engine started and warm, as in a worker that has read before
    started = time.monotonic()
    try:
        ocr.read_text(dots)
        outcome = "read (no bound reached)"
    except ocr.ReadingFailed as error:
        outcome = f"could not be read: {error}"
    print(f"random dots: {time.monotonic() - started:.1f} s wall, {outcome}")
    started = time.monotonic()
    text = ocr.read_text(chat)
    print(f"next screenshot: {time.monotonic() - started:.1f} s wall (engine restarted), {len(text)} characters read")
    ocr.stop_engine()


# --- 2. A held write lock --------------------------------------------------------------------------


def manage(repo, environment, *arguments, stdin=None):
    subprocess.run(  # noqa: S603 (a checkout's own manage.py, fixed arguments)
        [sys.executable, str(repo / "manage.py"), *arguments],
        cwd=repo,
        env=environment,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )


def start_site(repo, data_dir):
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=str(data_dir),
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_ACCESS_LOG=os.devnull,
        LOG_LEVEL="ERROR",
        WECHAT_TOKEN=TOKEN,
        WECHAT_ACCOUNT_ID=ACCOUNT,
        PYTHONPATH=str(repo),
    )
    manage(repo, environment, "migrate", "--noinput", "-v0")
    manage(repo, environment, "collectstatic", "--noinput", "-v0")
    manage(repo, environment, "import_clarifications", "-", stdin=CLARIFICATION)
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (the checkout's own gunicorn configuration)
        [sys.executable, "-m", "gunicorn", "-c", str(repo / "gunicorn.conf.py")],
        cwd=repo,
        env={**environment, "BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(base + "/robots.txt")[0] == 200:
                return process, base
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def fetch(url, data=None, headers=None, timeout=60):
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310 (ours)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (our own server)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class HttpClient:
    """What tests/wechat_simulator.py's WeChat needs of a client, over urllib."""

    def __init__(self, base):
        self.base = base

    def post(self, path, data, content_type):
        status, body = fetch(self.base + path, data=data.encode(), headers={"Content-Type": content_type})

        class Response:
            status_code, content = status, body

        return Response()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(function, *arguments):
    """(seconds, what ``function`` returned)."""
    started = time.monotonic()
    result = function(*arguments)
    return time.monotonic() - started, result


def measure_lock(repo, hold, interval=0.05):
    data_dir = Path(tempfile.mkdtemp(prefix="piyao-lock-bench-"))
    process, base = start_site(repo, data_dir)
    try:
        database = data_dir / "db.sqlite3"
        with sqlite3.connect(database) as connection:
            (pk,) = connection.execute("SELECT id FROM clarifications_clarification").fetchone()
        page = f"{base}/clarifications/{pk}/"
        for _ in range(40):  # every worker has the page cached
            fetch(page)
        with ThreadPoolExecutor(max_workers=64) as pool:
            # Open loop: a request every ``interval`` whatever the earlier ones do, as visitors arrive.
            quiet = [future.result()[0] for future in paced(pool, page, seconds=5, interval=interval)]

            locker = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
            locker.execute("BEGIN IMMEDIATE")
            release = threading.Timer(hold, lambda: locker.execute("ROLLBACK"))
            release.start()
            beacons = [pool.submit(timed, fetch, f"{base}/clarifications/{pk}/seen", b"") for _ in range(24)]
            wechat = pool.submit(timed, WeChat(HttpClient(base)).text, WECHAT_TIP)
            during = [future.result()[0] for future in paced(pool, page, seconds=hold - 1, interval=interval)]
            release.join()
            locker.close()
            beacon_results = [future.result() for future in beacons]
            wechat_seconds, reply = wechat.result()
        code = re.search(r"T-[0-9A-Z]{4}-[0-9A-Z]{4}", reply.text or "")
        time.sleep(3)  # a kept message is stored once the lock is gone
        with sqlite3.connect(database) as connection:
            stored = connection.execute(
                "SELECT count(*) FROM tips_tip WHERE code = ?", [code.group() if code else ""]
            ).fetchone()[0]
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    quiet, during = [1000 * seconds for seconds in quiet], [1000 * seconds for seconds in during]
    print(f"site: {repo}; write lock held {hold} s, 24 beacons at once, a cached page asked every {interval} s")
    for label, latencies in (("no lock", quiet), ("during the lock", during)):
        print(
            f"cached page, {label + ':':17} median {statistics.median(latencies):8.1f} ms, "
            f"p95 {percentile(latencies, 0.95):8.1f} ms, max {max(latencies):8.1f} ms ({len(latencies)} requests)"
        )
    statuses = [status for _seconds, (status, _body) in beacon_results]
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    slowest = max(seconds for seconds, _result in beacon_results)
    print(f"beacons: statuses {counts}, slowest answered after {slowest:.1f} s")
    said = (reply.text or reply.body or "").replace("\n", " ")[:70]
    print(f"WeChat reply: {wechat_seconds:.2f} s, status {reply.status}: {said}")
    if code:
        print(f"  its code {code.group()}: {'stored' if stored else 'NOT stored'} 3 s after the lock was released")


def paced(pool, url, *, seconds, interval):
    """Futures of (seconds, response) for a GET of ``url`` started every ``interval`` for ``seconds``."""
    futures, started = [], time.monotonic()
    while time.monotonic() - started < seconds:
        futures.append(pool.submit(timed, fetch, url))
        time.sleep(interval)
    return futures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocr", action="store_true", help="measure one reading's bound")
    parser.add_argument("--lock", action="store_true", help="measure a held write lock")
    parser.add_argument("--hold", type=float, default=14, help="seconds the write lock is held (default 14)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the checkout whose site is started (--lock)")
    arguments = parser.parse_args()
    if not (arguments.ocr or arguments.lock):
        arguments.ocr = arguments.lock = True
    if arguments.lock:
        measure_lock(arguments.repo.resolve(), arguments.hold)
    if arguments.ocr:
        measure_ocr()


if __name__ == "__main__":
    main()
