from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from clarifications.models import Verdict

from . import files
from .statistics import monthly_statistics


@require_safe
def open_data(request):
    """Monthly statistics and the downloads. Not cached whole: see ``statistics.py`` on caching."""
    context = {
        "statistics": monthly_statistics(),
        "verdicts": Verdict.choices,
        "licence": settings.OPEN_DATA_LICENCE,
        "licence_url": settings.OPEN_DATA_LICENCE_URL,
    }
    return render(request, "opendata/index.html", context)


@require_safe
def clarifications_jsonl(request):
    """Every public clarification, one JSON line each: built once per content version (``files``)."""
    return files.serve(request, files.JSONL)


@require_safe
def clarifications_csv(request):
    """The same as CSV, one row each with its address: built once per content version and site address."""
    return files.serve(request, files.CSV)
