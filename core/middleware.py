"""Project-wide request guards that belong to no single app.

They live in ``config/`` beside the settings they read, because they protect every URL (public pages,
tips, admin, API) rather than one app's views.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import Resolver404, resolve


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``MAX_REQUEST_BYTES`` with a 413 page.

    The check reads only the ``Content-Length`` header, so an oversized upload is turned away before
    Django (or CSRF, or a form) reads a byte of it. A body sent without a length is never read by
    Django's WSGI handler at all, and a length that is not a number is treated by Django as empty, so
    both are left to the view. A view marked ``checks_request_size`` refuses large bodies itself, with
    a lower limit and its own answer (the tip form: the form again, the screenshot's limit under it).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES and not checks_own_size(request):
            # No "Connection: close": WSGI forbids hop-by-hop headers (gunicorn drops them). A sync
            # worker closes the connection after each response anyway, so the unread body is never
            # taken for a next request.
            return render(request, "413.html", {"limit_mb": settings.MAX_REQUEST_BYTES / (1024 * 1024)}, status=413)
        return self.get_response(request)


def checks_own_size(request):
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return getattr(match.func, "checks_request_size", False)
