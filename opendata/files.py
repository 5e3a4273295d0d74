"""The downloads as files: each built once per content version, then served like a static file.

Before, every request ran the whole export (seconds of a worker's CPU for a large archive), and a query
string made each one new to any cache: parallel downloads took minutes each and a cached page timed
out meanwhile (the figures before and after: docs/benchmarks.md, *Open data*). Now:

- **Built once per content version.** The first request after a change of the public content
  (``ContentVersion.token()``, the page cache's version) writes the file under ``OPEN_DATA_ROOT``, with a
  gzip copy beside it, under a name holding that version (and, for the CSV, whose rows hold addresses,
  a key of the scheme and host). Requests arriving meanwhile wait for that one build (a file lock, so
  across workers too) rather than start their own; the files of older versions are then deleted.
- **Served like a static file** (``serve``): ``ETag`` and ``Last-Modified`` of the file, conditional
  requests (``If-None-Match``, ``If-Modified-Since``: 304 with no body), one byte range (``Range``,
  ``If-Range``: 206, or 416), ``HEAD``; the gzip copy to clients that accept it (``Vary:
  Accept-Encoding``), read from disk rather than compressed per request.
- **Query strings are ignored**: ``?anything`` gets the same file (and nginx's cache key leaves them
  out for these URLs, ``deploy/nginx.conf``).
- **Limited per client**: ``OPEN_DATA_RATE`` responses with a body (200 or 206) per client address and
  period (an IPv6 client by its network, ``core.clients``); a 304 or a HEAD costs nothing and counts
  nothing. Over the limit: 429 with ``Retry-After``.

Each app server keeps its own files (they are rebuilt from the database, never backed up).
"""

import fcntl
import gzip
import hashlib
import logging
import os
import re
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _

from clarifications.models import ContentVersion
from clarifications.pagecache import CACHE_CONTROL
from core import ratelimit
from core.clients import client_hash, client_ip
from core.logs import log_event
from core.rates import parse_rate

from . import downloads

logger = logging.getLogger(__name__)

BUILD_WAIT_SECONDS = 120
CHUNK_BYTES = 1024 * 1024
# Django's GZipMiddleware's own rule: a client it would compress for gets the compressed copy from disk,
# and the plain file goes only to clients it leaves alone (so it never compresses a download per request).
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
SINGLE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class Kind:
    name: str
    filename: str
    content_type: str
    per_host: bool  # its rows hold the site's absolute addresses

    def lines(self, absolute_url):
        if self.name == "csv":
            return downloads.csv_lines(absolute_url)
        return downloads.jsonl_lines()


JSONL = Kind("jsonl", "clarifications.jsonl", "application/jsonl; charset=utf-8", per_host=False)
CSV = Kind("csv", "clarifications.csv", "text/csv; charset=utf-8", per_host=True)


class BuildBusy(Exception):
    """Another request has been building the file for longer than ``BUILD_WAIT_SECONDS``."""


@dataclass(frozen=True)
class Built:
    plain: Path
    gzipped: Path


def root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def _site_key(request):
    return hashlib.sha256(f"{request.scheme}://{request.get_host()}".encode()).hexdigest()[:12]


def built(kind: Kind, request) -> Built:
    """The files of ``kind`` for the current content version, built now if they are not there yet."""
    family = kind.name + (f"-{_site_key(request)}" if kind.per_host else "")
    files = _files(kind, family, ContentVersion.token())
    if files.plain.exists():
        return files
    root().mkdir(parents=True, exist_ok=True)
    with _build_lock(root() / f".{family}.lock"):
        if _newer_exists(family, _version(ContentVersion.token())):
            # This process's version is a moment old (it rereads it every PAGE_CACHE_RECHECK_SECONDS)
            # and another one already built a newer file: read the version now rather than build an old one.
            ContentVersion.forget()
        token = ContentVersion.token()
        files = _files(kind, family, token)
        if not files.plain.exists():  # built by another request while this one waited
            _build(kind, files, request.build_absolute_uri)
            _remove_older(family, _version(token))
    return files


def _files(kind, family, token):
    stem = f"clarifications-{family}-{token}"
    return Built(root() / f"{stem}.{kind.name}", root() / f"{stem}.{kind.name}.gz")


def _version(token):
    """``"12.3"`` (the content version's number and the scheduled moments passed) as a comparable tuple."""
    return tuple(int(part) for part in token.split("."))


def _versions(family):
    """(version, path) of every file of ``family`` on disk."""
    pattern = re.compile(rf"clarifications-{re.escape(family)}-(\d+(?:\.\d+)*)\.")
    for path in root().glob(f"clarifications-{family}-*"):
        if match := pattern.match(path.name):
            yield _version(match.group(1)), path


def _newer_exists(family, version):
    return any(found > version for found, _path in _versions(family))


def _remove_older(family, version):
    for found, path in _versions(family):
        if found < version:
            path.unlink(missing_ok=True)


