"""Project-wide request guards that belong to no single app.

They live in ``config/`` beside the settings they read, because they protect every URL (public pages,
tips, admin, API) rather than one app's views.
"""

from django.conf import settings
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body exceeds ``MAX_REQUEST_BYTES`` with a 413 page.

    The check reads only the ``Content-Length`` header, so an oversized upload is turned away before
    Django (or CSRF, or a form) reads a byte of it. A body sent without a length is never read by
    Django's WSGI handler at all, and a length that is not a number is treated by Django as empty, so
    both are left to the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            # No "Connection: close": WSGI forbids hop-by-hop headers (gunicorn drops them). A sync
            # worker closes the connection after each response anyway, so the unread body is never
            # taken for a next request.
            return render(request, "413.html", {"limit_mb": settings.MAX_REQUEST_BYTES / (1024 * 1024)}, status=413)
        return self.get_response(request)
