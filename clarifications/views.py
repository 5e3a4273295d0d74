"""The public pages of clarifications: the list with its search and filters, a clarification's page
and its share pictures, topics, notices, search suggestions, the page-view beacon, and the staff
preview of an unpublished clarification.

Public GET pages are kept by the page cache (``pagecache.public_page``) and only ever show what
``Clarification.objects.published()`` returns; the preview is the one staff-only view, never cached.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_http_methods, require_POST, require_safe

from core import ratelimit
from core.clients import client_hash, client_ip

from . import pagecache, pageviews, search, share_font, share_images
from .filters import ClarificationFilter
from .models import Clarification, Language, Notice, Topic
from .pagecache import public_page
from .templatetags.seo import on_this_host

RELATED_COUNT = 4
SUGGESTIONS = 5
SUGGEST_MIN_CHARS = 2


@csrf_exempt  # a beacon carries no token; all it can do is add one to a public page's daily count
@require_POST
def clarification_seen(request, pk):
    """The beacon of a clarification's page (``static/js/seen.js``): one more view today (see pageviews.py)."""
    if not Clarification.objects.published().filter(pk=pk).exists():
        raise Http404
    # Counted in the cache and in memory: a beacon never waits for the database's write lock.
    if not ratelimit.hit_in_cache("views", client_hash(client_ip(request)), rate=settings.VIEWS_RATE):
        return HttpResponse(status=429)
    pageviews.count_view(pk)
    return HttpResponse(status=204)


# A search whose address would be longer than this is answered from the POST itself (no redirect):
# gunicorn refuses request lines over 4 KB and proxies usually over 8 KB, and a pasted Chinese message
# is nine bytes a character once in a URL.
MAX_GET_QUERY_BYTES = 1800
SEARCH_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]
NEAREST_SHOWN = 5
FILTER_FIELDS = ("q", "verdict", "topic", "region", "language", "published_after", "published_before", "sort")


@csrf_exempt  # searching changes nothing, and the cached pages that hold the form carry no token
@require_http_methods(SEARCH_METHODS)
@public_page(methods=SEARCH_METHODS)
def clarification_list(request):
    """The list with its filters; a search is ranked and tells how well its best result matches.

    The search forms post, so that a whole forwarded message (up to 2,000 characters) fits: a short
    search is redirected to its bookmarkable ``?q=`` address, a long one is answered at once.
    """
    data, truncated = request.GET, False
    if request.method == "POST":
        data = request.POST.copy()
        if len(data.get("q", "")) > search.MAX_QUERY_CHARS:
            data["q"], truncated = data["q"][: search.MAX_QUERY_CHARS], True
        address = urlencode([(name, data[name]) for name in FILTER_FIELDS if data.get(name)])
        if not truncated and len(address) <= MAX_GET_QUERY_BYTES:
            return redirect(reverse("clarifications:list") + (f"?{address}" if address else ""), permanent=False)
    filterset = ClarificationFilter(data, queryset=Clarification.objects.published().for_cards())
    results = filterset.qs  # filtering ranks the search, which sets filterset.ranking
    ranking = filterset.ranking
    paginator: Paginator
    if ranking is not None:
        paginator = search.ResultPaginator(results, settings.CLARIFICATIONS_PER_PAGE, capped=ranking.capped)
    else:
        paginator = Paginator(results, settings.CLARIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    if ranking is not None:
        page.object_list = search.add_snippets(list(page.object_list), ranking.highlight)
    match = _match_summary(filterset, ranking, page)
    if match == "none":
        # Nothing answers the text: a few of the nearest are shown as possibly related, not pages of them.
        page.object_list = page.object_list[:NEAREST_SHOWN]
    context = {
        "filter": filterset,
        "page": page,
        "ranking": ranking,
        "matching": ranking.count(search.Strength.MATCH) if ranking else None,
        "match": match,
        "first_related": _first_related(filterset, ranking, page),
        "truncated": truncated,
        "posted": request.method == "POST",
    }
    return render(request, "clarifications/list.html", context)


def _match_summary(filterset, ranking, page):
    """How the page presents a search: "strong" (announce the first result), "none" (nothing close), or None."""
    if ranking is None or not ranking.ids or page.number != 1:
        return "none" if ranking is not None and not ranking.ids else None
    if filterset.form.cleaned_data.get("sort") not in ("", None, "relevance"):
        return None
    return ranking.notice()


def _first_related(filterset, ranking, page):
    """The position on the page of the first result that is only "possibly related", if any."""
    if ranking is None or filterset.form.cleaned_data.get("sort") not in ("", None, "relevance"):
        return None
    return next(
        (index for index, item in enumerate(page.object_list) if item.search_strength == search.Strength.RELATED),
        None,
    )


@csrf_exempt  # as for the list: nothing changes, and long texts are posted
@require_http_methods(SEARCH_METHODS)
@public_page(methods=SEARCH_METHODS)
def suggest(request):
    """The best public matches for a text, as JSON, for as-you-type suggestions.

    ``{"results": [{"title", "url", "verdict", "verdict_label", "truth", "snippet", "strength"}]}``;
    ``snippet`` is HTML, escaped except for the <mark> around matched words; ``strength`` is
    ``strong`` or ``match`` (weaker results are not suggested). Fewer than two characters give an
    empty list. ``q`` comes from the query string, or from the POST body for a long text. GETs are
    cached like the public pages, so a new clarification is suggested at once.
    """
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("q", "")[: search.MAX_QUERY_CHARS].strip()
    results = []
    if len(query) >= SUGGEST_MIN_CHARS:
        matches = search.find_similar(
            query,
            queryset=Clarification.objects.published(),
            limit=SUGGESTIONS,
            at_least=search.Strength.MATCH,
            snippets=True,
        )
        results = [
            {
                "title": clarification.title,
                "url": clarification.get_absolute_url(),
                "verdict": clarification.verdict,
                "verdict_label": clarification.get_verdict_display(),
                "truth": clarification.truth,
                "snippet": clarification.search_snippet,
                "strength": clarification.match_strength.name.lower(),
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
    context = {"clarification": clarification, "related": related, "content_language": clarification.language}
    return render(request, "clarifications/detail.html", context)


def _share_image_etag(request, pk, variant):
    clarification = Clarification.objects.published(include_withdrawn=True).filter(pk=pk).first()
    if clarification is None:
        return None
    return share_images.cache_key(clarification, variant, get_language(), _page_address(request, clarification))


def _page_address(request, clarification):
    """The absolute address of the clarification's page in the active language (for its QR code), through
    the same host guard as the share kit's link (``piyao.page_address``)."""
    return on_this_host(request, clarification.get_absolute_url())


@require_safe
@condition(etag_func=_share_image_etag)
def clarification_share_image(request, pk, variant):
    """The clarification's share picture (see share_images.py), revalidated by its content hash."""
    clarification = get_object_or_404(Clarification.objects.published(include_withdrawn=True), pk=pk)
    if not share_font.available():
        # No CJK font on this server (share_font.py): the site's default picture, never an error.
        return redirect(static("img/share-default.png"))
    png, _key = share_images.share_image(clarification, variant, get_language(), _page_address(request, clarification))
    response = HttpResponse(png, content_type="image/png")
    # Revalidated like the pages (see pagecache.py): a correction shows in the picture at once.
    response["Cache-Control"] = pagecache.CACHE_CONTROL
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
    context = {
        "clarification": clarification,
        "related": [],
        "preview": True,
        "content_language": clarification.language,
    }
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
    return render(request, "clarifications/notice_detail.html", {"notice": notice, "content_language": notice.language})
