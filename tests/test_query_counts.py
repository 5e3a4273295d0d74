"""List pages cost the same number of queries for 5 or 50 rows."""

import pytest
from django.urls import reverse

from .factories import ClarificationFactory, SourceFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db

LIST_QUERIES = 4  # count, page of rows, topics of those rows, topic choices of the filter form
DETAIL_QUERIES = 6  # clarification, topics, sources, updates, related rows, their topics


def make_clarifications(count):
    topics = [TopicFactory(), TopicFactory()]
    for _ in range(count):
        ClarificationFactory(topics=topics)


@pytest.mark.parametrize("count", [5, 50])
def test_list_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_clarifications(count)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("clarifications:list")).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_home_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries, count):
    make_clarifications(count)
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200


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
