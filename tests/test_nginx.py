"""The reverse proxy in front, for real: Debian's nginx with deploy/nginx.conf (a self-signed certificate
made here) in front of gunicorn with production settings.

Checked: plain HTTP is sent to HTTPS, HSTS, the client address the site sees (a forged X-Forwarded-For
does not count), that slow-header connections no longer freeze the site, static files, and that pages
(the proxy's one-second cache included) show a publish within a few seconds and are never wrong after.
Skipped where nginx or openssl is not installed, and fails under CI.
"""

import gzip
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import sqlite3
import time
import urllib.request

import pytest

from .servers import NGINX, NginxProxy, import_records, prepare, rename_clarification, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.subprocess

HOST = "localhost"
RECORD = (
    '{"external_id": "proxied-1", "title": "代理前的标题", "claim": "c", "verdict": "false", "truth": "t", '
    '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
)


def tool_or_skip(name, path):
    if not path:
        message = f"{name} is not installed (Debian: apt-get install {name}); the proxy test needs it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Site(NginxProxy):
    """nginx on two free ports in front of a two-worker gunicorn, both with throwaway data."""

    def __init__(self, root):
        super().__init__(root, upstreams=[], data_dir=root / "data", host=HOST)
        self.data = self.data_dir
        self.cookies = http.cookiejar.CookieJar()

    def environment(self):
        environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
        environment.update(
            DATA_DIR=str(self.data),
            SECRET_KEY=secrets.token_urlsafe(40),
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="false",
            WEB_CONCURRENCY="2",
            ALLOWED_HOSTS=f"{HOST},127.0.0.1",
            HTTPS="true",
            TRUST_PROXY_SSL_HEADER="true",
            TRUSTED_PROXY_COUNT="1",
            LOG_LEVEL="WARNING",
            # Small, so that a refusal (logged with its request id) is easy to cause.
            TIPS_LOOKUP_RATE="2/10m",
        )
        return environment

    def get(self, path, *, headers=None, redirects=True, data=None):
        """(status, headers, body) of a request through nginx over HTTPS, with this site's cookies."""
        handlers = [urllib.request.HTTPSHandler(context=self.context), urllib.request.HTTPCookieProcessor(self.cookies)]
        if not redirects:
            handlers.append(NoRedirect)
        return super().get(path, headers=headers, data=data, opener=urllib.request.build_opener(*handlers))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tool_or_skip("nginx", NGINX)
    tool_or_skip("openssl", shutil.which("openssl"))
    site = Site(tmp_path_factory.mktemp("proxied"))
    site.data.mkdir()
    environment = site.environment()
    prepare(site.data, environment)
    import_records(environment, RECORD)
    gunicorn, base_url = start_gunicorn(environment, log_path=site.root / "gunicorn.log")
    site.environment_used = environment
    site.upstreams = [base_url.removeprefix("http://")]
    try:
        site.start()
        yield site
    finally:
        site.stop()
        stop_gunicorn(gunicorn)


def test_plain_http_is_redirected_to_https(site):
    status, headers, _ = site.get(f"http://{HOST}:{site.http_port}/clarifications/?page=2", redirects=False)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/clarifications/?page=2"


def test_pages_and_static_files_carry_hsts(site):
    status, headers, _ = site.get("/")
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    html = site.get("/")[2].decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', html).group(1)
    status, headers, _body = site.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_site_sees_the_visitors_address_not_a_forged_one(site):
    page = site.get("/admin/login/")[2].decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = f"csrfmiddlewaretoken={token}&username=nobody&password=wrong-password&next=/admin/".encode()
    status, _, _ = site.get(
        "/admin/login/",
        data=form,
        headers={"X-Forwarded-For": "203.0.113.9", "Referer": f"{site.https}/admin/login/"},
    )
    assert status == 200  # the form again, with an error
    with sqlite3.connect(site.data / "db.sqlite3") as database:
        addresses = {address for (address,) in database.execute("SELECT ip_address FROM axes_accessattempt")}
    assert addresses
    assert addresses <= {"127.0.0.1", "::1"}


