"""How the public pages present themselves: the wordmark, verdicts that read without colour, headings
in order, the list's sort label, Chinese punctuation, the office's name in each language."""

import itertools
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from tips.models import ReportStatus

from .factories import ClarificationFactory, SourceFactory, TipFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
VERDICTS = ["false", "misleading", "partly_false", "unproven", "true"]


def text_of(page):
    return " ".join(strip_tags(page).split())


def heading_levels(page):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]


def test_the_header_shows_the_chinese_and_english_wordmark_and_the_office(client):
    page = client.get("/").content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert '<span class="brand-zh" lang="zh-hans">辟谣</span>' in header
    assert '<span class="brand-en">Piyao</span>' in header
    assert "市互联网信息办公室" in header


def test_the_wordmark_follows_the_site_name_settings(client, settings):
    settings.SITE_NAME, settings.SITE_NAME_ZH = "Shanghai Rumor Desk", ""
    page = client.get("/").content.decode()
    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert "Shanghai Rumor Desk" in header
    assert "brand-zh" not in header


def test_english_pages_name_the_office_in_english(client):
    english = text_of(client.get("/en/").content.decode())
    chinese = text_of(client.get("/").content.decode())
    assert "Published by the City Internet Information Office." in english
    assert "市互联网信息办公室" not in english
    assert "市互联网信息办公室" in chinese


def test_each_verdict_has_its_own_icon_and_a_word_for_screen_readers(client):
    page = client.get(reverse("clarifications:about")).content.decode()
    badges = re.findall(r'<span class="verdict verdict-(\w+)">(.*?)</span>(?=\s*</dt>)', page)
    assert [verdict for verdict, _ in badges] == VERDICTS
    icons = {re.search(r"<svg[^>]*>(.*)</svg>", badge).group(1) for _, badge in badges}
    assert len(icons) == len(VERDICTS), "two verdicts share an icon: they would look alike in greyscale"
    for _, badge in badges:
        assert re.search(r'<svg class="verdict-icon"[^>]*aria-hidden="true"', badge)
        assert '<span class="visually-hidden">结论： </span>' in badge


def test_a_clarification_page_leads_with_a_verdict_stamp_over_the_truth(client):
    clarification = ClarificationFactory(verdict="misleading", truth="真相是这样的。")
    page = client.get(clarification.get_absolute_url()).content.decode()
    banner = page[page.index('class="truth verdict-banner verdict-banner-misleading"') :]
    banner = banner[: banner.index("</section>")]
    assert 'class="verdict verdict-misleading"' in banner
    assert "真相是这样的。" in banner
    assert page.index("verdict-banner") < page.index('id="claim-heading"')


@pytest.mark.parametrize("url_name", ["home", "list", "topic", "detail"])
def test_headings_never_skip_a_level(client, url_name):
    topic = TopicFactory()
    clarification = ClarificationFactory(topics=[topic])
    ClarificationFactory(topics=[topic])
    url = {
        "home": reverse("home:index"),
        "list": reverse("clarifications:list") + "?q=网传",
        "topic": topic.get_absolute_url(),
        "detail": clarification.get_absolute_url(),
    }[url_name]
    levels = heading_levels(client.get(url).content.decode())
    assert levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"h{before} is followed by h{after}"


def selected_sort(page):
    select = page[page.index('<select name="sort"') :]
    return re.search(r"<option [^>]*selected>([^<]*)</option>", select[: select.index("</select>")]).group(1)


def test_the_sort_control_says_newest_first_when_there_is_nothing_to_rank(client):
    ClarificationFactory(title="网传停水")
    assert selected_sort(client.get(reverse("clarifications:list")).content.decode()).startswith("最新发布在前")
    assert selected_sort(client.get(reverse("clarifications:list") + "?q=停水").content.decode()) == "最相关"
    oldest = client.get(reverse("clarifications:list") + "?sort=published").content.decode()
    assert selected_sort(oldest) == "最早发布在前"


def test_the_filters_are_folded_unless_one_is_in_use(client):
    topic = TopicFactory()
    folded = client.get(reverse("clarifications:list") + "?q=停水").content.decode()
    assert '<details class="filter-panel">' in folded
    opened = client.get(reverse("clarifications:list") + f"?topic={topic.slug}").content.decode()
    assert '<details class="filter-panel" open>' in opened


def test_chinese_pages_use_chinese_punctuation_in_sources_and_updates(client):
    clarification = ClarificationFactory()
    SourceFactory(clarification=clarification, title="停运公告", publisher="市交通委员会", date=date(2024, 3, 11))
    UpdateFactory(clarification=clarification, date=datetime(2024, 3, 13, 10, tzinfo=SHANGHAI), note="补充了说明。")
    text = text_of(client.get(clarification.get_absolute_url()).content.decode())
    assert "停运公告，市交通委员会，2024年3月11日" in text
    assert "2024年3月13日：补充了说明。" in text
    english = text_of(client.get("/en" + clarification.get_absolute_url()).content.decode())
    assert "停运公告, 市交通委员会, 11 March 2024" in english


def test_related_clarifications_in_the_pages_language_come_first(client):
    topic = TopicFactory()
    clarification = ClarificationFactory(topics=[topic])
    now = timezone.now()
    ClarificationFactory(title="中文的相关辟谣", topics=[topic], published_at=now - timezone.timedelta(days=3))
    ClarificationFactory(
        title="An English one", language="en", topics=[topic], published_at=now - timezone.timedelta(days=1)
    )
    chinese = client.get(clarification.get_absolute_url()).content.decode()
    assert chinese.index("中文的相关辟谣") < chinese.index("An English one")
    english = client.get("/en" + clarification.get_absolute_url()).content.decode()
    assert english.index("An English one") < english.index("中文的相关辟谣")


def test_the_tip_status_page_dates_the_answer(client, time_machine):
    time_machine.move_to(datetime(2026, 6, 2, 10, tzinfo=SHANGHAI), tick=False)
    answer = ClarificationFactory(published_at=datetime(2026, 6, 1, tzinfo=SHANGHAI))
    tip = TipFactory(status=ReportStatus.ANSWERED, clarification=answer, closed_at=timezone.now())
    text = text_of(client.get(f"/tips/{tip.code}/").content.decode())
    assert "答复于 2026年6月2日" in text
