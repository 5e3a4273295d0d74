"""The client-address rule: who sent a request, for the whole site.

Without a proxy the client is the peer address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each
of which appends the address it received from to ``X-Forwarded-For``, it is the entry the outermost
trusted proxy appended: entries further left were written by the client and may be forged, so they
are never used. The tip rate limit, the API throttle, the staff login lockout (django-axes) and
gunicorn's access log all take the address from here.
"""

import logging

from django.conf import settings
from gunicorn.glogging import Logger

logger = logging.getLogger(__name__)


def forwarded_client(remote_addr, forwarded_for, hops):
    """The client's address from the peer address, the ``X-Forwarded-For`` value and the proxy count."""
    if hops > 0:
        forwarded = [part.strip() for part in (forwarded_for or "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return remote_addr or ""


def client_ip(request):
    """The address of whoever sent ``request`` (see the module docstring)."""
    return forwarded_client(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXY_COUNT
    )


class AccessLogger(Logger):
    """gunicorn's access log with the client address of the rule above in ``%(h)s``, not the proxy's."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = forwarded_client(
            environ.get("REMOTE_ADDR", "-"), environ.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXY_COUNT
        )
        return atoms
