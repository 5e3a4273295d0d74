"""The server URL the official account calls: ``GET`` to verify it, ``POST`` for each message.

Anything that does not follow the protocol is refused with a short plain-text status (WeChat shows
the user nothing for it) and one log line: an unsigned or stale request 403, a body over the limit
413, a malformed message 400. A message is always answered within the request, with no network call.

In safe and compatible mode (``encrypt_type=aes`` in the query string) with ``WECHAT_APP_ID`` and
``WECHAT_ENCODING_AES_KEY`` set, the envelope is opened (``crypto``), its ``msg_signature`` checked, and
the reply sealed the same way; compatible mode's plain copy is then ignored.
"""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.logs import log_event

from . import replies
from .crypto import MessageCrypto, SignatureError
from .protocol import MAX_BODY_BYTES, ProtocolError, parse, text_reply, verify

logger = logging.getLogger(__name__)


def message_crypto():
    """The account's safe-mode keys, or None when not configured (plain and compatible mode only)."""
    if not (settings.WECHAT_APP_ID and settings.WECHAT_ENCODING_AES_KEY):
        return None
    return MessageCrypto(
        token=settings.WECHAT_TOKEN, encoding_aes_key=settings.WECHAT_ENCODING_AES_KEY, app_id=settings.WECHAT_APP_ID
    )


def refuse(status, reason):
    log_event(logger, "wechat.refused", status=status, reason=reason)
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt  # WeChat's signature stands in for the CSRF token: it proves where the request came from
@never_cache
@require_http_methods(["GET", "POST"])
def endpoint(request):
    if not settings.WECHAT_TOKEN:
        raise Http404("The WeChat channel is not configured.")
    try:
        verify(
            token=settings.WECHAT_TOKEN,
            signature_given=request.GET.get("signature", ""),
            timestamp=request.GET.get("timestamp", ""),
            nonce=request.GET.get("nonce", ""),
        )
    except ProtocolError as error:
        return refuse(403, str(error))
    if request.method == "GET":
        # The URL check when the office saves the server settings: echo what WeChat sent.
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain; charset=utf-8")
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return refuse(413, "body too large")
    crypto = message_crypto() if request.GET.get("encrypt_type", "").lower() == "aes" else None
    try:
        body = request.body
        if crypto is not None:
            body = crypto.open(
                body,
                signature_given=request.GET.get("msg_signature", ""),
                timestamp=request.GET.get("timestamp", ""),
                nonce=request.GET.get("nonce", ""),
            )
        message = parse(body)
    except SignatureError as error:
        return refuse(403, str(error))
    except ProtocolError as error:
        return refuse(400, str(error))
    if settings.WECHAT_ACCOUNT_ID and message.to_user != settings.WECHAT_ACCOUNT_ID:
        return refuse(403, "message for another account")
    reply = replies.answer(message, site_url=request.build_absolute_uri("/"))
    if not reply:
        return HttpResponse("success", content_type="text/plain; charset=utf-8")
    answer = text_reply(message, reply)
    if crypto is not None:
        answer = crypto.seal(answer, nonce=request.GET.get("nonce", ""))
    return HttpResponse(answer, content_type="application/xml; charset=utf-8")
