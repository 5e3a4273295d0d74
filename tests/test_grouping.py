"""Which reports grouping puts together (tips/casework/grouping.py, fingerprints.py): the same chain
message however it was forwarded or quoted, in Chinese and in English, joins one group; another rumor
does not, even one that shares its place and dates; screenshots of the same picture join whatever their
words. The threshold is the search's "strong match" (``CLAIM_COVERAGE_STRONG``), pinned here at its edge.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from benchmarks import wechat_screens
from clarifications.search.ranking import CLAIM_COVERAGE_STRONG
from tips.casework import grouping
from tips.casework.fingerprints import SAME_PICTURE_BITS, distance, fingerprint, same_picture
from tips.casework.grouping import SIMILARITY_THRESHOLD, candidate_rumor_id, similarity, terms
from tips.models import ReportStatus

from .factories import ClarificationFactory, RumorFactory, SightingFactory, TipFactory

WATER = "紧急通知！明天起全市停水三天，请大家转发给家人。"
WATER_EN = "Urgent: the whole city will have no water for three days from tomorrow, please forward to your family."


def score(first, second):
    return similarity(terms(first), terms(second))


def joins(first, second):
    return score(first, second) >= SIMILARITY_THRESHOLD


# --- The measure ------------------------------------------------------------------------------------


def test_grouping_uses_the_searchs_strong_match_threshold():
    assert SIMILARITY_THRESHOLD == CLAIM_COVERAGE_STRONG == 0.6


def test_the_measure_is_the_share_of_the_shorter_texts_terms_either_way_round():
    short, long = {"a", "b", "c"}, {"a", "b", "x", "y", "z", "w"}
    assert similarity(short, long) == similarity(long, short) == 2 / 3


def test_a_text_without_terms_is_like_nothing():
    assert similarity(set(), {"a"}) == similarity({"a"}, set()) == 0.0
    assert terms("！？…… 🙏🙏") == set()
    assert score("🙏🙏🙏", WATER) == 0.0


@pytest.mark.parametrize(
    ("shared", "of", "joined"),
    [(3, 5, True), (2, 5, False), (6, 10, True), (5, 10, False), (3, 4, True), (1, 2, False)],
)
def test_the_threshold_is_inclusive_at_three_fifths_of_the_shorter_text(shared, of, joined):
    """Built from whole English words, one term each: ``shared`` of the short text's ``of`` words are in the other."""
    words = ["apple", "banana", "cherry", "damson", "elder", "fig", "grape", "hazel", "kiwi", "lemon"]
    others = ["mango", "nectar", "olive", "peach", "quince", "raisin", "sloe", "tangerine", "ugli", "vanilla"]
    short = " ".join(words[:of])
    longer = " ".join(words[:shared] + others)
    assert len(terms(short)) == of
    assert score(short, longer) == shared / of
    assert joins(short, longer) is joined


# --- Chinese ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "转发：紧急通知！明天起全市停水三天，请大家转发给家人。🙏🙏",  # forwarded, with emoji
        "明天起全市停水三天",  # the heart of it, quoted
        "【紧急通知】明天起 全市停水 三天!!! 请大家转发给家人",  # other punctuation and spaces
        "群里都在传：紧急通知！明天起全市停水三天，请大家转发给家人。是真的吗？我家老人已经开始囤水了",  # asked about
    ],
)
def test_a_chinese_chain_message_forwarded_quoted_or_asked_about_joins(copy):
    assert joins(WATER, copy)


@pytest.mark.parametrize(
    "other",
    [
        "地铁明天停运，大家提前安排出行。",  # another rumor of the same day
        "小区明天停电一天，请提前准备。",  # another outage
        "自来水里检出病毒，千万别喝！",  # water, but another claim
    ],
)
def test_another_chinese_rumor_does_not_join(other):
    assert not joins(WATER, other)


@pytest.mark.xfail(
    strict=True,
    reason="known limit: two framings of one claim each add words the other lacks (staff merge such groups)",
)
def test_the_same_claim_framed_differently_joins():
    assert joins(WATER, "朋友圈疯传：明天起全市停水三天，赶紧囤水！")


def test_an_outage_of_electricity_instead_of_water_stays_apart_though_just_under_the_threshold():
    """Same city, days and dates, one word changed: the closest that two different rumors come."""
    near = score(WATER, "明天全市停电三天")
    assert 0.5 < near < SIMILARITY_THRESHOLD


# --- English ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "copy",
    [
        "Forwarded: URGENT!! the whole city will have no water for three days from tomorrow, please forward 🙏",
        "The whole city will have no water for three days from tomorrow",  # quoted
        "No water in the city for three days",  # shortened, words stemmed (days, city)
        "Is it true? urgent: the WHOLE CITY will have NO WATER for three days from tomorrow. My mum is buying bottles",
    ],
)
def test_an_english_chain_message_forwarded_quoted_or_asked_about_joins(copy):
    assert joins(WATER_EN, copy)


@pytest.mark.parametrize(
    "other",
    [
        "Vaccines contain microchips that track you, doctors admit",
        "A new bank note will replace the old one next month, exchange yours now",
    ],
)
def test_another_english_rumor_does_not_join(other):
    assert not joins(WATER_EN, other)


@pytest.mark.xfail(
    strict=True,
    reason="known weakness: English function words (the, for) and shared dates count as much as the claim's words",
)
def test_an_english_rumor_about_the_metro_on_the_same_days_does_not_join_the_waters():
    assert not joins(WATER_EN, "The metro stops tomorrow for three days")


@pytest.mark.xfail(strict=True, reason="known weakness: a report of one or two words joins any report that has them")
def test_a_one_word_report_does_not_join_a_whole_message():
    assert not joins(WATER_EN, "water")


