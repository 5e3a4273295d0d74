from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition, require_safe

from clarifications.models import ContentVersion, Verdict
from clarifications.pagecache import CACHE_CONTROL

from . import downloads
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


def _download_etag(request):
    # A download is every public clarification: it changes only with the public content (and the CSV's
    # links with the host). A client asking again with the ETag gets 304 instead of the whole export.
    return f'"{ContentVersion.token()}:{request.get_host()}"'


@require_safe
@condition(etag_func=_download_etag)
def clarifications_jsonl(request):
    return _download(downloads.jsonl_lines(), "application/jsonl; charset=utf-8", "clarifications.jsonl")


@require_safe
@condition(etag_func=_download_etag)
def clarifications_csv(request):
    lines = downloads.csv_lines(request.build_absolute_uri)
    return _download(lines, "text/csv; charset=utf-8", "clarifications.csv")


def _download(lines, content_type, filename):
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = CACHE_CONTROL  # revalidated, like the pages (see pagecache.py)
    if settings.OPEN_DATA_LICENCE_URL:
        response["Link"] = f'<{settings.OPEN_DATA_LICENCE_URL}>; rel="license"'
    return response
