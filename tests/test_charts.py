"""Charts staff look at: reports per day, clarifications per week, as SVG with the same numbers as a table."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse

from tips.analytics import charts, trends
from tips.models import Tip

from .factories import ClarificationFactory, RumorFactory, TipFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai


def report(at, platform, rumor=None):
    tip = TipFactory(platform=platform, **({"rumor": rumor} if rumor else {}))
    Tip.objects.filter(pk=tip.pk).update(submitted_at=at)


def published(days_ago, verdict, topics=(), **kwargs):
    return ClarificationFactory(
        published_at=NOW - timedelta(days=days_ago), verdict=verdict, topics=list(topics), **kwargs
    )


def figures(html):
    """Each chart on a page: its title, the values of its SVG bars and the cells of its table."""
    found = {}
    for block in html.split('<figure class="chart-figure">')[1:]:
        block = block.split("</figure>")[0]
        title = re.search(r"<figcaption>(.*?)</figcaption>", block).group(1)
        bars = {
            (unescape(series), label): int(value)
            for series, label, value in re.findall(
                r'data-series="([^"]+)" data-label="([^"]+)" data-value="(\d+)"', block
            )
        }
        heights = re.findall(
            r'height="([\d.]+)" fill="[^"]+" data-series="[^"]+" data-label="[^"]+" data-value="(\d+)"', block
        )
        columns = [unescape(name) for name in re.findall(r'<th scope="col">(.*?)</th>', block)[1:-1]]
        table = {}
        for label, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', block):
            values = [int(value) for value in re.findall(r"<td>(\d+)</td>", cells)]
            assert sum(values[:-1]) == values[-1], f"{title}, {label}: the total is not the sum"
            table.update({(column, label): value for column, value in zip(columns, values[:-1], strict=True) if value})
        found[title] = {"bars": bars, "table": table, "heights": heights}
    return found


@pytest.fixture
def data():
    water, metro = TopicFactory(name="供水", name_en="Water"), TopicFactory(name="地铁", name_en="Metro")
    report(NOW - timedelta(hours=1), "weibo")
    report(NOW - timedelta(hours=2), "weibo")
    report(NOW - timedelta(days=1), "douyin")
    report(NOW - timedelta(days=40), "wechat_group")  # only in the 90-day charts
    published(0, "false", [water])
    published(1, "false", [water, metro])  # Tuesday: this week too
    published(3, "misleading", [metro])  # Sunday: last week
    ClarificationFactory(draft=True, verdict="true")
    ClarificationFactory(scheduled=True, verdict="true")


def test_the_admin_index_charts_show_what_happened_and_the_same_numbers_as_their_tables(admin_client, data):
    page = figures(admin_client.get("/en/admin/").text)
    assert set(page) == {
        "Reports per day by platform, last 30 days",
        "Reports per day by channel, last 30 days",
        "Clarifications published per week by verdict",
        "Clarifications published per week by topic",
    }
    for title, chart in page.items():
        assert chart["bars"] == chart["table"], title
    assert page["Reports per day by platform, last 30 days"]["bars"] == {
        ("Weibo", "03-04"): 2,
        ("Douyin", "03-03"): 1,
    }
    assert page["Reports per day by channel, last 30 days"]["bars"] == {
        ("Citizens' tips", "03-04"): 2,
        ("Citizens' tips", "03-03"): 1,
    }
    assert page["Clarifications published per week by verdict"]["bars"] == {
        ("False", "03-02"): 2,
        ("Misleading", "02-23"): 1,
    }
    assert page["Clarifications published per week by topic"]["bars"] == {
        ("Water", "03-02"): 2,
        ("Metro", "03-02"): 1,
        ("Metro", "02-23"): 1,
    }


def test_bar_heights_are_proportional_to_their_numbers(admin_client, data):
    page = figures(admin_client.get("/en/admin/", {"days": "90"}).text)
    chart = page["Reports per day by platform, last 90 days"]
    assert chart["bars"][("WeChat group", "01-23")] == 1
    per_unit = {round(float(height) / int(value), 6) for height, value in chart["heights"]}
    assert len(per_unit) == 1


def test_the_charts_read_in_chinese_too(admin_client, data):
    html = admin_client.get("/admin/").text
    assert "微博" in html
    assert "近 30 天按平台统计的每日举报" in html


def test_each_role_sees_the_charts_of_its_own_work(client, tip_triager, editor):
    client.force_login(tip_triager)
    page = client.get("/en/admin/").text
    assert set(figures(page)) == {
        "Reports per day by platform, last 30 days",
        "Reports per day by channel, last 30 days",
    }
    assert "Reports over:" in page
    client.force_login(editor)
    page = client.get("/en/admin/").text
    assert set(figures(page)) == {
        "Clarifications published per week by verdict",
        "Clarifications published per week by topic",
    }
    # The period switch changes only report charts: no switch that does nothing.
    assert "Reports over:" not in page


def test_the_period_switch_of_a_rumor_group_keeps_the_queues_filters(admin_client):
    rumor = RumorFactory()
    url = reverse("admin:tips_rumor_change", args=[rumor.pk])
    page = admin_client.get(url, {"_changelist_filters": "accelerating=yes"}).text
    assert "?_changelist_filters=accelerating%3Dyes&amp;days=90" in page


def test_the_topic_chart_folds_the_quieter_topics_into_one(english):
    topics = [
        TopicFactory(name=f"话题{number}", name_en=f"Topic {number}") for number in range(trends.TOPICS_SHOWN + 2)
    ]
    for number, topic in enumerate(topics):
        for _ in range(number + 1):
            published(0, "false", [topic])
    _mondays, counts = trends.clarifications_per_week(weeks=2)
    assert list(counts["topic"]) == [f"Topic {number}" for number in range(7, 1, -1)] + ["Other topics"]
    assert counts["topic"]["Other topics"] == [0, 1 + 2]


def test_an_empty_period_says_so_rather_than_drawing_nothing(admin_client):
    html = admin_client.get("/en/admin/").text
    assert "Nothing in this period." in html


def test_the_axis_ends_on_a_round_number():
    assert [charts.nice_ceiling(value) for value in (0, 1, 3, 7, 10, 11, 180, 2001)] == [1, 1, 5, 10, 10, 20, 200, 5000]


def test_a_rumor_groups_chart_counts_only_its_own_reports(admin_client):
    rumor = RumorFactory()
    report(NOW - timedelta(hours=1), "weibo", rumor)
    report(NOW - timedelta(hours=1), "douyin")
    page = figures(admin_client.get(f"/en/admin/tips/rumor/{rumor.pk}/change/").text)
    assert page["Reports per day by platform, last 30 days"]["bars"] == {("Weibo", "03-04"): 1}


# --- Colours ---------------------------------------------------------------------------------------


def contrast(one, other):
    """WCAG 2.1's contrast ratio of two #rrggbb colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted([luminance(one), luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def fills(html):
    """The colour of each series' bars on a page."""
    return {unescape(series): fill for fill, series in re.findall(r'fill="(#[0-9a-f]{6})" data-series="([^"]+)"', html)}


