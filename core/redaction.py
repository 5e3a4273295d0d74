"""Identifiers that never reach a log: the WeChat sender's OpenID (and UnionID) in a query string.

WeChat calls the server URL as ``/wechat/?signature=…&openid=<OpenID>``: the sender's OpenID, which the
site keeps only as a keyed hash (``core.clients.client_hash``, purged with the tip). Written in clear
to gunicorn's access log, the error log or the site's own log it would outlive that purge. So every
log line is passed through ``redact_identifiers``: in gunicorn's access log (``AccessLogger``, every
atom, so whatever ``access_log_format`` says), gunicorn's error log and the site's log handlers
(``RedactingFilter``).
"""

import logging
import re

IDENTIFYING_PARAMETERS = ("openid", "unionid")
REDACTED = "[redacted]"
# name=value in a query string, also percent-encoded (a URL quoted inside another one), any case.
_PARAMETER = re.compile(
    r"(?i)(?:(?<![a-z0-9_])|(?<=%3f)|(?<=%26))(" + "|".join(IDENTIFYING_PARAMETERS) + r")(=|%3D)([^&\s\"';#]*)",
)


def redact_identifiers(text):
    """``text`` with the value of every identifying query parameter replaced by ``[redacted]``."""
    if not isinstance(text, str) or ("=" not in text and "%3" not in text):
        return text
    return _PARAMETER.sub(lambda match: f"{match.group(1)}{match.group(2)}{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Redacts a record's message (formatted with its arguments) and its structured fields."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact_identifiers(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {key: redact_identifiers(value) for key, value in fields.items()}
        return True
