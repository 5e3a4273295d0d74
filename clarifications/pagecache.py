"""Whole-page cache for anonymous visitors that stays correct across processes without Redis.

Every cached page is stored under a key that contains the *content version*: one database row
(``ContentVersion``) whose number every change to public content increases. The content models call
``ContentVersion.bump()`` from their ``save()`` and ``delete()``, so a publish, an edit, a correction,
a withdrawal or an import makes every worker's cached pages unreachable at once, with nothing to send
to each process. A local-memory cache per worker is therefore enough on one machine, and
``REDIS_URL`` shares the cache between app servers. Reading the version costs one primary-key query
per request, far less than rendering a page.

Scheduled clarifications need no job either: the version row remembers the next scheduled publish
time, and the first request after that moment bumps the version.

The ETag and Last-Modified headers come from the version too, so a browser's conditional request is
answered with 304 before anything is rendered or even fetched from the cache.

Only views marked with ``@public_page`` are cached, only for GET requests without a session cookie
(staff and anyone mid-way through a form bypass it), and only 200 responses that set no cookie and
do not vary on the cookie (a page with a CSRF token is never stored).
"""

import hashlib
import threading
from collections import OrderedDict
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import get_language

from .models import ContentVersion


def public_page(view):
    """Mark a view whose anonymous GET responses are the same for every visitor (see module docstring)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.public_page = True
    return wrapped


class PublicPageCacheMiddleware:
    """Serves and stores ``@public_page`` responses.

    It is the outermost middleware, so a cached page skips all the others: what it stores is the
    final response, with the headers they added (security headers, CSP, Content-Language), none of
    which depends on anything but the URL.
    """

    # The hottest pages of this worker, kept in front of the shared cache as body and headers. Keys
    # carry the content version, so an entry is only ever dropped for room, never stale.
    LOCAL_PAGES = 256

    def __init__(self, get_response):
        self.get_response = get_response
        self.local = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, request):
        if not (settings.PAGE_CACHE_ENABLED and self._eligible(request)):
            return self.get_response(request)
        number, changed_at = ContentVersion.current()
        key = self._key(request, number)
        etag = f'"{key.rsplit(":", 1)[-1]}"'
        if self._not_modified(request, etag, changed_at):
            return self._not_modified_response(etag, changed_at)
        page = self._cached(key)
        if page is not None:
            content, headers = page
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if self._storable(response):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(changed_at.timestamp())
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
            page = (response.content, dict(response.items()))
            cache.set(key, page, settings.PAGE_CACHE_SECONDS)
            self._remember(key, page)
        return response

    def _cached(self, key):
        with self.lock:
            page = self.local.get(key)
            if page is not None:
                self.local.move_to_end(key)
                return page
        page = cache.get(key)
        if page is not None:
            self._remember(key, page)
        return page

    def _remember(self, key, page):
        with self.lock:
            self.local[key] = page
            if len(self.local) > self.LOCAL_PAGES:
                self.local.popitem(last=False)

    @staticmethod
    def _eligible(request):
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        if request.path_info.startswith(settings.STATIC_URL):
            return False
        # LocaleMiddleware's part, done first: the URL's language decides which page this is.
        translation.activate(translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return getattr(match.func, "public_page", False)

    @staticmethod
    def _key(request, number):
        # Absolute URLs (canonical, Open Graph) in the page depend on the scheme and host.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}|{get_language()}"
        digest = hashlib.blake2b(f"{number}|{address}".encode(), digest_size=16).hexdigest()
        return f"page:{number}:{digest}"

    @staticmethod
    def _not_modified(request, etag, changed_at):
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            return etag in parse_etags(if_none_match)
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        return since is not None and int(changed_at.timestamp()) <= since

    @staticmethod
    def _not_modified_response(etag, changed_at):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Last-Modified"] = http_date(changed_at.timestamp())
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)
        return response

    @staticmethod
    def _storable(response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "cookie" not in response.get("Vary", "").lower()
            and not response.has_header("Cache-Control")
        )
