"""Oversized requests are turned away before their body is read."""

import io

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from core.middleware import RequestSizeLimitMiddleware

pytestmark = pytest.mark.django_db


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):  # noqa: ARG002 (the stream interface's signature)
        raise AssertionError("the body was read")


def test_the_default_limit_is_a_little_above_the_five_megabyte_screenshot_limit():
    assert 5 * 1024 * 1024 < django_settings.MAX_REQUEST_BYTES <= 8 * 1024 * 1024


def test_a_request_declaring_a_body_above_the_limit_gets_413_without_the_body_being_read(settings):
    settings.MAX_REQUEST_BYTES = 1000
    request = RequestFactory().post("/en/", data=b"", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = "1001"
    request._stream = UnreadableBody()
    reached_view = []

    def view(request):
        reached_view.append(request.POST)
        return HttpResponse("read")

    response = RequestSizeLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert reached_view == []


def test_an_oversized_post_gets_a_short_translated_page_before_csrf_looks_at_it(settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client = Client(enforce_csrf_checks=True)
    body = b"x" * (1024 * 1024 + 1)
    response = client.post("/en/admin/login/", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    page = response.content.decode()
    assert "What you sent is too large" in page
    assert "at most 1 MB" in page
    # Not the 403 of a missing CSRF token: the body was never parsed.
    assert "CSRF" not in page


def test_the_413_page_comes_in_the_default_language_at_unprefixed_urls(client, settings):
    settings.MAX_REQUEST_BYTES = 10
    response = client.post("/", data=b"x" * 11, content_type="application/octet-stream")
    assert response.status_code == 413
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "Content-Security-Policy" in response


def test_a_request_within_the_limit_goes_through(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    response = client.post("/en/", data=b"x" * 1000, content_type="application/octet-stream")
    assert response.status_code == 200


def test_a_content_length_that_is_not_a_number_is_left_to_django(client):
    response = client.get("/en/", CONTENT_LENGTH="lots")
    assert response.status_code == 200


def test_too_many_form_fields_are_refused(client):
    fields = "&".join(f"f{number}=1" for number in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post("/en/admin/login/", data=fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_form_field_too_large_to_hold_in_memory_is_refused(client):
    body = "username=" + "a" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert len(body) < django_settings.MAX_REQUEST_BYTES
    response = client.post("/en/admin/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
