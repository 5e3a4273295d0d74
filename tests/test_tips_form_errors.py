"""A refused tip form says which fields to fix, what happened to the chosen file, and one screenshot limit."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation

from core.middleware import RequestSizeLimitMiddleware
from tips.intake.views import tip_new
from tips.models import Tip

from .test_limits import UnreadableBody
from .tip_form import valid_data
from .tips_images import upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def in_chinese(message, **params):
    with translation.override("zh-hans"):
        return translation.gettext(message) % params


def test_a_question_label_gets_no_colon_after_its_question_mark(client):
    page = client.get("/tips/new/").text
    assert in_chinese("What did you see?") + "</label>" in page
    assert "？：" not in page
    # Labels that are no question end in a Chinese colon.
    assert in_chinese("Link (optional)") + "：</label>" in page


def test_the_error_summary_names_each_field_to_fix_and_links_to_it(client):
    response = client.post("/en/tips/new/", valid_data(text="停", link="not a link"))
    assert response.status_code == 200
    summary = response.text.split('id="tip-form-errors"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#id_text">What did you see?</a>' in summary
    assert '<a href="#id_link">Link (optional)</a>' in summary
    assert "id_platform" not in summary


def test_a_refused_form_keeps_the_chosen_screenshot_and_says_so(client):
    response = client.post("/en/tips/new/", valid_data(link="not a link", screenshot=upload("shot.png")))
    assert response.status_code == 200
    assert "Your screenshot is kept: shot.png" in response.text
    assert "群里说明天全市停水三天，大家赶紧囤水！</textarea>" in response.text
    assert Tip.objects.count() == 0


def test_a_refused_form_without_a_file_says_nothing_about_one(client):
    response = client.post("/en/tips/new/", valid_data(link="not a link"))
    assert "Your screenshot is kept" not in response.text
    assert "The screenshot you chose" not in response.text


def test_the_screenshot_limit_is_stated_before_upload_and_given_to_the_page_script(client):
    page = client.get("/tips/new/").text
    assert (
        in_chinese(
            "A JPEG, PNG or WebP picture of at most %(megabytes)s MB and %(megapixels)s megapixels. Hidden data such "
            "as your location is removed.",
            megabytes="5",
            megapixels=20,
        )
        in page
    )
    assert f'data-max-bytes="{5 * MB}"' in page
    too_large = in_chinese(
        "The screenshot is too large (%(size)s MB). The limit is %(limit)s MB.", size="{size}", limit="5"
    )
    assert f'data-too-large="{too_large}"' in page


@pytest.mark.parametrize(
    ("megabytes", "status"),
    # Read and refused by the form; read with the file's bytes dropped, also above the site-wide
    # request limit (which would otherwise answer with its own page); refused unread.
    [(5.1, 413), (5.3, 413), (8.0, 413), (33.0, 413)],
)
def test_every_too_large_screenshot_gets_the_same_answer_in_the_page_s_language(megabytes, status):
    client = Client(enforce_csrf_checks=False)
    big = upload("big.png", b"\0" * int(megabytes * MB - 1000))
    response = client.post("/tips/new/", valid_data(screenshot=big))
    assert response.status_code == status
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    expected = in_chinese(
        "The screenshot is too large (%(size)s MB). The limit is %(limit)s MB.", size=f"{megabytes:.1f}", limit="5"
    )
    assert expected in page
    # The screenshot field is marked, so the page script focuses it.
    assert 'aria-invalid="true"' in page
    assert Tip.objects.count() == 0


def test_a_body_refused_unread_says_the_report_must_be_written_again(client):
    response = client.post("/en/tips/new/", valid_data(screenshot=upload("big.png", b"\0" * (33 * MB))))
    assert response.status_code == 413
    assert "could not be read at all: please write it again" in response.text


@pytest.mark.parametrize("megabytes", [5.3, 12.0])
def test_a_too_large_screenshot_costs_nothing_typed_even_the_address_after_it(client, megabytes):
    data = valid_data(link="https://example.com/a", contact_email="citizen@example.com")
    data["screenshot"] = upload("big.png", b"\0" * int(megabytes * MB))
    response = client.post("/en/tips/new/", data)
    assert response.status_code == 413
    page = response.text
    assert f"The screenshot is too large ({megabytes:.1f} MB). The limit is 5 MB." in page
    assert "群里说明天全市停水三天，大家赶紧囤水！</textarea>" in page
    assert 'value="https://example.com/a"' in page
    assert 'value="citizen@example.com"' in page
    assert "could not be read at all" not in page
    assert "The screenshot you chose (big.png) was not attached" in page
    assert 'name="refused_screenshot" value="big.png"' in page
    assert Tip.objects.count() == 0


def test_a_file_just_over_the_limit_never_reads_as_the_limit_itself(client, settings):
    response = client.post("/en/tips/new/", valid_data(screenshot=upload("big.png", b"\0" * (5 * MB + 1))))
    assert "The screenshot is too large (5.1 MB). The limit is 5 MB." in response.text


def test_other_pages_keep_the_site_wide_request_limit(client):
    response = client.post("/en/", data=b"x" * (8 * MB), content_type="application/octet-stream")
    assert response.status_code == 413
    assert "What you sent is too large" in response.text


def test_the_tip_form_refuses_a_body_above_the_site_wide_limit_without_reading_it(settings):
    request = RequestFactory().post("/en/tips/new/", data=b"", content_type="multipart/form-data; boundary=x")
    request.META["CONTENT_LENGTH"] = str(40 * MB)
    request._stream = UnreadableBody()
    request.user = AnonymousUser()
    with translation.override("en"):
        response = RequestSizeLimitMiddleware(tip_new)(request)
    assert response.status_code == 413
    assert "The screenshot is too large (40.0 MB). The limit is 5 MB." in response.content.decode()