def test_slow_header_connections_do_not_freeze_the_site(site):
    """Four clients that send their headers a line at a time (more than the two gunicorn workers)."""
    slow = []
    try:
        for _ in range(4):
            connection = socket.create_connection((HOST, site.https_port))
            wrapped = site.context.wrap_socket(connection, server_hostname=HOST)
            wrapped.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            slow.append(wrapped)
        for _ in range(3):
            started = time.monotonic()
            status, _, body = site.get("/clarifications/")
            assert status == 200
            assert "代理前的标题" in body.decode() or "代理后的标题" in body.decode()
            assert time.monotonic() - started < 5
            for connection in slow:
                connection.sendall(b"X-Slow: 1\r\n")
    finally:
        for connection in slow:
            connection.close()


def test_pages_show_a_publish_through_the_proxy_cache_and_stay_right(site):
    gzip_headers = {"Accept-Encoding": "gzip"}
    for _ in range(5):  # in nginx's cache, plain and gzipped
        assert "代理前的标题" in site.get("/clarifications/")[2].decode()
        assert site.get("/clarifications/", headers=gzip_headers)[0] == 200
    rename_clarification(site.environment_used, "proxied-1", "代理后的标题")
    deadline = time.monotonic() + 5
    while "代理后的标题" not in site.get("/clarifications/")[2].decode():
        assert time.monotonic() < deadline, "the publish did not show through the proxy within 5 s"
        time.sleep(0.1)
    time.sleep(1.5)  # past the proxy's one second, for every variant
    for _ in range(5):
        assert "代理后的标题" in site.get("/clarifications/")[2].decode()
        status, headers, body = site.get("/clarifications/", headers=gzip_headers)
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        assert "代理后的标题" in gzip.decompress(body).decode()


def test_open_data_downloads_share_one_cache_entry_whatever_the_query_string(site):
    status, headers, first = site.get("/open-data/clarifications.csv?utm_source=a")
    assert status == 200
    assert "代理" in first.decode("utf-8-sig")
    for number in range(3):
        status, again, body = site.get(f"/open-data/clarifications.csv?n={number}")
        assert status == 200
        assert body == first
        # Served from the entry the first request made (or revalidated with a 304 from the app): a key
        # holding the query string would make each of these a MISS.
        assert again["X-Cache-Status"] in ("HIT", "REVALIDATED", "UPDATING"), again["X-Cache-Status"]
        assert again["ETag"] == headers["ETag"]
    status, _partial, body = site.get("/open-data/clarifications.csv?x", headers={"Range": "bytes=0-9"})
    assert status == 206
    assert body == first[:10]


def test_the_access_log_is_nginxs_and_joins_the_sites_lines_by_request_id(site):
    for _ in range(3):
        status = site.get("/tips/?code=T-AAAA-AAAA")[0]
    assert status == 429  # the third look-up is refused, and the site logs it
    access = site.access_log.read_text().splitlines()
    refused = [line for line in access if '"GET /tips/?code=T-AAAA-AAAA HTTP/1.1" 429' in line]
    request_id = re.search(r"id=([0-9a-f]{32})", refused[-1]).group(1)
    site_log = (site.root / "gunicorn.log").read_text()
    assert f"[{request_id}] request.refused" in site_log
    # gunicorn writes no access log of its own behind the proxy.
    assert '"GET /tips/' not in site_log


def test_metrics_are_not_served_through_the_proxy(site):
    assert site.get("/metrics")[0] == 404


def test_a_phone_photo_too_large_comes_back_as_the_form_with_what_was_typed(site):
    """nginx lets the tip form's body through (up to 33 MB) so that the app, not nginx's 413 page,
    answers a screenshot over the limit: the form again, the text kept, the file named."""
    page = site.get("/en/tips/new/")[2].decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    boundary = "piyao-boundary"
    fields = {"csrfmiddlewaretoken": token, "text": "下周一全市中小学放假两周", "platform": "wechat_group"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="screenshot"; filename="photo.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body += b"\0" * (12 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    status, _, answer = site.get(
        "/en/tips/new/",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": f"{site.https}/en/tips/new/"},
    )
    page = answer.decode()
    assert status != 413 or "nginx" not in page
    assert "下周一全市中小学放假两周" in page
    assert "photo.jpg" in page
