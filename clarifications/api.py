"""The read-only JSON API for partner platforms.

It reuses the site's rules rather than restating them: ``Clarification.objects.published()`` decides
what is visible and ``ClarificationFilter`` gives the same filters and ``q`` search as the list page.
Withdrawn clarifications are absent from the list; their detail answers with ``status: withdrawn``
and the public note, as the site's page does, so that a partner can take down what it copied.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

from . import search
from .filters import ClarificationFilter
from .models import Clarification
from .serializers import ClarificationSerializer


class AnonymousRateThrottle(AnonRateThrottle):
    """Per-IP limit from ``API_ANON_RATE`` (e.g. ``60/min``), read on each request so tests can change it."""

    def get_rate(self):
        return settings.API_ANON_RATE


class ClarificationPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = _("There is no such page.")

    def paginate_queryset(self, queryset, request, view=None):
        # A search counts at most search.RESULT_CAP matches, as the list page does.
        self.django_paginator_class = search.ResultPaginator if request.query_params.get("q") else Paginator
        return super().paginate_queryset(queryset, request, view)


RELATED = ("topics", "sources", "updates")


class ClarificationList(generics.ListAPIView):
    """Published clarifications, newest first, with the site's filters (`q`, `verdict`, `topic`, ...)."""

    serializer_class = ClarificationSerializer
    throttle_classes = [AnonymousRateThrottle]
    filterset_class = ClarificationFilter
    pagination_class = ClarificationPagination

    def get_queryset(self):
        return Clarification.objects.published().prefetch_related(*RELATED)


class ClarificationDetail(generics.RetrieveAPIView):
    """One clarification; a withdrawn one answers with its status and withdrawal note."""

    serializer_class = ClarificationSerializer
    throttle_classes = [AnonymousRateThrottle]

    def get_queryset(self):
        return Clarification.objects.published(include_withdrawn=True).prefetch_related(*RELATED)
