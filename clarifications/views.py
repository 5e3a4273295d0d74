from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_safe

from . import search, share_images
from .filters import ClarificationFilter
from .models import Clarification, Language, Notice, Topic
from .pagecache import public_page

HOME_LATEST = 8
RELATED_COUNT = 4
SUGGESTIONS = 5
SUGGEST_MIN_CHARS = 2


@public_page
def home(request):
    latest = Clarification.objects.published().for_cards()[:HOME_LATEST]
    notices = Notice.objects.published()[:3]
    topics = Topic.objects.in_use()
    return render(request, "clarifications/home.html", {"latest": latest, "notices": notices, "topics": topics})


@public_page
def clarification_list(request):
    filterset = ClarificationFilter(request.GET, queryset=Clarification.objects.published().for_cards())
    paginator = search.ResultPaginator if filterset.search_query else Paginator
    page = paginator(filterset.qs, settings.CLARIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    if filterset.search_query:
        page.object_list = search.add_snippets(list(page.object_list), filterset.search_query)
    return render(request, "clarifications/list.html", {"filter": filterset, "page": page})


@public_page
def suggest(request):
    """The best public matches for a few words, as JSON, for as-you-type suggestions.

    ``{"results": [{"title", "url", "verdict", "verdict_label", "truth", "snippet"}]}``; ``snippet``
    is HTML, escaped except for the <mark> around matched words. Fewer than two characters give an
    empty list. Cached like the public pages, so a new clarification is suggested at once.
    """
    query = request.GET.get("q", "")[: search.MAX_QUERY_CHARS].strip()
    results = []
    if len(query) >= SUGGEST_MIN_CHARS:
        matches = search.search(Clarification.objects.published(), query)[:SUGGESTIONS]
        parsed = search.parse_query(query)
        results = [
            {
                "title": clarification.title,
                "url": clarification.get_absolute_url(),
                "verdict": clarification.verdict,
                "verdict_label": clarification.get_verdict_display(),
                "truth": clarification.truth,
                "snippet": search.snippet(clarification, parsed),
            }
            for clarification in matches
        ]
    return JsonResponse({"results": results})


@public_page
def clarification_detail(request, pk):
    clarification = get_object_or_404(
        Clarification.objects.published(include_withdrawn=True).prefetch_related("topics", "sources", "updates"),
        pk=pk,
    )
    # Related items in the page's language come first (a Chinese page should not lead with English).
    page_language = Language.EN if get_language().startswith("en") else Language.ZH_HANS
    related = (
        Clarification.objects.published()
        .filter(topics__in=clarification.topics.all())
        .exclude(pk=clarification.pk)
        .annotate(other_language=Case(When(language=page_language, then=Value(0)), default=Value(1)))
        .distinct()
        .for_cards()
        .order_by("other_language", "-published_at", "-id")[:RELATED_COUNT]
    )
    return render(request, "clarifications/detail.html", {"clarification": clarification, "related": related})


def _share_image_etag(request, pk, variant):
    clarification = Clarification.objects.published(include_withdrawn=True).filter(pk=pk).first()
    return share_images.cache_key(clarification, variant, get_language()) if clarification else None


@require_safe
@condition(etag_func=_share_image_etag)
def clarification_share_image(request, pk, variant):
    """The clarification's share picture (see share_images.py), revalidated by its content hash."""
    clarification = get_object_or_404(Clarification.objects.published(include_withdrawn=True), pk=pk)
    png, _key = share_images.share_image(clarification, variant, get_language())
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_PAGE_MAX_AGE}"
    return response


@never_cache
def clarification_preview(request, pk):
    """A clarification of any status, rendered exactly as its public page, for staff only.

    Anyone else gets the same 404 as for a missing page, so a preview URL reveals nothing. The page
    is never cached and tells search engines not to index it.
    """
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("clarifications.view_clarification")):
        raise Http404
    clarification = get_object_or_404(
        Clarification.objects.prefetch_related("topics", "sources", "updates"),
        pk=pk,
    )
    context = {"clarification": clarification, "related": [], "preview": True}
    response = render(request, "clarifications/detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@public_page
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    clarifications = Clarification.objects.published().filter(topics=topic).for_cards()
    page = Paginator(clarifications, settings.CLARIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clarifications/topic.html", {"topic": topic, "page": page})


@public_page
def notice_list(request):
    page = Paginator(Notice.objects.published(), settings.CLARIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clarifications/notice_list.html", {"page": page})


@public_page
def notice_detail(request, pk):
    notice = get_object_or_404(Notice.objects.published(), pk=pk)
    return render(request, "clarifications/notice_detail.html", {"notice": notice})


@never_cache
def healthz(request):
    """200 "ok" when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
