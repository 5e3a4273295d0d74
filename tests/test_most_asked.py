"""The public "most asked this week": read and reported clarifications ranked, views counted without personal data."""

import re
import sqlite3
import threading
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from clarifications import pageviews
from clarifications.models import ContentVersion, DailyViews
from tips.analytics import popularity
from tips.models import ReportStatus, Tip

from .factories import ClarificationFactory, RumorFactory, TipFactory
from .servers import fetch, import_records, prepare, site_environment, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def views(clarification, count, days_ago=0):
    day = (NOW + timedelta(hours=8)).date() - timedelta(days=days_ago)
    DailyViews.objects.create(clarification=clarification, day=day, views=count)


def reports(clarification, count, *, days_ago=1):
    """``count`` new tips about the rumor that ``clarification`` answered."""
    rumor = RumorFactory(clarification=clarification)
    answered = TipFactory(rumor=rumor, status=ReportStatus.ANSWERED, clarification=clarification)
    Tip.objects.filter(pk=answered.pk).update(submitted_at=NOW - timedelta(days=30))
    for _ in range(count):
        tip = TipFactory(rumor=rumor)
        Tip.objects.filter(pk=tip.pk).update(submitted_at=NOW - timedelta(days=days_ago))


def test_the_ranking_adds_views_and_ten_times_the_reports_of_the_week(frozen):
    read = ClarificationFactory(title="很多人读")
    reported = ClarificationFactory(title="很多人举报")
    both = ClarificationFactory(title="又读又举报")
    views(read, 25)
    views(read, 10, days_ago=6)
    reports(reported, 3)
    views(both, 5)
    reports(both, 2, days_ago=6)
    ranking = popularity.most_asked(10)
    assert [(item.title, item.score) for item in ranking] == [("很多人读", 35), ("很多人举报", 30), ("又读又举报", 25)]
    assert (ranking[2].week_views, ranking[2].week_reports) == (5, 2)


def test_the_ranking_is_exact_when_the_most_viewed_candidates_do_not_settle_it(frozen, monkeypatch):
    monkeypatch.setattr(popularity, "CANDIDATES", 1)
    hidden = ClarificationFactory(title="已撤回", withdrawn=True)
    views(hidden, 100)
    first, second, third = (ClarificationFactory(title=title) for title in ("甲", "乙", "丙"))
    views(first, 10)
    views(second, 9)
    views(third, 8)
    reports(third, 1)
    ClarificationFactory(title="没人看")
    ranking = popularity.most_asked(3)
    assert [(item.title, item.score) for item in ranking] == [("丙", 18), ("甲", 10), ("乙", 9)]


def test_last_weeks_views_and_reports_do_not_count(frozen):
    old = ClarificationFactory(title="上周的")
    views(old, 100, days_ago=7)
    reports(old, 10, days_ago=8)
    current = ClarificationFactory(title="本周的")
    views(current, 1)
    assert [item.title for item in popularity.most_asked(10)] == ["本周的"]


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_what_the_public_cannot_see_is_never_ranked(frozen, kind):
    hidden = ClarificationFactory(title="不公开", **{kind: True})
    views(hidden, 1000)
    reports(hidden, 50)
    ClarificationFactory(title="公开")
    assert popularity.most_asked(10) == []


def test_the_home_page_and_the_ranking_page_show_the_ranking_in_both_languages(client, frozen):
    assert reverse("home:most_asked") == "/most-asked/"
    first = ClarificationFactory(title="第一名")
    second = ClarificationFactory(title="Second place", language="en")
    ClarificationFactory(title="没人问")
    views(first, 9)
    views(second, 3)
    for url in ("/", "/en/", "/most-asked/", "/en/most-asked/"):
        response = client.get(url)
        assert response.status_code == 200
        ranking = response.text.split('id="latest-heading"')[0]
        assert ranking.index("第一名") < ranking.index("Second place"), url
        assert "没人问" not in ranking
    assert "Most asked this week" in client.get("/en/").text
    assert "本周热点" in client.get("/").text


def test_the_ranking_page_says_so_when_nothing_was_asked(client, frozen):
    ClarificationFactory()
    assert "Nothing has been asked about this week yet." in client.get("/en/most-asked/").text


