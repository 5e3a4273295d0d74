"""Rumor heat: reports over time, a score that decays, the triage queue hottest first, accelerating rumors flagged."""

import math
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from core import sql
from tips.analytics import heat
from tips.casework import rumors
from tips.models import Rumor, Tip

from .factories import RumorFactory, TipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

# 10:00 in Shanghai (UTC+8), a Wednesday.
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


def report(rumor, at, platform="wechat_group"):
    tip = TipFactory(rumor=rumor, platform=platform)
    Tip.objects.filter(pk=tip.pk).update(submitted_at=at)
    rumors.recount([rumor.pk])
    return tip


def ago(**delta):
    return NOW - timedelta(**delta)


def test_a_report_weighs_one_now_half_after_two_days_and_a_quarter_after_four():
    rumor = RumorFactory()
    for days in (0, 2, 4):
        report(rumor, ago(days=days))
    expected = 1 + 0.5 + 0.25
    assert heat.rumor_heat(rumor).heat == pytest.approx(expected, rel=1e-6)
    # The heat the queue sorts by, kept with the group, is the same sum.
    assert heat.heat_of(Rumor.objects.get(), now=NOW) == pytest.approx(expected, rel=1e-6)


def test_reports_older_than_the_window_count_as_reports_but_add_no_heat():
    rumor = RumorFactory()
    report(rumor, ago(days=heat.WINDOW_DAYS + 1))
    summary = heat.rumor_heat(rumor)
    assert summary.reports == 1
    assert summary.heat == 0
    assert heat.heat_of(Rumor.objects.get(), now=NOW) < 2**-15
    assert not heat.recently_reported(Rumor.objects.all(), now=NOW).exists()


def test_a_rumor_knows_its_first_and_latest_report_and_its_platforms(english):
    rumor = RumorFactory()
    report(rumor, ago(days=3), "weibo")
    report(rumor, ago(hours=5), "weibo")
    report(rumor, ago(hours=1), "douyin")
    summary = heat.rumor_heat(rumor)
    assert (summary.first_at, summary.latest_at) == (ago(days=3), ago(hours=1))
    assert summary.by_platform == {"weibo": 2, "douyin": 1}
    assert summary.by_channel == {heat.Channel.TIP: 3}
    assert [label for label, _count in summary.platforms()] == ["Weibo", "Douyin"]


def test_the_rumor_queue_puts_this_mornings_reports_before_last_months_many(client, triager):
    old = RumorFactory(label="上个月的传言")
    for _ in range(10):
        report(old, ago(days=20))
    fresh = RumorFactory(label="今天的传言")
    for hours in (1, 2, 3):
        report(fresh, ago(hours=hours))
    response = client.get("/admin/tips/rumor/")
    assert [rumor.label for rumor in response.context["cl"].result_list] == ["今天的传言", "上个月的传言"]
    assert response.text.index("今天的传言") < response.text.index("上个月的传言")
    # The score shown is the score the queue sorted by: three reports of 1, 2 and 3 hours ago.
    shown = sum(heat.weight(hours / 24) for hours in (1, 2, 3))
    assert f"{shown:.1f}" in response.text


def test_staff_can_sort_the_queue_coolest_first(client, triager):
    report(RumorFactory(label="热"), ago(hours=1))
    report(RumorFactory(label="冷"), ago(days=10))
    labels = [rumor.label for rumor in client.get("/admin/tips/rumor/", {"o": "3"}).context["cl"].result_list]
    assert labels == ["冷", "热"]


def accelerating_and_steady():
    sudden = RumorFactory(label="突然扩散")
    for hours in (1, 2, 3, 4):
        report(sudden, ago(hours=hours))
    report(sudden, ago(days=3))
    steady = RumorFactory(label="一直有人问")
    for hours in (1, 2, 3, 4):
        report(steady, ago(hours=hours))
    for day in range(1, 8):  # two a day the week before: four today is not more than twice that
        report(steady, ago(days=day, hours=1))
        report(steady, ago(days=day, hours=2))
    quiet = RumorFactory(label="两条")
    report(quiet, ago(hours=1))
    report(quiet, ago(hours=2))
    return sudden, steady, quiet


def test_a_rumor_whose_reports_accelerate_is_flagged_and_a_steady_one_is_not(client, triager):
    sudden, steady, quiet = accelerating_and_steady()
    heats = heat.rumor_heats([sudden.pk, steady.pk, quiet.pk])
    assert [heats[rumor.pk].accelerating for rumor in (sudden, steady, quiet)] == [True, False, False]
    assert list(heat.accelerating(Rumor.objects.all())) == [sudden]
    response = client.get("/admin/tips/rumor/", {"trend": "accelerating"})
    assert [rumor.label for rumor in response.context["cl"].result_list] == ["突然扩散"]
    assert "accelerating" in response.text or "加速" in response.text


