"""Public media (clarifications' illustrations) served by the app itself, for the embedded default.

whitenoise serves only files that exist when the app starts, so uploads need their own view. It
serves pictures only, from ``MEDIA_ROOT`` only (Django's ``static.serve`` refuses paths that leave
it and answers conditional requests with 304), with their image type, ``nosniff`` and a sandboxing
CSP, so a file can never be run as a page. Upload names never change content (a new upload gets a
new random name), so browsers may keep them a day. Behind a reverse proxy, let the proxy serve
``/media/`` from ``DATA_DIR/media`` instead (see docs/deployment.md, Public media) and set ``SERVE_MEDIA=false``.
"""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve

PUBLIC_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@require_safe
def serve_media(request, path):
    content_type = PUBLIC_TYPES.get(PurePosixPath(path).suffix.lower())
    if content_type is None:
        raise Http404("Not a public picture")
    try:
        response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    except SuspiciousFileOperation:
        raise Http404("Not a public picture") from None
    if response.status_code == 200:
        response["Content-Type"] = content_type
    response["Cache-Control"] = f"public, max-age={settings.MEDIA_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
