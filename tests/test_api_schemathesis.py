"""Schemathesis against the published OpenAPI schema: every operation, generated inputs, no 500, and
every response (status, content type, headers, body) matches what ``/api/schema/`` promises.

The schema is loaded from the Django WSGI application itself, so the run needs no server and
exercises the same middleware as production. Each operation gets a bounded number of examples (see
``EXAMPLES``) so the whole file stays within a few seconds; the detail operation is also called on
every seeded id, since random integers would almost never hit one.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from config.wsgi import application

from .factories import ClarificationFactory, SourceFactory, TopicFactory, UpdateFactory

EXAMPLES = 40
# Every check runs except two that judge input validation rather than responses: like the site's list
# page, the API ignores an empty filter (``?published_before=``) instead of answering 400, and a page
# number past the last page is a documented 404 although any integer fits the schema.
LENIENT_BY_DESIGN = [negative_data_rejection, positive_data_acceptance]
DETAIL = "/api/clarifications/{id}/"


@pytest.fixture
def published(db):
    """Three published clarifications with topics, sources and updates, one withdrawn, plus items the
    public must never see (a draft, one in review and one scheduled for later)."""
    health, transport = TopicFactory(slug="health"), TopicFactory(slug="transport")
    visible = [
        ClarificationFactory(title="网传地铁停运不实", region="浦东新区", topics=[transport]),
        ClarificationFactory(title="网传疫苗有毒不实", verdict="misleading", topics=[health, transport]),
        ClarificationFactory(title="Tap water is safe", language="en", topics=[health]),
        ClarificationFactory(title="已撤回的澄清", withdrawn=True),
    ]
    for clarification in visible:
        SourceFactory(clarification=clarification)
        SourceFactory(clarification=clarification, url="https://example.org/report", date="2025-03-02")
        UpdateFactory(clarification=clarification)
    hidden = [
        ClarificationFactory(title="SECRET draft", draft=True, topics=[health]),
        ClarificationFactory(title="SECRET in review", in_review=True),
        ClarificationFactory(title="SECRET scheduled", scheduled=True, topics=[health]),
    ]
    return {"visible": visible, "hidden": hidden}


# Loaded when the module is collected: generating the schema reads no database row.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# Schemathesis's WSGI transport asks for gzip but does not decompress; compression is tested elsewhere.
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(autouse=True)
def connection_kept_open():
    """The WSGI application closes the database connection after each request, as it should in
    production; inside a test that would end the test's transaction (PostgreSQL). Django's test client
    avoids it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def generous_throttle(settings):
    # Hundreds of requests from one address: the anonymous throttle must not turn them into 429s.
    settings.API_ANON_RATE = "100000/min"


def assert_no_hidden_item(response, published):
    text = response.text
    assert "SECRET" not in text, f"an unpublished clarification leaked: {text[:500]}"
    if response.status_code == 200 and "id" in text:
        body = response.json()
        items = body.get("results", [body]) if isinstance(body, dict) else []
        hidden_ids = {clarification.pk for clarification in published["hidden"]}
        assert not {item.get("id") for item in items} & hidden_ids


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_api_operation_answers_as_its_schema_promises(case, published):
    response = case.call_and_validate(headers=PLAIN, excluded_checks=LENIENT_BY_DESIGN)
    assert_no_hidden_item(response, published)


def test_every_published_clarification_and_no_hidden_one_is_served_as_the_schema_describes(published):
    operation = schema[DETAIL]["GET"]
    for clarification in published["visible"]:
        response = operation.Case(path_parameters={"id": clarification.pk}).call_and_validate(headers=PLAIN)
        assert response.status_code == 200
        assert response.json()["title"] == clarification.title
    for clarification in published["hidden"]:
        response = operation.Case(path_parameters={"id": clarification.pk}).call_and_validate(headers=PLAIN)
        assert response.status_code == 404
        assert_no_hidden_item(response, published)


def test_the_list_operation_returns_every_visible_item_as_the_schema_describes(published):
    response = schema["/api/clarifications/"]["GET"].Case(query={"page_size": 100}).call_and_validate(headers=PLAIN)
    titles = {item["title"] for item in response.json()["results"]}
    # The withdrawn clarification keeps its detail page for partners but leaves the list.
    assert titles == {clarification.title for clarification in published["visible"][:3]}


def test_an_api_address_no_route_matches_answers_json_and_a_site_address_the_friendly_page(client):
    response = client.get("/api/clarifications/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    page = client.get("/clarifications/not-a-number/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
