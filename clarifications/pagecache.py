"""Whole-page cache for anonymous visitors: no database on its hit path, never stale, fail-open.

**Version.** Every cached page is stored under a key that contains the *content version*
(``ContentVersion.token()``): the number that every change to public content increases, and how many
of the upcoming scheduled publish times have passed. Each process re-reads that one row at most every
``PAGE_CACHE_RECHECK_SECONDS`` (0.25 s), so a cached page costs no query and no write, a change
reaches every worker and every app server within that time, and a scheduled clarification appears
the moment its time comes without any request writing. Only changes the public can see move the
number (``PublicContentModel``): saving a draft or its evidence leaves the cache alone.

**Where pages live.** The ``LOCAL_PAGES`` most recently served pages of a worker in its own memory,
and with ``REDIS_URL`` every page in Redis too, shared by all workers and app servers for
``PAGE_CACHE_SECONDS``. Without Redis a worker keeps only its own 256 pages: a page beyond them is
rendered again, which costs less than holding a second copy of every page in each worker. Keys
carry the version, so entries are only ever dropped for room, never stale. When the shared cache is
unreachable, pages are rendered and served without it (a warning once per outage and worker) and it
is tried again a second later (``core.sharedcache``).

**What is cached.** Only views marked with ``@public_page``, only GET and HEAD without a session
cookie (staff bypass it), only when Django would not first redirect to HTTPS, and only 200 responses
that set no cookie, do not vary on the cookie and set no Cache-Control of their own (a page with a
CSRF token is never stored). So a 404, a redirect or a draft never turns into a 304.
A view marked ``@public_page(refresh=N)`` shows something that changes without content changing
(the "most asked" ranking): its key also carries the current N-second time slot, so its copies are
renewed that often, still with no query on a hit.

**Compression.** A stored page keeps its body plain, gzipped and brotli-compressed, and each client
gets the best it accepts (``Vary: Accept-Encoding``). Pages that are not cached go through Django's
GZipMiddleware. BREACH needs a secret in a compressed body that also reflects attacker input: cached
pages carry no secret at all (no CSRF token, no session), so compressing them is safe; the pages that
carry a CSRF token (the tip form, the admin) are compressed by GZipMiddleware, which pads each
response with random bytes, and Django masks the token differently in every response.

**Revalidation.** The ETag is a hash of the page's bytes and ``Cache-Control: max-age=0`` makes
browsers ask every time: an unchanged page costs a 304 without rendering, and a correction is seen
on the next visit. ``s-maxage=1`` lets a reverse proxy keep a page for one second.
"""

import gzip
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from functools import partial, wraps

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import cc_delim_re, get_conditional_response
from django.utils.http import parse_http_date_safe

from core import sharedcache
from core.metrics import count_page_cache

from .models import ContentVersion

logger = logging.getLogger(__name__)

CACHE_CONTROL = "public, max-age=0, s-maxage=1"
# Bodies smaller than this are sent as they are (compression would not pay for its header).
MIN_COMPRESS_BYTES = 200


# Kept under its old name for the modules that catch the shared cache's errors themselves.
cache_outage_errors = sharedcache.outage_errors


def public_page(view=None, *, methods=("GET", "HEAD", "OPTIONS"), refresh=None):
    """Mark a view whose anonymous GET responses are the same for every visitor (see module docstring).

    OPTIONS is answered as Django's class-based views answer it: the allowed ``methods``, no page.
    ``refresh`` (seconds) is for a page that also shows what changes without any content changing
    (the "most asked" ranking): its cached copies are renewed at least that often.
    """
    if view is None:
        return partial(public_page, methods=methods, refresh=refresh)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(headers={"Allow": ", ".join(methods)})
            response["Content-Length"] = "0"
            return response
        return view(request, *args, **kwargs)

    wrapped.public_page = refresh or True
    return wrapped


