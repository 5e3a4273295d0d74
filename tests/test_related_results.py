"""Related means related: no result on the strength of function words, chatter or particles; a few
"possibly related" results at most; no highlight on stop words. In Chinese and English, on SQLite and
on PostgreSQL (the ranking is the same on both by construction; these tests check it)."""

import re

import pytest
from django.urls import reverse

from clarifications import search
from clarifications.models import Clarification, Language
from clarifications.search import Strength
from clarifications.search.ranking import RELATED_SHOWN

from .test_search import item

pytestmark = pytest.mark.django_db

ZH_FORWARD = "【紧急通知】听说下个月起本市所有公交车票价都要涨到五元，地铁也一样，请转发给你身边的朋友"
EN_POST = "BREAKING: the mayor says on Monday the city buses will be free for all residents. Share with your friends!"


def results(text):
    return list(search.search(Clarification.objects.published(), text))


def test_a_chinese_forward_finds_nothing_that_shares_only_function_words_and_chatter_with_it():
    item("网传老人所有的朋友都被骗了", claim="我的朋友说所有的老人都被骗了")  # 所有, 的朋, 朋友
    item("网传紧急通知明天停电", claim="紧急通知：明天全区停电，请转发")  # 紧急通知, 转发
    assert results(ZH_FORWARD) == []
    assert search.find_similar(ZH_FORWARD, queryset=Clarification.objects.published()) == []


def test_an_english_post_finds_nothing_that_shares_only_the_and_on_with_it():
    item("No, the bridge on the river is not closed", claim="The bridge on the river is closed.", language=Language.EN)
    assert results(EN_POST) == []


@pytest.mark.parametrize(
    ("text", "language", "claims", "answer"),
    [
        (
            ZH_FORWARD,
            Language.ZH_HANS,
            [f"公交线路第{n}号调整后票价有变化，市交通委说调整是为了方便乘客换乘和出行" for n in range(6)],
            "下个月起本市公交车票价涨到五元",
        ),
        (
            EN_POST,
            Language.EN,
            [f"The timetable of route {n} city buses changes in winter for the school runs" for n in range(6)],
            "The mayor says city buses will be free for all residents from Monday",
        ),
    ],
)
def test_only_a_few_possibly_related_results_are_listed_after_the_matches(text, language, claims, answer):
    for number in range(12):  # an archive of other things, so that the shared words are rare in it
        item(f"other {number}", claim=f"Claim {number} about the moon: 火星第{number}号探测器", language=language)
    for number, claim in enumerate(claims):
        item(f"related {number}", claim=claim, language=language, days_ago=number + 2)
    matched = item("the answer", claim=answer, language=language, days_ago=30)
    found = results(text)
    assert found[0] == matched
    assert found[0].search_strength >= Strength.MATCH
    related = [result for result in found if result.search_strength == Strength.RELATED]
    assert len(related) == RELATED_SHOWN  # of the six that share two words with the text
    assert len(found) == 1 + RELATED_SHOWN


def test_a_short_text_lists_what_shares_one_of_its_words():
    subway = item("网传地铁19号线年底开通", claim="地铁19号线北延伸段年底前开通")
    assert [result.pk for result in results("地铁停运")] == [subway.pk]


def results_with_snippets(text):
    ranking = search.rank(Clarification.objects.published(), text)
    return search.add_snippets(list(ranking.apply(Clarification.objects.published())), ranking.highlight)


def marked(html):
    return re.findall(r"<mark>(.*?)</mark>", html)


def test_snippets_mark_no_stop_words_in_either_language():
    item("No, buses are not free", claim="The mayor says the city buses will be free on Monday.", language=Language.EN)
    item("网传公交车涨价", claim="下个月起本市所有的公交车票价都要涨到五元")
    english = marked(results_with_snippets(EN_POST)[0].search_snippet)
    chinese = marked(results_with_snippets(ZH_FORWARD)[0].search_snippet)
    assert "buses" in english
    assert "mayor" in english
    assert not {"the", "The", "on", "will", "be"} & set(english)
    assert any("公交车" in words for words in chinese)
    assert not any("所有" in words or "的" in words for words in chinese)


def test_the_list_page_shows_no_card_for_a_forward_sharing_only_function_words(client):
    item("网传老人所有的朋友都被骗了", claim="我的朋友说所有的老人都被骗了")
    page = client.get(reverse("clarifications:list"), {"q": ZH_FORWARD})
    assert page.status_code == 200
    assert "网传老人所有的朋友都被骗了" not in page.content.decode()
