from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from .filters import ClarificationFilter
from .models import Clarification, Notice, Topic
from .pagecache import public_page

HOME_LATEST = 8
RELATED_COUNT = 4


@public_page
def home(request):
    latest = Clarification.objects.published().for_cards()[:HOME_LATEST]
    notices = Notice.objects.published()[:3]
    topics = Topic.objects.filter(clarifications__in=Clarification.objects.published()).distinct()
    return render(request, "clarifications/home.html", {"latest": latest, "notices": notices, "topics": topics})


@public_page
def clarification_list(request):
    filterset = ClarificationFilter(request.GET, queryset=Clarification.objects.published().for_cards())
    page = Paginator(filterset.qs, settings.CLARIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clarifications/list.html", {"filter": filterset, "page": page})


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
    """200 "ok" when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
