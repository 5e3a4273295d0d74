"""The read-only JSON API for partner platforms.

It reuses the site's rules rather than restating them: ``Clarification.objects.published()`` decides
what is visible and ``ClarificationFilter`` gives the same filters and ``q`` search as the list page.
Withdrawn clarifications are absent from the list; their detail answers with ``status: withdrawn``
and the public note, as the site's page does, so that a partner can take down what it copied.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from core import sharedcache
from core.clients import client_key

from . import search
from .filters import ClarificationFilter
from .models import Clarification
from .serializers import ClarificationSerializer, MatchRequestSerializer, MatchResponseSerializer


class AnonymousRateThrottle(AnonRateThrottle):
    """Per-IP limit from ``API_ANON_RATE`` (e.g. ``60/min``), read on each request so tests can change it.

    The address is the site's one rule (``core.clients``): DRF's own would take the whole
    ``X-Forwarded-For``, which a client can change on every request. The counts live in the cache;
    while Redis does not answer, requests are let through (``core.sharedcache``).
    """

    def allow_request(self, request, view):
        try:
            return sharedcache.call(super().allow_request, request, view)
        except sharedcache.CacheUnavailable:
            return True

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        return client_key(request)  # an IPv6 client by its network


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


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was not answered, in the request's language.")


# The answers other than 200 are part of the contract too: a partner's client must be able to parse
# them, and the schema test (tests/test_api_schemathesis.py) fails on any status the schema omits.
TOO_MANY = OpenApiResponse(ErrorSerializer, description="Too many requests from this address (`API_ANON_RATE`).")
LIST_RESPONSES = {
    200: ClarificationSerializer(many=True),
    400: OpenApiResponse(
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        description="A filter value is invalid: each such parameter with its messages.",
    ),
    404: OpenApiResponse(ErrorSerializer, description="The page number is beyond the last page."),
    429: TOO_MANY,
}
DETAIL_RESPONSES = {
    200: ClarificationSerializer,
    404: OpenApiResponse(ErrorSerializer, description="No published or withdrawn clarification has this id."),
    429: TOO_MANY,
}


@extend_schema(responses=LIST_RESPONSES)
class ClarificationList(generics.ListAPIView):
    """Published clarifications, newest first, with the site's filters (`q`, `verdict`, `topic`, ...)."""

    serializer_class = ClarificationSerializer
    throttle_classes = [AnonymousRateThrottle]
    filterset_class = ClarificationFilter
    pagination_class = ClarificationPagination

    def get_queryset(self):
        return Clarification.objects.published().prefetch_related(*RELATED)


@extend_schema(responses=DETAIL_RESPONSES)
class ClarificationDetail(generics.RetrieveAPIView):
    """One clarification; a withdrawn one answers with its status and withdrawal note."""

    serializer_class = ClarificationSerializer
    throttle_classes = [AnonymousRateThrottle]

    def get_queryset(self):
        return Clarification.objects.published(include_withdrawn=True).prefetch_related(*RELATED)


MATCH_RESPONSES = {
    200: MatchResponseSerializer,
    400: OpenApiResponse(
        {
            "type": "object",
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        },
        description="The body is not valid: each invalid field with its messages, or `detail` when it is not JSON.",
    ),
    429: TOO_MANY,
}


@extend_schema(request=MatchRequestSerializer, responses=MATCH_RESPONSES)
class ClarificationMatch(generics.GenericAPIView):
    """The published clarifications that best answer a text, with how well each matches.

    Post the whole forwarded message (up to 2,000 characters, which would not fit in a URL); the
    ranking is the site's own, tolerant of forwarding phrases, greetings, emoji and links.
    """

    serializer_class = MatchRequestSerializer
    throttle_classes = [AnonymousRateThrottle]
    pagination_class = None
    filter_backends: list[type] = []

    def post(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = search.find_similar(
            data.validated_data["text"],
            queryset=Clarification.objects.published().prefetch_related(*RELATED),
            limit=data.validated_data["limit"],
        )
        for item in found:
            item.match_strength = item.match_strength.name.lower()
        return Response(MatchResponseSerializer({"results": found}, context=self.get_serializer_context()).data)