@contextmanager
def _build_lock(path):
    """One build at a time per file family, across threads and worker processes (``flock``)."""
    with open(path, "a+b") as lock:
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildBusy(path.name) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(kind, files, absolute_url):
    """Write the plain and gzip files side by side, then move them into place (gzip first: the plain
    file's presence says both are complete)."""
    started = time.monotonic()
    for leftover in root().glob(".building-*"):  # of a worker killed mid-build
        with suppress(FileNotFoundError):
            if time.time() - leftover.stat().st_mtime > 3600:
                leftover.unlink()
    plain = tempfile.NamedTemporaryFile(dir=root(), prefix=".building-", delete=False)  # noqa: SIM115
    packed = tempfile.NamedTemporaryFile(dir=root(), prefix=".building-", suffix=".gz", delete=False)  # noqa: SIM115
    try:
        with plain, packed, gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=6, mtime=0) as compressor:
            buffer = []
            size = 0
            for line in kind.lines(absolute_url):
                buffer.append(line)
                size += len(line)
                if size >= CHUNK_BYTES:
                    chunk = "".join(buffer).encode()
                    plain.write(chunk)
                    compressor.write(chunk)
                    buffer, size = [], 0
            chunk = "".join(buffer).encode()
            plain.write(chunk)
            compressor.write(chunk)
        os.replace(packed.name, files.gzipped)
        os.replace(plain.name, files.plain)
    except BaseException:
        for name in (plain.name, packed.name):
            Path(name).unlink(missing_ok=True)
        raise
    log_event(
        logger,
        "opendata.built",
        file=files.plain.name,
        bytes=files.plain.stat().st_size,
        gzip_bytes=files.gzipped.stat().st_size,
        seconds=round(time.monotonic() - started, 2),
    )


# --- Serving --------------------------------------------------------------------------------------------


def serve(request, kind: Kind, *, attempts=3):
    """The download of ``kind`` as a static file would be served (see the module docstring)."""
    try:
        files = built(kind, request)
    except BuildBusy:
        return _plain_response(503, _("The download is being prepared. Please try again in a minute."), retry=60)
    gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("accept-encoding", "")))
    path = files.gzipped if gzipped else files.plain
    try:
        stat = path.stat()
    except FileNotFoundError:  # replaced by a newer version between the two steps: serve that one
        if attempts <= 1:
            return _plain_response(503, _("The download is being prepared. Please try again in a minute."), retry=60)
        ContentVersion.forget()
        return serve(request, kind, attempts=attempts - 1)
    etag = f'"{path.name.removesuffix(".gz").removesuffix("." + kind.name)}-{stat.st_size:x}{"-gz" if gzipped else ""}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": CACHE_CONTROL,  # revalidated, like the pages (see pagecache.py)
        "Vary": "Accept-Encoding",
        "Accept-Ranges": "bytes",
    }
    conditional = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if conditional is not None:  # 304, or 412 for a failed If-Match / If-Unmodified-Since
        for name, value in headers.items():
            conditional[name] = value
        return conditional
    byte_range = _requested_range(request, etag=etag, last_modified=int(stat.st_mtime), size=stat.st_size)
    if byte_range == "unsatisfiable":
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{stat.st_size}"})
    if request.method == "GET" and not _allowed(request):
        period = parse_rate(settings.OPEN_DATA_RATE, "OPEN_DATA_RATE")[1]
        return _plain_response(
            429, _("Too many downloads from your address. Please try again later."), retry=min(period, 3600)
        )
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    if settings.OPEN_DATA_LICENCE_URL:
        headers["Link"] = f'<{settings.OPEN_DATA_LICENCE_URL}>; rel="license"'
    start, end = byte_range or (0, stat.st_size - 1)
    length = max(end - start + 1, 0)
    status = 206 if byte_range else 200
    if byte_range:
        headers["Content-Range"] = f"bytes {start}-{end}/{stat.st_size}"
    response: HttpResponse | FileResponse
    if request.method == "HEAD":
        response = HttpResponse(status=status, headers=headers, content_type=kind.content_type)
        response["Content-Disposition"] = f'attachment; filename="{kind.filename}"'
    else:
        handle = open(path, "rb")  # noqa: SIM115 (the response closes it)
        body = _Slice(handle, start, length) if byte_range else handle
        response = FileResponse(
            body,
            status=status,
            headers=headers,
            content_type=kind.content_type,
            as_attachment=True,
            filename=kind.filename,
        )
    response["Content-Length"] = str(length)
    return response


def _requested_range(request, *, etag, last_modified, size):
    """(start, end) of a single satisfiable ``Range``; None for the whole file (no range, several
    ranges, or an ``If-Range`` naming another version); "unsatisfiable" for a range past the end."""
    header = request.headers.get("range", "").strip()
    match = SINGLE_RANGE.fullmatch(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    if_range = request.headers.get("if-range", "").strip()
    if if_range and if_range != etag and parse_http_date_safe(if_range) != last_modified:
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0:
            return "unsatisfiable"
        return (max(size - count, 0), size - 1) if size else "unsatisfiable"
    start = int(first)
    if last and int(last) < start:  # not a valid range: ignored, as the standard says
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(int(last), size - 1) if last else size - 1


class _Slice:
    """``length`` bytes of ``handle`` from ``start``, read in chunks (for a 206)."""

    def __init__(self, handle, start, length):
        handle.seek(start)
        self.handle, self.remaining = handle, length

    def read(self, size=-1):
        if self.remaining <= 0:
            return b""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def close(self):
        self.handle.close()


def _allowed(request):
    """``OPEN_DATA_RATE`` per client; a database that cannot count does not stop downloads."""
    try:
        return ratelimit.hit("open-data", client_hash(client_ip(request)), rate=settings.OPEN_DATA_RATE)
    except DatabaseError:
        logger.exception("The open-data download limit could not be counted")
        return True


def _plain_response(status, message, *, retry):
    response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    return response
