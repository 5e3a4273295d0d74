"""The whole-page cache: fast for anonymous visitors, and never showing what is no longer true."""

import os
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from clarifications.models import Clarification, Status

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory, UpdateFactory
from .servers import REPO, fetch, prepare, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_ENABLED = True
    cache.clear()
    yield
    cache.clear()


def page(client, url="/", **headers):
    return client.get(url, headers=headers)


def test_a_second_anonymous_visit_is_served_from_the_cache_with_one_query(client, django_assert_num_queries):
    ClarificationFactory(title="网传停水不实")
    first = page(client)
    with django_assert_num_queries(1):  # the content version
        second = page(client)
    assert second.content == first.content
    assert "网传停水不实" in second.text


def test_public_pages_tell_browsers_and_proxies_how_long_to_keep_them(client, settings):
    ClarificationFactory()
    response = page(client)
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_PAGE_MAX_AGE}"
    assert response["ETag"] and response["Last-Modified"]


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
    assert "更正：发布机构名称有误。" in response.text and "新增的证据" in response.text


def test_a_scheduled_clarification_appears_when_its_time_comes_without_any_write(client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    ClarificationFactory(title="定时发布的澄清", published_at=timezone.now() + timedelta(hours=1))
    assert "定时发布的澄清" not in page(client).text
    time_machine.shift(timedelta(minutes=59))
    assert "定时发布的澄清" not in page(client).text
    time_machine.shift(timedelta(minutes=1))
    assert "定时发布的澄清" in page(client).text


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
    assert second.status_code == 200 and "csrfmiddlewaretoken" in second.text


def test_not_found_pages_are_not_stored(client):
    assert page(client, "/clarifications/999999/").status_code == 404
    ClarificationFactory(pk=999999)
    assert page(client, "/clarifications/999999/").status_code == 200


def test_each_language_has_its_own_cached_page(client):
    ClarificationFactory()
    chinese, english = page(client, "/about/"), page(client, "/en/about/")
    assert '<html lang="zh-hans">' in chinese.text and '<html lang="en">' in english.text
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


def test_a_change_reaches_every_gunicorn_worker_without_a_shared_cache(tmp_path):
    """Four workers, each with its own local-memory cache and no Redis, all stop serving the old page."""
    access_log = tmp_path / "access.log"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(
        DATA_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="config.settings",
        WEB_CONCURRENCY="4",
        ALLOWED_HOSTS="127.0.0.1",
        # The access log names the worker process that answered each request.
        GUNICORN_ACCESS_LOG=str(access_log),
        GUNICORN_CMD_ARGS="--access-logformat=%(p)s",
        LOG_LEVEL="WARNING",
    )
    prepare(tmp_path, env)
    manage = [sys.executable, str(REPO / "manage.py")]
    record = (
        '{"external_id": "cache-1", "title": "TITLE", "claim": "c", "verdict": "false", "truth": "t", '
        '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
    )

    def import_title(title):
        subprocess.run(  # noqa: S603 (our own command)
            [*manage, "import_clarifications", "-"],
            input=record.replace("TITLE", title),
            text=True,
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )

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
