"""The whole-page cache: fast for anonymous visitors, and never showing what is no longer true."""

import gzip
from datetime import timedelta

import brotli
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarifications.models import Clarification, ContentVersion, Status

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory, UpdateFactory
from .servers import (
    fetch,
    import_records,
    prepare,
    publish_delay,
    rename_clarification,
    site_environment,
    start_gunicorn,
    stop_gunicorn,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    ContentVersion.forget()
    cache.clear()
    yield
    cache.clear()
    ContentVersion.forget()


def page(client, url="/", **headers):
    return client.get(url, headers=headers)


def test_a_second_anonymous_visit_is_served_from_the_cache_without_a_query(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_RECHECK_SECONDS = 60  # however slow this machine, no re-read in between
    ClarificationFactory(title="网传停水不实")
    first = page(client)
    with django_assert_num_queries(0):
        second = page(client)
    assert second.content == first.content
    assert "网传停水不实" in second.text


def test_the_version_is_read_again_once_the_recheck_time_has_passed(client, settings, django_assert_num_queries):
    ClarificationFactory()
    page(client)
    settings.PAGE_CACHE_RECHECK_SECONDS = 0
    with django_assert_num_queries(1):  # the content version, and nothing else
        page(client)


def test_browsers_revalidate_public_pages_on_every_visit(client):
    ClarificationFactory()
    response = page(client)
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=1"
    assert response["ETag"].startswith('W/"')


def test_a_browser_revalidating_an_unchanged_page_gets_304(client):
    ClarificationFactory()
    etag = page(client)["ETag"]
    response = page(client, **{"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""


def test_a_browser_revalidating_after_a_change_gets_the_new_page(client):
    clarification = ClarificationFactory(title="旧标题")
    etag = page(client)["ETag"]
    clarification.title = "新标题"
    clarification.save()
    response = page(client, **{"If-None-Match": etag})
    assert response.status_code == 200
    assert "新标题" in response.text


def edit_title(clarification):
    clarification.title = "改过的标题"
    clarification.save()
    return "改过的标题", True


def publish_draft(clarification):
    draft = ClarificationFactory(draft=True, title="刚发布的澄清")
    draft.status, draft.published_at = Status.PUBLISHED, timezone.now()
    draft.save()
    return "刚发布的澄清", True


def withdraw(clarification):
    clarification.status = Status.WITHDRAWN
    clarification.save()
    return clarification.title, False


def delete(clarification):
    clarification.delete()
    return clarification.title, False


def bulk_unpublish(clarification):
    Clarification.objects.filter(pk=clarification.pk).update(status=Status.DRAFT)
    return clarification.title, False


def rename_topic(clarification):
    topic = clarification.topics.get()
    topic.name = "改名的话题"
    topic.save()
    return "改名的话题", True


def publish_notice(clarification):
    NoticeFactory(title="新的通告")
    return "新的通告", True


@pytest.mark.parametrize(
    "change", [edit_title, publish_draft, withdraw, delete, bulk_unpublish, rename_topic, publish_notice]
)
def test_every_change_to_public_content_shows_on_the_next_visit(client, change):
    clarification = ClarificationFactory(title="原来的标题", topics=[TopicFactory(name="供水")])
    assert "原来的标题" in page(client).text
    text, shown = change(clarification)
    assert (text in page(client).text) is shown


def test_a_correction_shows_on_the_cached_detail_page(client):
    clarification = ClarificationFactory()
    url = clarification.get_absolute_url()
    page(client, url)
    UpdateFactory(clarification=clarification, note="更正：发布机构名称有误。")
    SourceFactory(clarification=clarification, title="新增的证据")
    response = page(client, url)
    assert "更正：发布机构名称有误。" in response.text
    assert "新增的证据" in response.text


def test_a_scheduled_clarification_appears_when_its_time_comes_without_any_write(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ClarificationFactory(title="定时发布的澄清", published_at=timezone.now() + timedelta(hours=1))
    assert "定时发布的澄清" not in page(client).text
    time_machine.shift(timedelta(minutes=59))
    assert "定时发布的澄清" not in page(client).text
    time_machine.shift(timedelta(minutes=1))
    assert "定时发布的澄清" in page(client).text


def test_no_request_writes_to_the_database_when_a_scheduled_time_comes(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ClarificationFactory(title="定时发布的澄清", published_at=timezone.now() + timedelta(minutes=5))
    page(client)
    time_machine.shift(timedelta(minutes=5))
    with CaptureQueriesContext(connection) as queries:
        assert "定时发布的澄清" in page(client).text
        assert page(client, "/about/").status_code == 200
    writes = [query["sql"] for query in queries if not query["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def save_draft():
    draft = ClarificationFactory(draft=True)
    draft.title = "改过的草稿"
    draft.save()


def submit_for_review():
    draft = ClarificationFactory(draft=True)
    draft.status = Status.IN_REVIEW
    draft.save()


def add_evidence_to_a_draft():
    SourceFactory(clarification=ClarificationFactory(draft=True))


def add_an_update_to_a_draft():
    UpdateFactory(clarification=ClarificationFactory(draft=True))


def save_an_unpublished_notice():
    NoticeFactory(is_published=False)


@pytest.mark.parametrize(
    "change",
    [save_draft, submit_for_review, add_evidence_to_a_draft, add_an_update_to_a_draft, save_an_unpublished_notice],
)
def test_changes_the_public_cannot_see_leave_the_cached_pages_alone(client, change, django_assert_max_num_queries):
    ClarificationFactory(title="公开的澄清")
    number = ContentVersion.objects.get().number
    first = page(client)
    change()
    assert ContentVersion.objects.get().number == number
    with django_assert_max_num_queries(1):  # at most the version, re-read: no rendering
        assert page(client).content == first.content


def test_evidence_added_to_a_published_clarification_is_a_public_change(client):
    clarification = ClarificationFactory()
    number = ContentVersion.objects.get().number
    SourceFactory(clarification=clarification, title="新增的证据")
    assert ContentVersion.objects.get().number == number + 1
    assert "新增的证据" in page(client, clarification.get_absolute_url()).text


def test_rescheduling_keeps_the_cache_and_the_new_time_still_counts(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    scheduled = ClarificationFactory(title="改期的澄清", published_at=timezone.now() + timedelta(hours=2))
    number = ContentVersion.objects.get().number
    scheduled.published_at = timezone.now() + timedelta(hours=1)
    scheduled.save()
    assert ContentVersion.objects.get().number == number
    assert "改期的澄清" not in page(client).text
    time_machine.shift(timedelta(hours=1))
    assert "改期的澄清" in page(client).text


def test_staff_with_a_session_bypass_the_cache(client):
    ClarificationFactory()
    page(client)
    client.cookies["sessionid"] = "anything"
    response = page(client)
    assert "ETag" not in response


def test_pages_with_a_form_token_and_admin_pages_are_never_stored(client):
    first = page(client, reverse("tips:new"))
    assert "ETag" not in first
    assert "ETag" not in page(client, reverse("admin:login"))
    second = page(client, reverse("tips:new"))
    assert second.status_code == 200
    assert "csrfmiddlewaretoken" in second.text


def test_not_found_pages_are_not_stored(client):
    assert page(client, "/clarifications/999999/").status_code == 404
    ClarificationFactory(pk=999999)
    assert page(client, "/clarifications/999999/").status_code == 200


def test_each_language_has_its_own_cached_page(client):
    ClarificationFactory()
    chinese, english = page(client, "/about/"), page(client, "/en/about/")
    assert '<html lang="zh-hans">' in chinese.text
    assert '<html lang="en">' in english.text
    assert chinese["ETag"] != english["ETag"]


def pages_from_every_worker(url, access_log, workers=4, most=400):
    """Fetch ``url`` until each of the ``workers`` processes has answered at least once; the pages."""
    start = len(access_log.read_text().splitlines()) if access_log.exists() else 0
    pages, answered = [], set()
    while len(answered) < workers and len(pages) < most:
        pages.append(fetch(url)[1])
        answered = set(access_log.read_text().splitlines()[start:])
    assert len(answered) == workers, f"only {len(answered)} of {workers} workers answered in {len(pages)} requests"
    return pages


@pytest.mark.subprocess
def test_a_change_reaches_every_gunicorn_worker_without_a_shared_cache(tmp_path):
    """Four workers, each with its own local-memory cache and no Redis, all stop serving the old page."""
    access_log = tmp_path / "access.log"
    # The access log names the worker process that answered each request.
    env = site_environment(
        tmp_path,
        WEB_CONCURRENCY="4",
        GUNICORN_ACCESS_LOG=str(access_log),
        GUNICORN_CMD_ARGS="--access-logformat=%(p)s",
    )
    prepare(tmp_path, env)
    record = (
        '{"external_id": "cache-1", "title": "TITLE", "claim": "c", "verdict": "false", "truth": "t", '
        '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
    )

    def import_title(title):
        import_records(env, record.replace("TITLE", title))

    import_title("第一版标题")
    process, base_url = start_gunicorn(env, log_path=tmp_path / "gunicorn.log")
    try:
        url = f"{base_url}/clarifications/"
        warm = pages_from_every_worker(url, access_log)
        assert all("第一版标题" in html for html in warm)
        import_title("第二版标题")
        after = pages_from_every_worker(url, access_log)
        assert all("第二版标题" in html and "第一版标题" not in html for html in after)
    finally:
        stop_gunicorn(process)


@pytest.mark.subprocess
def test_a_change_reaches_every_gunicorn_worker_within_a_second(tmp_path):
    """Four workers, each with its own local-memory cache and no Redis, all serve the new page within a
    second of the commit, asked all the time by four clients."""
    env = site_environment(tmp_path, WEB_CONCURRENCY="4")
    prepare(tmp_path, env)
    record = (
        '{"external_id": "cache-1", "title": "第一版标题", "claim": "c", "verdict": "false", "truth": "t", '
        '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
    )
    import_records(env, record)
    process, base_url = start_gunicorn(env, log_path=tmp_path / "gunicorn.log")
    try:
        url = f"{base_url}/clarifications/"
        warm = [fetch(url)[1] for _ in range(40)]  # enough for every worker to have cached the page
        assert all("第一版标题" in html for html in warm)
        delay, requests = publish_delay(url, lambda: rename_clarification(env, "cache-1", "第二版标题"), "第一版标题")
        print(f"old page last served {delay:.3f} s after the commit ({requests} requests)")
        assert requests > 40
        assert delay < 1.0
        assert all("第二版标题" in fetch(url)[1] for _ in range(20))
    finally:
        stop_gunicorn(process)


# --- Methods and conditions: Django's own answers come first ----------------------------------------


def test_a_plain_http_revalidation_is_redirected_to_https_not_answered_304(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    ClarificationFactory()
    etag = client.get("/", secure=True)["ETag"]
    response = client.get("/", headers={"If-None-Match": etag, "If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize("kind", ["missing", "draft"])
@pytest.mark.parametrize("conditions", [{"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, {"If-None-Match": "*"}])
def test_a_page_that_does_not_exist_is_404_whatever_the_conditional_headers(client, kind, conditions):
    draft = ClarificationFactory(draft=True)
    url = "/clarifications/999999/" if kind == "missing" else draft.get_absolute_url()
    assert page(client, url, **conditions).status_code == 404
    assert page(client, url, **conditions).status_code == 404


def test_if_modified_since_alone_never_hides_a_page(client):
    ClarificationFactory(title="新的澄清")
    page(client)
    response = page(client, **{"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert response.status_code == 200
    assert "新的澄清" in response.text


def test_options_lists_the_allowed_methods_instead_of_sending_the_page(client):
    ClarificationFactory()
    for url in ["/", "/about/", "/feeds/latest.rss"]:
        response = client.options(url)
        assert response.status_code == 200
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response.content == b""


def test_head_gets_the_headers_of_the_page_without_its_body(client):
    ClarificationFactory()
    head = client.head("/")  # first: rendered and stored
    get = page(client)
    again = client.head("/")
    assert head.status_code == get.status_code == again.status_code == 200
    assert head.content == again.content == b""
    assert head["ETag"] == get["ETag"] == again["ETag"]
    assert int(again["Content-Length"]) == len(get.content)


def test_cached_pages_vary_on_the_encoding_alone_as_the_url_decides_the_language(client):
    ClarificationFactory()
    for response in (page(client), page(client), page(client, "/en/")):
        assert response["Vary"] == "Accept-Encoding"


# --- Compression ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("", None), ("identity", None)],
)
def test_cached_pages_are_sent_compressed_as_the_client_accepts(client, accept, encoding):
    ClarificationFactory(title="压缩的页面")
    plain = page(client).content
    for _ in range(2):  # stored, then from the cache
        response = page(client, **({"Accept-Encoding": accept} if accept else {}))
        assert response.get("Content-Encoding") == encoding
        body = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](response.content)
        assert body == plain
        assert "压缩的页面" in body.decode()
        if encoding:
            assert len(response.content) < len(plain) / 2


def test_pages_that_are_not_cached_are_compressed_too(client):
    response = page(client, reverse("tips:new"), **{"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "csrfmiddlewaretoken" in gzip.decompress(response.content).decode()


# --- Revalidation -----------------------------------------------------------------------------------


def test_a_page_that_a_change_left_as_it_was_still_revalidates_with_304(client):
    clarification = ClarificationFactory()
    etag = page(client, "/about/")["ETag"]
    clarification.title = "别处的改动"
    clarification.save()
    assert page(client, "/about/", **{"If-None-Match": etag}).status_code == 304
