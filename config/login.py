"""Staff login protection with django-axes: whom to count failures against, and what a locked-out
person sees."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def client_ip(request):
    """The address of whoever sent the request: axes counts login failures per username and address,
    and the tip rate limit counts per address.

    Without a proxy it is the peer address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of
    which appends the address it received from to ``X-Forwarded-For``, it is the entry the outermost
    trusted proxy appended: entries further left were written by the client and may be forged.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, response=None, credentials=None):
    """The admin-styled page shown instead of the login form while a username and address are locked."""
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)