def test_each_verdict_is_drawn_in_the_colour_of_its_public_badge(admin_client, english, settings):
    from clarifications.models import Verdict
    from clarifications.verdict_colours import verdict_colours

    for days_ago, verdict in enumerate(Verdict.values):
        published(days_ago + 1, verdict)
    drawn = fills(admin_client.get(reverse("admin:index")).content.decode())
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text(encoding="utf-8")
    for value, label in Verdict.choices:
        # The public stylesheet: the badge's variable, and that variable's colour.
        variable = re.search(rf"\.verdict-{value}\b[^{{]*\{{ --verdict-colour: var\((--[\w-]+)\)", css).group(1)
        colour = re.search(rf"{variable}: (#[0-9a-f]{{6}});", css).group(1)
        assert drawn[str(label)] == colour == verdict_colours()[value], label
    assert drawn["True"] == "#1d6b2f"  # 属实 is green, as on the public site


def test_chart_text_and_bars_keep_their_contrast_on_the_charts_own_background():
    from clarifications.verdict_colours import verdict_colours

    chart = charts.Chart("Test", ["a"], {"one": [1]})
    assert f'<rect class="chart-background" width="100%" height="100%" fill="{charts.BACKGROUND}"/>' in chart.svg()
    assert contrast(charts.TEXT, charts.BACKGROUND) >= 4.5  # WCAG AA, small text
    for colour in verdict_colours().values():
        assert contrast(colour, charts.BACKGROUND) >= 3, colour  # WCAG AA for graphics


def test_a_stylesheet_without_verdict_colours_leaves_the_charts_their_own_palette(tmp_path, monkeypatch, caplog):
    from clarifications import verdict_colours as module

    stylesheet = tmp_path / "site.css"
    stylesheet.write_text(":root { --false: #a61b1b; }")
    monkeypatch.setattr(module.finders, "find", lambda _path: str(stylesheet))
    module.verdict_colours.cache_clear()
    try:
        assert module.verdict_colours() == {}
        assert "has no colour" in caplog.text
    finally:
        module.verdict_colours.cache_clear()
    chart = charts.Chart("Test", ["a"], {"谣言": [1]}, palette={})
    assert chart.colours == {"谣言": charts.PALETTE[0]}
