"""List pages cost the same number of queries for 5 or 50 rows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clarifications.models import DailyViews
from tips.models import ReportStatus

from .factories import ClarificationFactory, RumorFactory, SourceFactory, TipFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 4  # count, page of rows, topics of those rows, topic choices of the filter form
# The ranking: reports per rumor (one query per channel: tips, sightings), those rumors' answers, the
# most viewed (one more when an answered clarification is not among them), the ranked rows and their
# topics.
MOST_ASKED_QUERIES = 6
# Latest rows and their topics, notices, topics in use, and the ranking.
HOME_QUERIES = 4 + MOST_ASKED_QUERIES
DETAIL_QUERIES = 6  # clarification, topics, sources, updates, related rows, their topics


def make_clarifications(count):
    """``count`` clarifications, each read this week; every other one answers a rumor reported again."""
    topics = [TopicFactory(), TopicFactory()]
    for number in range(count):
        clarification = ClarificationFactory(topics=topics)
        DailyViews.objects.create(clarification=clarification, day=timezone.localdate(), views=number + 1)
        if number % 2:
            rumor = RumorFactory()
            TipFactory(rumor=rumor, status=ReportStatus.ANSWERED, clarification=clarification)
            TipFactory(rumor=rumor)


@pytest.mark.parametrize("count", [5, 50])
def test_list_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_clarifications(count)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("clarifications:list")).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_home_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    make_clarifications(count)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_most_asked_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_clarifications(count)
    with django_assert_num_queries(MOST_ASKED_QUERIES):
        assert client.get(reverse("home:most_asked")).status_code == 200


@pytest.mark.parametrize("sources", [1, 10])
def test_detail_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, sources):
    topic = TopicFactory()
    clarification = ClarificationFactory(topics=[topic])
    for _ in range(sources):
        SourceFactory(clarification=clarification)
        UpdateFactory(clarification=clarification)
        ClarificationFactory(topics=[topic])
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(clarification.get_absolute_url()).status_code == 200