def stored_page(response):
    """What the cache keeps of a response: its headers, ETag and body in every encoding."""
    content = response.content
    headers = {name: value for name, value in response.items() if name.lower() != "content-length"}
    etag = f'W/"{hashlib.blake2b(content, digest_size=12).hexdigest()}"'
    headers["ETag"] = etag
    headers["Cache-Control"] = CACHE_CONTROL
    bodies = {"identity": content}
    if len(content) >= MIN_COMPRESS_BYTES:
        bodies["gzip"] = gzip.compress(content, compresslevel=6, mtime=0)
        # Quality 5 compresses a page as well as gzip -9 in a few milliseconds; 11 would take ~100 ms.
        bodies["br"] = brotli.compress(content, quality=5)
    # LocaleMiddleware says Vary: Accept-Language on unprefixed URLs, but those are always in the
    # default language (prefix_default_language=False): the URL alone decides, as in the cache key.
    # Accept-Encoding (from GZipMiddleware) is ours to say, once.
    ignored = {"accept-language", "accept-encoding", ""}
    vary = [name for name in cc_delim_re.split(headers.pop("Vary", "")) if name.lower() not in ignored]
    if len(bodies) > 1:
        vary.append("Accept-Encoding")
    if vary:
        headers["Vary"] = ", ".join(vary)
    last_modified = parse_http_date_safe(headers.get("Last-Modified", ""))
    return {"headers": headers, "etag": etag, "last_modified": last_modified, "bodies": bodies}


class CachedPage(HttpResponse):
    """A page answered from the cache. Its headers go out as they are stored: Django's items() looks
    each name up again through the case-insensitive mapping (6 microseconds for a page's 14 headers,
    against 0.4, of a cached page's 90 or so)."""

    def items(self):
        return self.headers._store.values()


def preferred_encoding(accept_encoding):
    """br, gzip or identity: the best of ours that an Accept-Encoding header allows."""
    accepted = set()
    for part in accept_encoding.split(","):
        name, _, parameters = part.partition(";")
        quality = parameters.strip().removeprefix("q=").strip()
        try:
            if quality and float(quality) == 0:
                continue
        except ValueError:
            continue
        accepted.add(name.strip().lower())
    for encoding in ("br", "gzip"):
        if encoding in accepted or "*" in accepted:
            return encoding
    return "identity"


