"""Languages said aloud: an item in the other language than the page's is labelled with its own
language, and a page whose text is in the other language says so at the top."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from clarifications.models import DailyViews

from .factories import ClarificationFactory, NoticeFactory

pytestmark = pytest.mark.django_db

ENGLISH_LABEL = '<span class="language-label" lang="en">English</span>'
CHINESE_LABEL = '<span class="language-label" lang="zh-hans">简体中文</span>'
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture
def both_languages():
    chinese = ClarificationFactory(title="网传“西瓜被打针催熟变甜”？不实")
    english = ClarificationFactory(title="No, vaccines do not contain microchips", language="en")
    return chinese, english


def card_of(page, title):
    """The card (article) whose title is ``title``."""
    for card in re.findall(r"<article class=\"card.*?</article>", page, flags=re.S):
        if title in card:
            return card
    raise AssertionError(f"no card for {title!r}")


@pytest.mark.parametrize("url", ["/", "/clarifications/"])
def test_on_a_chinese_page_an_english_card_is_labelled_english_and_a_chinese_one_is_not(client, both_languages, url):
    chinese, english = both_languages
    page = client.get(url).text
    assert ENGLISH_LABEL in card_of(page, english.title)
    assert 'class="card-title" lang="en"' in card_of(page, english.title)
    assert "language-label" not in card_of(page, chinese.title)


@pytest.mark.parametrize("url", ["/en/", "/en/clarifications/"])
def test_on_an_english_page_a_chinese_card_is_labelled_in_chinese(client, both_languages, url):
    chinese, english = both_languages
    page = client.get(url).text
    assert CHINESE_LABEL in card_of(page, chinese.title)
    assert "language-label" not in card_of(page, english.title)


def test_the_most_asked_list_labels_items_in_the_other_language(client):
    with time_machine.travel(NOW, tick=False):
        chinese, english = both_languages.__wrapped__()
        day = (NOW + timedelta(hours=8)).date()
        for clarification in (chinese, english):
            DailyViews.objects.create(clarification=clarification, day=day, views=5)
        chinese_page = client.get("/most-asked/").text
        english_page = client.get("/en/most-asked/").text
    ranking = re.search(r'<ol class="most-asked">.*?</ol>', chinese_page, flags=re.S).group()
    assert ranking.count("language-label") == 1
    assert re.search(rf"{re.escape(english.title)}</a>.*?{re.escape(ENGLISH_LABEL)}\s*</li>", ranking, flags=re.S)
    ranking = re.search(r'<ol class="most-asked">.*?</ol>', english_page, flags=re.S).group()
    assert ranking.count("language-label") == 1
    assert re.search(rf"{re.escape(chinese.title)}</a>.*?{re.escape(CHINESE_LABEL)}\s*</li>", ranking, flags=re.S)


def test_an_english_page_showing_a_chinese_clarification_says_it_is_in_chinese_only(client, both_languages):
    chinese, english = both_languages
    page = client.get(f"/en/clarifications/{chinese.pk}/").text
    assert '<p class="language-note" role="note">The text below is published in Chinese only.</p>' in page
    assert "language-note" not in client.get(f"/clarifications/{chinese.pk}/").text
    assert "language-note" not in client.get(f"/en/clarifications/{english.pk}/").text


def test_a_chinese_page_showing_an_english_clarification_says_it_is_in_english_only(client, both_languages):
    _, english = both_languages
    page = client.get(f"/clarifications/{english.pk}/").text
    assert '<p class="language-note" role="note">以下内容仅以英文发布。</p>' in page


def test_the_english_withdrawn_page_of_a_chinese_clarification_says_so(client):
    withdrawn = ClarificationFactory(withdrawn=True)
    page = client.get(f"/en/clarifications/{withdrawn.pk}/").text
    assert "This clarification has been withdrawn" in page
    assert "The text below is published in Chinese only." in page


def test_an_english_page_showing_a_chinese_notice_says_so(client):
    notice = NoticeFactory()
    assert "The text below is published in Chinese only." in client.get(f"/en/notices/{notice.pk}/").text
    assert "language-note" not in client.get(f"/notices/{notice.pk}/").text
