"""Fetching a picture sent to the official account, after the reply, within bounds.

WeChat gives a picture as an address (``PicUrl``) on its image servers. Downloading it inside the
request could overrun the 5 seconds WeChat waits for a reply, so the tip is created with the address
(``Tip.pending_picture_url``) and the picture is fetched afterwards by ``fetch``: from an allowed host
only (``WECHAT_PICTURE_HOSTS``), with no redirect followed, at most ``TIPS_MAX_UPLOAD_BYTES`` read and
``FETCH_DEADLINE`` seconds spent, then decoded and re-encoded exactly like a citizen's upload
(``core.images``) and stored privately as the tip's screenshot.

``enqueue_fetch`` is the one place that asks for a fetch: the task queue runs it
(``tips.intake.wechat.tasks.fetch_wechat_picture``). Once stored, the picture is the tip's screenshot like any
other, and its reading (OCR) is queued at the end of ``fetch``. A failure that may pass (a timeout,
a server error) leaves the picture pending and the queue tries again; one that will not (refused,
too large, not a picture, gone) is written on the tip for staff. ``manage.py fetch_wechat_pictures``
fetches whatever is still pending (after the queue gave up, or was down).
"""

import http.client
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from core.images import clean_screenshot
from core.logs import log_event
from core.storage import private_storage
from tips.intake import receive
from tips.models import ScreenshotReading, Tip

from .protocol import picture_url_allowed

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT = 5
FETCH_DEADLINE = 15
CHUNK_BYTES = 64 * 1024


class FetchFailed(Exception):
    """The picture could not be fetched this time; ``lasting`` when trying again will not help."""

    def __init__(self, reason, *, lasting):
        super().__init__(reason)
        self.lasting = lasting


def allowed(url):
    """Whether ``url`` may be kept and fetched: on an allowed host, and short enough to store."""
    max_length = Tip._meta.get_field("pending_picture_url").max_length or 0
    return picture_url_allowed(url, hosts=settings.WECHAT_PICTURE_HOSTS, max_length=max_length)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ARG002 (urllib's signature)
        # A redirect could lead anywhere, past the allowed hosts: it is a failure, not a detour.
        return None


def download(url, *, max_bytes):
    """The body at ``url``, or FetchFailed; never more than ``max_bytes`` read or ``FETCH_DEADLINE`` seconds
    spent (plus one read's ``SOCKET_TIMEOUT``)."""
    if not allowed(url):
        raise FetchFailed("host not allowed", lasting=True)
    opener = urllib.request.build_opener(_NoRedirect)
    started = time.monotonic()
    try:
        with opener.open(url, timeout=SOCKET_TIMEOUT) as response:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise FetchFailed("too large", lasting=True)
            body = bytearray()
            # read1: what one receive brings, so that a server sending a byte at a time meets the deadline.
            while chunk := response.read1(CHUNK_BYTES):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchFailed("too large", lasting=True)
                if time.monotonic() - started > FETCH_DEADLINE:
                    raise FetchFailed("too slow", lasting=False)
            return bytes(body)
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"HTTP {error.code}", lasting=error.code < 500) from None
    except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets, truncated bodies
        raise FetchFailed(f"unreachable: {error.__class__.__name__}", lasting=False) from None


def fetch(tip_id: int) -> bool:
    """Fetch the pending picture of tip ``tip_id`` and store it as its screenshot; True when stored.

    Raises FetchFailed for a failure worth retrying (the picture stays pending).
    """
    tip = Tip.objects.filter(pk=tip_id).exclude(pending_picture_url="").filter(picture_fetch_error="").first()
    if tip is None or tip.screenshot:
        return False
    try:
        body = download(tip.pending_picture_url, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)
        picture = clean_screenshot(ContentFile(body, name="wechat"), max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)
    except ValidationError as error:
        return _failed(tip, "; ".join(error.messages))
    except FetchFailed as error:
        if error.lasting:
            return _failed(tip, str(error))
        log_event(logger, "wechat.picture_retry", tip=tip.code, reason=str(error))
        raise
    upload_to = Tip._meta.get_field("screenshot").generate_filename(None, picture.name)  # type: ignore[arg-type]
    name = private_storage().save(upload_to, picture)
    stored = Tip.objects.filter(pk=tip.pk, screenshot="").update(
        screenshot=name, pending_picture_url="", screenshot_reading=ScreenshotReading.PENDING
    )
    if not stored:
        private_storage().delete(name)
        return False
    log_event(logger, "wechat.picture_stored", tip=tip.code)
    receive.queue_screenshot_reading(tip.pk)
    return True


def _failed(tip, reason):
    Tip.objects.filter(pk=tip.pk).update(picture_fetch_error=reason[:200])
    log_event(logger, "wechat.picture_failed", tip=tip.code, reason=reason)
    return False


def fetch_pending(*, limit=50) -> tuple[int, int]:
    """Fetch the pictures still pending, oldest first; returns (stored, still pending)."""
    stored = waiting = 0
    pending = Tip.objects.exclude(pending_picture_url="").filter(picture_fetch_error="").order_by("submitted_at")
    for tip_id in pending.values_list("pk", flat=True)[:limit]:
        try:
            stored += fetch(tip_id)
        except FetchFailed:
            waiting += 1
    return stored, waiting