def test_the_queue_lists_rumors_reported_lately_unless_staff_ask_for_all(client, triager):
    report(RumorFactory(label="最近"), ago(days=2))
    report(RumorFactory(label="很久以前"), ago(days=heat.WINDOW_DAYS + 5))
    RumorFactory(label="没有举报")
    response = client.get("/admin/tips/rumor/")
    assert [rumor.label for rumor in response.context["cl"].result_list] == ["最近"]
    response = client.get("/admin/tips/rumor/", {"trend": "all"})
    assert next(rumor.label for rumor in response.context["cl"].result_list) == "最近"
    assert {rumor.label for rumor in response.context["cl"].result_list} == {"最近", "很久以前", "没有举报"}


def test_the_rumor_queue_costs_the_same_queries_for_many_rumors(client, triager, django_assert_max_num_queries):
    for number in range(30):
        rumor = RumorFactory(label=f"传言{number}")
        report(rumor, ago(hours=number))
        report(rumor, ago(days=number % 5), "weibo")
    with django_assert_max_num_queries(12):
        response = client.get("/admin/tips/rumor/")
    assert len(response.context["cl"].result_list) == 30


def test_reports_are_counted_on_the_local_day_they_arrived(english):
    rumor = RumorFactory()
    # 23:30 and 00:30 in Shanghai: two different local days, the same UTC day.
    report(rumor, datetime(2026, 3, 2, 15, 30, tzinfo=UTC), "weibo")
    report(rumor, datetime(2026, 3, 2, 16, 30, tzinfo=UTC), "weibo")
    report(rumor, datetime(2026, 3, 4, 1, 0, tzinfo=UTC), "douyin")
    report(RumorFactory(), datetime(2026, 3, 4, 1, 0, tzinfo=UTC), "douyin")  # another rumor
    daily = heat.daily_reports(days=3, rumor=rumor)
    assert daily["platform"].days == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert daily["platform"].series == {"Weibo": [1, 1, 0], "Douyin": [0, 0, 1]}
    assert daily["channel"].series == {"Citizens' tips": [1, 1, 1]}
    assert heat.daily_reports(days=3)["platform"].series == {"Weibo": [1, 1, 0], "Douyin": [0, 0, 2]}


def test_a_rumor_group_page_shows_its_reports_and_their_chart(client, triager):
    rumor = RumorFactory(label="停水")
    report(rumor, ago(days=2), "weibo")
    report(rumor, ago(hours=2), "weibo")
    report(rumor, ago(hours=1), "douyin")
    response = client.get(f"/admin/tips/rumor/{rumor.pk}/change/")
    assert response.status_code == 200
    summary = response.context["activity"]
    assert summary.reports == 3
    assert summary.by_platform == {"weibo": 2, "douyin": 1}
    svg = re.findall(r'data-series="([^"]+)" data-label="([^"]+)" data-value="(\d+)"', response.text)
    assert ("Weibo", "03-02", "1") in svg or ("微博", "03-02", "1") in svg
    ninety = client.get(f"/admin/tips/rumor/{rumor.pk}/change/", {"days": "90"})
    assert len(ninety.context["charts"][0].labels) == 90


def test_reports_follow_the_local_day_across_a_change_of_summer_time(settings, english):
    """Berlin moves its clocks on 29 March 2026: SQLite then counts by hour and folds hours into days."""
    settings.TIME_ZONE = "Europe/Berlin"
    rumor = RumorFactory()
    report(rumor, datetime(2026, 3, 28, 22, 30, tzinfo=UTC), "weibo")  # 23:30 on the 28th in Berlin
    report(rumor, datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "weibo")  # 00:30 on the 29th
    report(rumor, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "weibo")  # 00:30 on the 30th (summer time)
    with time_machine.travel(datetime(2026, 3, 30, 12, 0, tzinfo=UTC), tick=False):
        assert sql.fixed_offset(date(2026, 3, 28), date(2026, 3, 30)) is None
        daily = heat.daily_reports(days=3, rumor=rumor)
    assert daily["platform"].days == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert daily["platform"].series == {"Weibo": [1, 1, 1]}


def test_weight_halves_every_half_life():
    assert heat.weight(0) == 1
    assert heat.weight(heat.HALF_LIFE_DAYS) == pytest.approx(0.5)
    assert heat.weight(heat.WINDOW_DAYS) < 2**-14
    assert math.isclose(heat.weight(1) ** 2, heat.weight(2))
