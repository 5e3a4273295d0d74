"""Staff login protection with django-axes: what a locked-out person sees.

Failures are counted per username and client address (``core.clients.client_key``: an IPv6 client by its network)."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def lockout_response(request, response=None, credentials=None):  # noqa: ARG001 (axes passes all three)
    """The admin-styled page shown instead of the login form while a username and address are locked."""
    context = {
        **admin.site.each_context(request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)
