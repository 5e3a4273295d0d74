from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from . import health, search
from .filters import ClarificationFilter
from .models import Clarification, Notice, Topic
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
    related = (
        Clarification.objects.published()
        .filter(topics__in=clarification.topics.all())
        .exclude(pk=clarification.pk)
        .distinct()
        .for_cards()[:RELATED_COUNT]
    )
    return render(request, "clarifications/detail.html", {"clarification": clarification, "related": related})


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
    """200 "ok" when the site can serve and store, 503 with the reasons otherwise (see health.py)."""
    found = health.problems()
    if found:
        return HttpResponse("".join(f"{reason}\n" for reason in found), status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
