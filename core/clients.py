"""The client-address rule: who sent a request, for the whole site.

Without a proxy the client is the peer address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each
of which appends the address it received from to ``X-Forwarded-For``, it is the entry the outermost
trusted proxy appended: entries further left were written by the client and may be forged, so they
are never used. The tip rate limit, the API throttle, the staff login lockout (django-axes) and
gunicorn's access log all take the address from here. What is kept of it, where anything is, is only
its keyed hash (``client_hash``).
"""

import logging

from django.conf import settings
from django.utils.crypto import salted_hmac
from gunicorn.glogging import Logger

logger = logging.getLogger(__name__)
_warned_about_proxy = False


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
    if not settings.TRUSTED_PROXY_COUNT and "HTTP_X_FORWARDED_FOR" in request.META:
        warn_about_proxy(request.META.get("REMOTE_ADDR", ""))
    return forwarded_client(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXY_COUNT
    )


def warn_about_proxy(peer):
    """Once per process: a proxy forwards requests but is not trusted, so all its clients look like one."""
    global _warned_about_proxy
    if not _warned_about_proxy:
        _warned_about_proxy = True
        logger.warning(
            "A request came with X-Forwarded-For from %s while TRUSTED_PROXY_COUNT is 0: behind a proxy, every "
            "visitor counts as the proxy's address (one tip limit and one login lockout for the whole city). "
            "Set TRUSTED_PROXY_COUNT to the number of proxies in front of gunicorn.",
            peer,
        )


def check_proxy_count(app_configs, **kwargs):
    """Deploy check: HTTPS (or a trusted X-Forwarded-Proto) means a TLS proxy, which needs a proxy count."""
    from django.core.checks import Warning

    behind_proxy = getattr(settings, "HTTPS", False) or getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if behind_proxy and not settings.TRUSTED_PROXY_COUNT:
        return [
            Warning(
                "HTTPS is on, so the site runs behind a TLS proxy, but TRUSTED_PROXY_COUNT is 0: every visitor "
                "would share the proxy's address for the tip limit, the API throttle and the login lockout.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For.",
                id="piyao.W001",
            )
        ]
    return []


class AccessLogger(Logger):
    """gunicorn's access log with the client address of the rule above in ``%(h)s``, not the proxy's."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # getattr: gunicorn drops the connection of a request whose access-log line raised (the
        # benchmark's hello-world app has no such setting; it lost every kept-alive connection).
        atoms["h"] = forwarded_client(
            environ.get("REMOTE_ADDR", "-"),
            environ.get("HTTP_X_FORWARDED_FOR"),
            getattr(settings, "TRUSTED_PROXY_COUNT", 0),
        )
        return atoms


def client_hash(address):
    """A keyed hash (HMAC with SECRET_KEY): equal for equal addresses, and no way back to the address."""
    return salted_hmac("piyao.tips.client", address, algorithm="sha256").hexdigest()
