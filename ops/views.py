"""The site's own answers: the health check and the 404 handler, for every app."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from . import health


@never_cache
def healthz(_request):
    """Each dependency's state as JSON: 200 when the site can serve and store, 503 otherwise (see health.py)."""
    status, body = health.report()
    return JsonResponse(body, status=status)


def not_found(request, exception):
    """The 404 handler: JSON under ``/api/`` (an address no API route matches, e.g. a detail URL whose
    id is not a number), so that a partner's client always gets the documented body; the site's page
    elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return defaults.page_not_found(request, exception)