def test_a_beacon_counts_one_view_of_a_public_clarification_and_nothing_else(client, frozen):
    clarification = ClarificationFactory()
    url = reverse("clarifications:seen", args=[clarification.pk])
    assert client.post(url).status_code == 204
    assert client.post(url).status_code == 204
    assert pageviews.flush() == 2
    row = DailyViews.objects.get()
    assert (row.clarification, row.day, row.views) == (clarification, (NOW + timedelta(hours=8)).date(), 2)
    assert not client.cookies
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_a_beacon_for_a_page_the_public_cannot_see_counts_nothing(client, kind):
    clarification = ClarificationFactory(**{kind: True})
    assert client.post(reverse("clarifications:seen", args=[clarification.pk])).status_code == 404
    pageviews.flush()
    assert not DailyViews.objects.exists()


def test_one_client_cannot_push_a_clarification_up(client, settings):
    settings.VIEWS_RATE = "3/h"
    clarification = ClarificationFactory()
    url = reverse("clarifications:seen", args=[clarification.pk])
    statuses = [client.post(url).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    pageviews.flush()
    assert DailyViews.objects.get().views == 3


def test_a_clarification_page_asks_for_its_beacon_and_a_withdrawn_one_does_not(client):
    public = ClarificationFactory()
    page = client.get(public.get_absolute_url()).text
    assert f'<meta name="piyao-seen-beacon" content="{reverse("clarifications:seen", args=[public.pk])}">' in page
    assert "js/seen" in page
    withdrawn = ClarificationFactory(withdrawn=True)
    assert "piyao-seen-beacon" not in client.get(withdrawn.get_absolute_url()).text


def test_the_cached_home_page_costs_no_query_and_renews_its_ranking_after_the_refresh_period(
    client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_RECHECK_SECONDS = 3600
    ContentVersion.forget()
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        clarification = ClarificationFactory(title="读者最多")
        first = client.get("/")
        assert "读者最多" not in first.text.split('id="latest-heading"')[0]
        views(clarification, 5)
        with django_assert_num_queries(0):
            cached = client.get("/")
        assert cached.content == first.content
    later = NOW + timedelta(seconds=popularity.RANKING_REFRESH_SECONDS)
    with time_machine.travel(later, tick=False):
        renewed = client.get("/").text
    assert "读者最多" in renewed.split('id="latest-heading"')[0]
    ContentVersion.forget()


@pytest.mark.subprocess
def test_views_posted_at_once_to_several_gunicorn_workers_are_all_counted(tmp_path):
    """Four workers with eight threads each, on SQLite, 400 beacons from 16 clients at once: none lost."""
    access_log = tmp_path / "access.log"
    env = site_environment(
        tmp_path,
        WEB_CONCURRENCY="4",
        VIEWS_RATE="100000/h",
        GUNICORN_ACCESS_LOG=str(access_log),
        GUNICORN_CMD_ARGS="--access-logformat=%(p)s",
    )
    prepare(tmp_path, env)
    import_records(
        env,
        '{"external_id": "read-1", "title": "读者很多", "claim": "c", "verdict": "false", "truth": "t", '
        '"language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}',
    )
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    (pk,) = database.execute("SELECT id FROM clarifications_clarification WHERE external_id = 'read-1'").fetchone()
    process, base_url = start_gunicorn(env, log_path=tmp_path / "gunicorn.log")
    try:
        page = fetch(f"{base_url}/clarifications/{pk}/")[1]
        beacon = base_url + re.search(r'<meta name="piyao-seen-beacon" content="([^"]+)">', page).group(1)

        def post(_number):
            request = urllib.request.Request(beacon, data=b"", method="POST")  # noqa: S310 (our own server)
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status

        with ThreadPoolExecutor(max_workers=16) as clients:
            statuses = list(clients.map(post, range(400)))
        cached_page = fetch(f"{base_url}/clarifications/{pk}/")[1]
    finally:
        stop_gunicorn(process)
    assert statuses == [204] * 400
    (counted,) = database.execute(
        "SELECT SUM(views) FROM clarifications_dailyviews WHERE clarification_id = ?", [pk]
    ).fetchone()
    database.close()
    assert counted == 400
    assert len(set(access_log.read_text().split())) > 1, "the beacons should have reached several workers"
    assert "piyao-seen-beacon" in cached_page


@pytest.mark.django_db(transaction=True)
def test_the_days_first_views_written_by_many_processes_at_once_are_all_counted():
    """The day's row does not exist yet: every writer (a worker process, played here by a thread) tries
    to create it, one wins, the others add to it."""
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file (the gunicorn test covers SQLite)")
    clarification = ClarificationFactory()
    start = threading.Barrier(8)
    today = timezone.localdate()

    def read_eight_times():
        start.wait()
        try:
            pageviews._write(Counter({(clarification.pk, today): 8}))
        finally:
            connection.close()

    threads = [threading.Thread(target=read_eight_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert DailyViews.objects.get(clarification=clarification).views == 64