class PublicPageCacheMiddleware:
    """Serves and stores ``@public_page`` responses.

    It is the outermost middleware, so a cached page skips all the others: what it stores is the
    final response, with the headers they added (security headers, CSP, Content-Language), none of
    which depends on anything but the URL.
    """

    LOCAL_PAGES = 256
    # Per-process memories of what a URL path or an Accept-Encoding header means; bounded because
    # both come from the client.
    MEMO_SIZE = 10_000

    def __init__(self, get_response):
        self.get_response = get_response
        self.local = OrderedDict()
        self.lock = threading.Lock()
        self.public_paths = {}
        self.encodings = {}
        self.gzip = GZipMiddleware(get_response)
        # The embedded default's cache lives in this process: keeping each page there as well as in
        # ``local`` doubled the memory of the hottest pages (12 MB a worker after a few hundred).
        self.shared = not settings.CACHES["default"]["BACKEND"].endswith(".LocMemCache")

    def __call__(self, request):
        marker = self._eligible(request)
        if not marker:
            return self.get_response(request)
        version = ContentVersion.token()
        if marker is not True:
            # A page with a refresh period is also keyed by its time slot (see public_page).
            version = f"{version}.{int(time.time() // marker)}"
        # The raw path and query string: get_full_path() would re-quote them on every request.
        key = (version, request.scheme, request.get_host(), request.path, request.META["QUERY_STRING"])
        page = self._cached(key)
        count_page_cache(hit=page is not None)
        if page is None:
            response = self._render(request)
            if not self._storable(response):
                return self.gzip.process_response(request, response)
            page = stored_page(response)
            self._store(key, page)
        return self._answer(request, page)

    def _answer(self, request, page):
        encoding = self._encoding(request.headers.get("accept-encoding", ""))
        if encoding not in page["bodies"]:
            encoding = "identity"
        response = CachedPage(b"" if request.method == "HEAD" else page["bodies"][encoding])
        # The headers were checked once when the page was stored (ResponseHeaders validates each
        # header on every assignment, a good part of a cached page's cost otherwise).
        response.headers._store = dict(self._headers(page, encoding))
        return get_conditional_response(
            request, etag=page["etag"], last_modified=page["last_modified"], response=response
        )

    def _headers(self, page, encoding):
        """The response headers of ``page`` in ``encoding``, built once per process and page."""
        prepared = page.get("prepared")
        if prepared is None:
            prepared = page["prepared"] = {}
        headers = prepared.get(encoding)
        if headers is None:
            response = HttpResponse(headers=page["headers"])
            if encoding != "identity":
                response["Content-Encoding"] = encoding
            response["Content-Length"] = str(len(page["bodies"][encoding]))
            headers = prepared[encoding] = response.headers._store
        return headers

    # --- Which requests ------------------------------------------------------------------------

    def _eligible(self, request):
        """False, or the view's ``public_page`` marker: True, or its refresh period in seconds."""
        return (
            settings.PAGE_CACHE_ENABLED
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            # SecurityMiddleware's redirect comes first.
            and not (settings.SECURE_SSL_REDIRECT and not request.is_secure())
            and self._public_path(request.path_info)
        )

    def _public_path(self, path):
        public = self.public_paths.get(path)
        if public is None:
            # LocaleMiddleware's part, done first: the URL's language decides which URLs exist.
            translation.activate(translation.get_language_from_path(path) or settings.LANGUAGE_CODE)
            try:
                public = getattr(resolve(path).func, "public_page", False)
            except Resolver404:
                public = False
            if len(self.public_paths) >= self.MEMO_SIZE:
                self.public_paths.clear()
            self.public_paths[path] = public
        return public

    @staticmethod
    def _storable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "cookie" not in response.get("Vary", "").lower()
            and not response.has_header("Cache-Control")
            and not response.has_header("Content-Encoding")
        )

    # --- Rendering and answering ---------------------------------------------------------------

    def _render(self, request):
        # The page is stored plain and compressed here, so GZipMiddleware must not compress it first.
        accept_encoding = request.META.pop("HTTP_ACCEPT_ENCODING", None)
        try:
            return self.get_response(request)
        finally:
            if accept_encoding is not None:
                request.META["HTTP_ACCEPT_ENCODING"] = accept_encoding

    def _encoding(self, accept_encoding):
        encoding = self.encodings.get(accept_encoding)
        if encoding is None:
            encoding = preferred_encoding(accept_encoding)
            if len(self.encodings) >= self.MEMO_SIZE:
                self.encodings.clear()
            self.encodings[accept_encoding] = encoding
        return encoding

    # --- Where pages are kept ------------------------------------------------------------------

    def _cached(self, key):
        with self.lock:
            page = self.local.get(key)
            if page is not None:
                self.local.move_to_end(key)
                return page
        if not self.shared:
            return None
        page = self._shared(cache.get, self._shared_key(key))
        if page is not None:
            self._remember(key, page)
        return page

    def _store(self, key, page):
        self._remember(key, page)
        if self.shared:
            self._shared(cache.set, self._shared_key(key), page, settings.PAGE_CACHE_SECONDS)

    def _remember(self, key, page):
        with self.lock:
            self.local[key] = page
            if len(self.local) > self.LOCAL_PAGES:
                self.local.popitem(last=False)

    @staticmethod
    def _shared_key(key):
        version, address = key[0], "|".join(key[1:])
        return f"page:{version}:{hashlib.blake2b(address.encode(), digest_size=16).hexdigest()}"

    def _shared(self, operation, *arguments):
        """Call the shared cache, or do without it while it is unreachable (fail open, see module docstring)."""
        try:
            return sharedcache.call(operation, *arguments)
        except sharedcache.CacheUnavailable:
            return None
