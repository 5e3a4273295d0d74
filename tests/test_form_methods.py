"""The citizens' forms answer OPTIONS with what they accept (no page), and methods they do not take
with 405, before any CSRF check; POST still needs its CSRF token."""

import uuid

import pytest
from django.test import Client

from .factories import TipFactory

pytestmark = pytest.mark.django_db

FORMS = ["/tips/new/", "/en/tips/new/", "/check/", "/en/check/"]


@pytest.fixture
def csrf_client():
    """A client that checks CSRF tokens, as a browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


def pages():
    tip = TipFactory()
    return {
        "/tips/new/": "GET, HEAD, OPTIONS, POST",
        "/en/tips/new/": "GET, HEAD, OPTIONS, POST",
        "/check/": "GET, HEAD, OPTIONS, POST",
        "/en/check/": "GET, HEAD, OPTIONS, POST",
        "/tips/new/from-search/": "OPTIONS, POST",
        "/tips/": "GET, HEAD, OPTIONS",
        f"/tips/{tip.code}/": "GET, HEAD, OPTIONS",
        f"/check/{uuid.uuid4()}/": "GET, HEAD, OPTIONS",
    }


def test_options_says_what_each_form_accepts_without_sending_the_page(csrf_client):
    for url, allow in pages().items():
        response = csrf_client.options(url)
        assert response.status_code == 200, url
        assert response["Allow"] == allow, url
        assert response.content == b"", url


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_methods_a_form_does_not_take_get_405_not_a_csrf_403(csrf_client, method):
    for url, allow in pages().items():
        response = getattr(csrf_client, method)(url)
        assert response.status_code == 405, (method, url)
        assert response["Allow"] == allow, url


def test_get_on_a_post_only_form_is_405(csrf_client):
    assert csrf_client.get("/tips/new/from-search/").status_code == 405


def test_the_forms_still_refuse_a_post_without_its_csrf_token(csrf_client):
    for url in FORMS:
        assert csrf_client.post(url, {"text": "群里说明天停水"}).status_code == 403, url
    tip = TipFactory()
    assert csrf_client.post(f"/tips/{tip.code}/").status_code == 405
