"""The client-address rule: who sent a request, for the whole site.

Without a proxy the client is the peer address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each
of which appends the address it received from to ``X-Forwarded-For``, it is the entry the outermost
trusted proxy appended: entries further left were written by the client and may be forged, so they
are never used. The tip rate limit, the API throttle, the staff login lockout (django-axes) and
gunicorn's access log all take the address from here. What is kept of it, where anything is, is only
its keyed hash (``client_hash``).

**IPv6 clients are counted by network.** One IPv6 subscriber (a home, a phone) is given a whole /64
and may pick a new address in it for every request, so a limit counted per address limits nothing.
Every limit and every hash (``client_key``, ``client_hash``) therefore counts an IPv6 client by its
network of ``CLIENT_IPV6_PREFIX`` bits (64 by default; 56 or 48 for providers that hand out larger
blocks), an IPv4-mapped IPv6 address as the IPv4 address it is, and an IPv4 address as itself.
"""

import ipaddress
import logging

from django.conf import settings
from django.core.checks import Warning
from django.utils.crypto import salted_hmac
from gunicorn.glogging import Logger

from .redaction import RedactingFilter, redact_identifiers

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
    if not settings.TRUSTED_PROXY_COUNT and "x-forwarded-for" in request.headers:
        warn_about_proxy(request.META.get("REMOTE_ADDR", ""))
    return forwarded_client(
        request.META.get("REMOTE_ADDR", ""), request.headers.get("x-forwarded-for"), settings.TRUSTED_PROXY_COUNT
    )


def limit_address(address):
    """The address as limits and hashes count it (see the module docstring): an IPv6 address becomes its
    network's first address (``2001:db8:1:2::`` for a /64, still a valid address for the login lockout's
    records); anything that is not an IP address is returned as it is."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])  # without an IPv6 zone (fe80::1%eth0)
    except (ValueError, AttributeError):
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, settings.CLIENT_IPV6_PREFIX), strict=False).network_address)
    return str(ip)


def client_key(request):
    """Who sent ``request``, as every limit counts it: the address, or an IPv6 client's network."""
    return limit_address(client_ip(request))


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


def check_proxy_count(app_configs, **kwargs):  # noqa: ARG001 (Django passes app_configs by name)
    """Deploy check: HTTPS (or a trusted X-Forwarded-Proto) means a TLS proxy, which needs a proxy count."""
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
    """gunicorn's logs: the access log with the client address of the rule above in ``%(h)s``, not the
    proxy's, and no identifier in any line of either log (``core.redaction``: the WeChat sender's
    OpenID is in the query string of every message WeChat forwards)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactingFilter) for existing in log.filters):
                log.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # getattr: gunicorn drops the connection of a request whose access-log line raised (the
        # benchmark's hello-world app has no such setting; it lost every kept-alive connection).
        atoms["h"] = forwarded_client(
            environ.get("REMOTE_ADDR", "-"),
            environ.get("HTTP_X_FORWARDED_FOR"),
            getattr(settings, "TRUSTED_PROXY_COUNT", 0),
        )
        return {name: redact_identifiers(value) for name, value in atoms.items()}


def client_hash(address):
    """A keyed hash (HMAC with SECRET_KEY): equal for equal clients (an IPv6 address counts by its network,
    see ``limit_address``; other identifiers, such as ``wechat:<OpenID>``, as they are), and no way back."""
    return salted_hmac("piyao.tips.client", limit_address(address), algorithm="sha256").hexdigest()
