"""No tip is ever lost: a flood of concurrent tips against gunicorn on the SQLite default.

Starts gunicorn (4 sync workers, production settings, a fresh SQLite database in a temporary
DATA_DIR), fetches the form's CSRF token, posts the tips from many threads at once (every other one
with a small PNG screenshot), then counts what the database holds. Prints one line:

    sent 200, answered 200, accepted 200, rate-limited 0, errors 0, stored 200 (100 screenshots) in 9.8 s ...

Usage: python benchmarks/tip_flood.py [--tips 200] [--threads 32] [--workers 4] [--rate 100000/1m]
"""

import argparse
import concurrent.futures
import http.cookiejar
import io
import os
import re
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from PIL import Image

# Run as a script from the repository, or imported by the tests as benchmarks.*.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import REPO, prepare, start_gunicorn, stop_gunicorn

ROOT = REPO


def small_png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 240), (30, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def flood(base_url, tips, threads, with_screenshots=True):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{base_url}/en/tips/new/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    png = small_png()

    def send(number):
        fields = {
            "csrfmiddlewaretoken": token,
            "text": f"Flood test {number}: a message says the water will be cut for three days from tomorrow.",
            "platform": "wechat_group",
            "seen_on": "2025-03-01",
        }
        files = {"screenshot": (f"shot{number}.png", png, "image/png")} if with_screenshots and number % 2 else {}
        body, content_type = multipart(fields, files)
        request = urllib.request.Request(  # noqa: S310
            f"{base_url}/en/tips/new/",
            data=body,
            headers={"Content-Type": content_type, "Cookie": cookie, "Referer": f"{base_url}/en/tips/new/"},
            method="POST",
        )
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return None, str(error)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(send, range(tips)))
    elapsed = time.monotonic() - started
    return outcomes, elapsed


def count_stored(data_dir):
    with sqlite3.connect(Path(data_dir) / "db.sqlite3") as db:
        stored = db.execute("SELECT COUNT(*) FROM tips_tip").fetchone()[0]
        screenshots = db.execute("SELECT COUNT(*) FROM tips_tip WHERE screenshot != ''").fetchone()[0]
    files = sum(len(names) for _, _, names in os.walk(Path(data_dir) / "private"))
    return stored, screenshots, files


def run(*, tips=200, threads=32, workers=4, rate="100000/1m", screenshots=True, data_dir=None):
    """Run one flood; returns the figures as a dict. A given ``data_dir`` is reused (already prepared)."""
    own_dir = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="piyao-flood-")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update(
        DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="config.settings",
        TIPS_RATE=rate,
        HTTPS="false",
        WEB_CONCURRENCY=str(workers),
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_ACCESS_LOG="/dev/null",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    if own_dir or not (Path(data_dir) / "db.sqlite3").exists():
        prepare(data_dir, env)
    before = count_stored(data_dir)[0]
    process, base_url = start_gunicorn(env, log_path=Path(data_dir) / "gunicorn.log")
    try:
        outcomes, elapsed = flood(base_url, tips, threads, screenshots)
    finally:
        stop_gunicorn(process)
    stored, with_screenshot, files = count_stored(data_dir)
    figures = {
        "sent": tips,
        "answered": sum(status is not None for status, _ in outcomes),
        "accepted": sum(status == 302 and "/tips/T-" in location for status, location in outcomes),
        "rate_limited": sum(status == 429 for status, _ in outcomes),
        "errors": sum(status is None or status >= 500 for status, _ in outcomes),
        "stored": stored - before,
        "screenshots": with_screenshot,
        "screenshot_files": files,
        "seconds": round(elapsed, 2),
        "workers": workers,
        "data_dir": str(data_dir),
    }
    if own_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tips", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rate", default="100000/1m", help="TIPS_RATE for the server (default: no practical limit)")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args()
    figures = run(
        tips=args.tips, threads=args.threads, workers=args.workers, rate=args.rate, screenshots=not args.no_screenshots
    )
    print(
        "sent {sent}, answered {answered}, accepted {accepted}, rate-limited {rate_limited}, errors {errors}, "
        "stored {stored} ({screenshots} with a screenshot) in {seconds} s with {workers} gunicorn workers "
        "on SQLite".format(**figures)
    )
    return 0 if figures["stored"] == figures["accepted"] == figures["sent"] else 1


if __name__ == "__main__":
    sys.exit(main())
