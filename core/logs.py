"""Structured logs for the whole site: one line per significant action, each with its request id.

The office must be able to answer "who published this, when, from where" from the logs and the
history records alone. So every line a request writes carries:

- ``request_id``: taken from the ``X-Request-ID`` header when a trusted proxy set it (``TRUSTED_PROXY_COUNT``
  above 0, and only letters, digits, ``-`` and ``_``), so that proxy and site lines join; else a new one;
- ``user``: the signed-in staff member's username;
- ``client``: the staff member's address (``core.clients.client_ip``). A citizen's address is never
  written to the logs: the privacy page promises that it is kept only as a salted hash, with the tip.
  Nor is a WeChat sender's OpenID, which WeChat puts in the query string: every handler, and gunicorn's
  access and error logs, redact identifying query parameters (``core.redaction``).

Actions are logged with ``log_event(logger, "clarification.published", id=..., ...)``: the event's name is
the message and its fields follow as ``key=value`` (or as JSON keys with ``LOG_FORMAT=json``, one object a
line, for log collectors). Commands (imports, backups, restores) log the same way, without a request.

``RequestLogMiddleware`` comes first, before the page cache, so that every request has its id, and it
logs the refusals a visitor may meet without an error: rate limits and lockouts (status 429).
"""

import contextvars
import json
import logging
import re
import secrets
from datetime import UTC, datetime

from django.conf import settings

from .clients import client_ip

_current_request = contextvars.ContextVar("current_request", default=None)
_request_id = contextvars.ContextVar("request_id", default="-")
REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

logger = logging.getLogger("piyao.requests")


def log_event(event_logger, event, *, level=logging.INFO, **fields):
    """One structured line: ``event`` (a dotted name such as ``tip.answered``) and its fields."""
    event_logger.log(level, event, extra={"event": event, "fields": fields})


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = incoming_request_id(request) or secrets.token_hex(8)
        request_token = _current_request.set(request)
        id_token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
            if response.status_code == 429:
                log_event(logger, "request.refused", level=logging.WARNING, status=429, path=request.path)
            return response
        finally:
            _current_request.reset(request_token)
            _request_id.reset(id_token)


def incoming_request_id(request):
    value = request.META.get(REQUEST_ID_HEADER, "")
    if settings.TRUSTED_PROXY_COUNT and _SAFE_REQUEST_ID.fullmatch(value):
        return value
    return None


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user`` and ``client`` to every record (empty outside a request)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        record.user, record.client = "", ""
        request = _current_request.get()
        user = getattr(request, "user", None) if request is not None else None
        if user is not None and user.is_authenticated:
            record.user = user.get_username()
            record.client = client_ip(request)
        if not hasattr(record, "event"):
            record.event, record.fields = "", {}
        return True


class _UtcTime:
    def formatTime(self, record, datefmt=None):  # noqa: ARG002 (logging.Formatter's signature; always ISO 8601)
        # ISO 8601 in UTC: lines from several servers and time zones sort and compare as they are.
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class TextFormatter(_UtcTime, logging.Formatter):
    """``time level logger [request user client] message key=value ...``, one line."""

    def format(self, record):
        line = super().format(record)
        context = " ".join(part for part in (record.request_id, record.user, record.client) if part)
        fields = " ".join(f"{key}={_text(value)}" for key, value in record.fields.items())
        head, _newline, rest = line.partition("\n")
        head = f"{self.formatTime(record)} {record.levelname} {record.name} [{context}] {head}"
        return " ".join(part for part in (head, fields) if part) + (f"\n{rest}" if rest else "")


class JsonFormatter(_UtcTime, logging.Formatter):
    """One JSON object a line: what log collectors read without parsing rules."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.request_id,
        }
        if record.event:
            entry["event"] = record.event
        if record.user:
            entry["user"], entry["client"] = record.user, record.client
        entry.update({key: _plain(value) for key, value in record.fields.items()})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _text(value):
    text = str(_plain(value))
    if not text or any(character.isspace() or character in '"=' for character in text):
        return json.dumps(text, ensure_ascii=False)
    return text
