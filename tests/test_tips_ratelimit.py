"""Too many tips from one client get HTTP 429, counted across every worker."""

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from core import ratelimit
from core.models import RateLimitCounter
from tips.models import Tip

from .tip_form import post_tip
from .tips_images import upload

pytestmark = pytest.mark.django_db


def test_parse_rate_reads_the_setting():
    assert ratelimit.parse_rate("5/10m") == (5, 600)
    assert ratelimit.parse_rate("100/h") == (100, 3600)
    assert ratelimit.parse_rate("3/30s") == (3, 30)
    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rate("five per minute")


def test_the_limit_answers_429_in_chinese_at_the_default_urls(client, settings):
    settings.TIPS_RATE = "2/10m"
    assert post_tip(client).status_code == 302
    assert post_tip(client).status_code == 302
    response = post_tip(client)
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.text
    assert Tip.objects.count() == 2


def test_the_limit_answers_429_in_english_under_en(client, settings):
    settings.TIPS_RATE = "1/10m"
    assert post_tip(client, "/en").status_code == 302
    response = post_tip(client, "/en")
    assert response.status_code == 429
    assert "Too many reports" in response.text
    assert "Please wait a few minutes" in response.text
    assert Tip.objects.count() == 1


def test_the_limit_is_per_client(client, settings):
    settings.TIPS_RATE = "1/10m"
    assert post_tip(client, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert post_tip(client, REMOTE_ADDR="198.51.100.1").status_code == 429
    assert post_tip(client, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_a_forwarded_address_is_ignored_unless_a_proxy_is_trusted(client, settings):
    settings.TIPS_RATE = "1/10m"
    assert post_tip(client, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    # A client cannot dodge the limit by inventing a new forwarded address each time.
    assert post_tip(client, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_a_trusted_proxy_s_forwarded_address_is_used(client, settings):
    settings.TIPS_RATE = "1/10m"
    settings.TRUSTED_PROXY_COUNT = 1
    assert post_tip(client, HTTP_X_FORWARDED_FOR="10.0.0.9, 198.51.100.1").status_code == 302
    assert post_tip(client, HTTP_X_FORWARDED_FOR="10.0.0.8, 198.51.100.2").status_code == 302
    # The left part was written by the client: only the proxy's entry counts.
    assert post_tip(client, HTTP_X_FORWARDED_FOR="10.0.0.7, 198.51.100.2").status_code == 429


@pytest.fixture
def database_counter(settings):
    """The counter without Redis (a suite run with REDIS_URL set would otherwise count in Redis)."""
    settings.REDIS_URL = None


def test_finished_windows_are_cleaned_up(settings, time_machine, database_counter):
    settings.TIPS_RATE = "5/1m"
    time_machine.move_to("2026-01-01 10:00:00+00:00", tick=False)
    ratelimit.hit("tips", "a", rate=settings.TIPS_RATE)
    ratelimit.hit("tips", "b", rate=settings.TIPS_RATE)
    assert RateLimitCounter.objects.count() == 2
    time_machine.move_to("2026-01-01 10:05:00+00:00", tick=False)
    assert ratelimit.hit("tips", "a", rate=settings.TIPS_RATE)
    assert list(RateLimitCounter.objects.values_list("count", flat=True)) == [1]


def test_the_window_resets_after_the_period(settings, time_machine):
    settings.TIPS_RATE = "1/1m"
    time_machine.move_to("2026-01-01 10:00:05+00:00", tick=False)
    assert ratelimit.hit("tips", "a", rate=settings.TIPS_RATE)
    assert not ratelimit.hit("tips", "a", rate=settings.TIPS_RATE)
    time_machine.move_to("2026-01-01 10:01:05+00:00", tick=False)
    assert ratelimit.hit("tips", "a", rate=settings.TIPS_RATE)


@pytest.mark.parametrize("count", [0, 1, 2])
def test_asking_whether_the_limit_is_used_up_counts_nothing(settings, count):
    settings.TIPS_RATE = "2/10m"
    for _ in range(count):
        ratelimit.hit("tips", "e", rate=settings.TIPS_RATE)
    assert [ratelimit.used_up("tips", "e", rate=settings.TIPS_RATE) for _ in range(3)] == [count == 2] * 3


@pytest.mark.django_db(transaction=True)
def test_the_database_counter_is_shared_by_several_connections(settings, database_counter):
    """Each thread has its own database connection, as each gunicorn worker has.

    On PostgreSQL the threads run at once. SQLite's in-memory test database (shared cache) locks
    whole tables without waiting, so there they take turns; the flood test proves the concurrent case
    against a real database file with four gunicorn workers.
    """
    settings.TIPS_RATE = "10/10m"
    results = []
    lock = threading.Lock()

    def worker():
        try:
            outcome = [ratelimit.hit("tips", "shared", rate=settings.TIPS_RATE) for _ in range(5)]
            with lock:
                results.extend(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    concurrent = connection.vendor != "sqlite"
    for thread in threads:
        thread.start()
        if not concurrent:
            thread.join()
    for thread in threads:
        thread.join()
    assert len(results) == 20
    assert results.count(True) == 10
    assert RateLimitCounter.objects.get().count == 20


def test_a_citizen_who_hits_the_limit_gets_the_form_back_with_what_they_wrote(client, settings):
    settings.TIPS_RATE = "1/10m"
    assert post_tip(client, "/en").status_code == 302
    response = client.post(
        "/en/tips/new/",
        {"text": "群里说地铁2号线停运一周", "platform": "weibo", "link": "https://weibo.example/p/1"},
    )
    assert response.status_code == 429
    assert "群里说地铁2号线停运一周</textarea>" in response.text
    assert 'value="https://weibo.example/p/1"' in response.text
    assert '<option value="weibo" selected>' in response.text
    assert Tip.objects.count() == 1


def test_corrected_mistakes_do_not_count_against_the_limit(client, settings):
    settings.TIPS_RATE = "2/10m"
    # Three attempts sent back for a mistake, then two real reports: all are accepted.
    for mistake in ({"text": "停水"}, {"link": "not a link"}, {"seen_on": "2999-01-01"}):
        response = client.post("/tips/new/", {"text": "群里说明天全市停水三天", "platform": "wechat_group", **mistake})
        assert response.status_code == 200
    assert post_tip(client).status_code == 302
    assert post_tip(client).status_code == 302
    # The limit still holds for what was accepted.
    assert post_tip(client).status_code == 429
    assert Tip.objects.count() == 2


def test_a_screenshot_counts_when_it_is_decoded_even_if_it_is_refused(client, settings):
    settings.TIPS_RATE = "1/10m"
    not_a_picture = upload("notes.png", b"this is a text file, not a picture\n" * 20)
    response = client.post(
        "/en/tips/new/", {"text": "群里说明天全市停水三天", "platform": "weibo", "screenshot": not_a_picture}
    )
    assert response.status_code == 200
    assert "This file is not a picture" in response.text
    response = client.post("/en/tips/new/", {"text": "群里说地铁2号线停运一周", "platform": "weibo"})
    assert response.status_code == 429
    assert "群里说地铁2号线停运一周</textarea>" in response.text
    assert Tip.objects.count() == 0


def test_a_report_with_a_screenshot_counts_once(client, settings):
    settings.TIPS_RATE = "2/10m"
    response = client.post(
        "/en/tips/new/", {"text": "群里说明天全市停水三天", "platform": "weibo", "screenshot": upload()}
    )
    assert response.status_code == 302
    assert post_tip(client).status_code == 302
    assert post_tip(client).status_code == 429