def test_the_same_rumor_in_the_other_language_is_not_grouped_by_its_words():
    """Terms are per language (character pairs, English stems): staff merge such groups in the admin."""
    assert score(WATER, WATER_EN) == 0.0


def test_a_chinese_message_quoting_english_words_joins_on_both():
    mixed = "WHO 声明：明天起全市停水三天 is fake news"
    assert joins(mixed, "明天起全市停水三天 is fake news")


# --- Which reports a new one may join (the database) -------------------------------------------------


@pytest.mark.django_db
def test_a_new_tip_joins_the_group_of_the_most_similar_recent_report():
    water = TipFactory(text=WATER)
    TipFactory(text="地铁明天停运，大家提前安排出行。")
    assert candidate_rumor_id("转发：明天起全市停水三天，请大家转发给家人") == water.rumor_id


@pytest.mark.django_db
def test_a_tip_joins_the_group_of_a_sighting_staff_recorded_of_the_same_rumor():
    sighting = SightingFactory(text="朋友圈疯传：明天起全市停水三天，请大家转发给家人")
    assert candidate_rumor_id(WATER) == sighting.rumor_id


@pytest.mark.django_db
def test_a_tip_that_matches_nothing_starts_its_own_group():
    TipFactory(text="地铁明天停运，大家提前安排出行。")
    assert candidate_rumor_id(WATER) is None
    assert candidate_rumor_id("") is None


@pytest.mark.django_db
def test_a_rumor_answered_recently_is_joined_and_one_closed_as_not_actionable_is_not():
    answered = TipFactory(text=WATER, status=ReportStatus.ANSWERED, clarification=ClarificationFactory())
    assert candidate_rumor_id(WATER) == answered.rumor_id
    type(answered).objects.filter(pk=answered.pk).update(status=ReportStatus.NOT_ACTIONABLE, clarification=None)
    assert candidate_rumor_id(WATER) is None


@pytest.mark.django_db
def test_reports_older_than_the_recent_period_are_not_joined():
    old = TipFactory(text=WATER)
    type(old).objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=grouping.RECENT_DAYS + 1))
    assert candidate_rumor_id(WATER) is None


@pytest.mark.django_db
def test_the_report_being_regrouped_is_not_its_own_match():
    tip = TipFactory(text=WATER)
    assert candidate_rumor_id(WATER, exclude=tip) is None


@pytest.mark.django_db
def test_similar_reports_are_listed_most_similar_first_with_their_scores():
    exact = TipFactory(text="明天起全市停水三天")
    looser = TipFactory(text="听说明天全市停水三天？请大家转发给家人看看")
    scored = grouping.similar_reports("明天起全市停水三天，请大家转发给家人")
    assert [report for _score, report in scored] == [exact, looser]
    assert scored[0][0] == 1.0 > scored[1][0] >= SIMILARITY_THRESHOLD


# --- Screenshots: the same picture, whatever the words ----------------------------------------------


@pytest.fixture(scope="module")
def chats():
    """Two chats in the same layout (another message), and the first in dark mode."""
    water = wechat_screens.chat("明天起全市停水三天，请大家提前储水，转发给家人！")
    return {
        "water": water,
        "metro": wechat_screens.chat("明天起全市地铁停运三天，大家提前准备出行。"),
        "dark": wechat_screens.chat("明天起全市停水三天，请大家提前储水，转发给家人！", dark=True),
    }


@pytest.mark.parametrize(
    "copy",
    [
        wechat_screens.jpeg,
        wechat_screens.half,
        wechat_screens.without_status_bar,
        lambda image: wechat_screens.half(wechat_screens.without_status_bar(wechat_screens.jpeg(image))),
    ],
    ids=["recompressed", "halved", "status-bar-cropped", "all-three"],
)
def test_a_copy_of_a_screenshot_is_the_same_picture(chats, copy):
    original, copied = fingerprint(chats["water"]), fingerprint(copy(chats["water"]))
    assert distance(original, copied) == distance(copied, original) <= SAME_PICTURE_BITS
    assert same_picture(original, copied)


@pytest.mark.parametrize(
    ("other", "farther_than"),
    [
        ("metro", SAME_PICTURE_BITS),  # another chat in the same layout
        ("dark", 3 * SAME_PICTURE_BITS),  # the same words in dark mode: another picture
    ],
)
def test_another_screenshot_is_another_picture_even_in_the_same_layout(chats, other, farther_than):
    bits = distance(fingerprint(chats["water"]), fingerprint(chats[other]))
    assert bits > farther_than
    assert not same_picture(fingerprint(chats["water"]), fingerprint(chats[other]))


def test_a_fingerprint_is_nine_hashes_and_a_missing_one_is_never_the_same_picture(chats):
    taken = fingerprint(chats["water"])
    assert len(taken.split()) == 9
    assert distance(taken, "") is None
    assert distance("", taken) is None
    assert not same_picture(taken, "")


@pytest.mark.django_db
def test_a_tip_with_the_same_picture_joins_its_group_whatever_its_words(chats):
    first = TipFactory(text="看图", screenshot_fingerprint=fingerprint(chats["water"]))
    TipFactory(text=WATER)  # the words would point elsewhere
    copied = fingerprint(wechat_screens.without_status_bar(wechat_screens.jpeg(chats["water"])))
    assert candidate_rumor_id(WATER, fingerprint=copied) == first.rumor_id


@pytest.mark.django_db
def test_a_different_picture_leaves_the_words_to_decide(chats):
    RumorFactory()
    TipFactory(text="看图", screenshot_fingerprint=fingerprint(chats["metro"]))
    by_words = TipFactory(text=WATER)
    assert candidate_rumor_id(WATER, fingerprint=fingerprint(chats["water"])) == by_words.rumor_id
