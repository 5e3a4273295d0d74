"""The ranking's thresholds, pinned: a result just above each gets the strength (or the place on the
page) above it, one just below the strength below. No database: the functions that decide are pure.
docs/search.md says why each threshold stands where it does."""

import math

import pytest

from clarifications.search import ranking, scoring
from clarifications.search.analysis import parse_query
from clarifications.search.ranking import RELATED_MIN_COVERAGE, RELATED_MIN_WORDS, RELATED_SHOWN, SHORT_TEXT_WORDS
from clarifications.search.scoring import (
    CLAIM_COVERAGE_MATCH,
    CLAIM_COVERAGE_STRONG,
    QUERY_COVERAGE_MATCH,
    STRONG_MIN_TERMS,
    Scored,
    Strength,
    shared_words,
    strength_of,
)


def below(value):
    return math.nextafter(value, -math.inf)


# --- Strength -------------------------------------------------------------------------------------


def test_most_of_the_claim_in_the_text_is_a_strong_match():
    assert strength_of(0.0, CLAIM_COVERAGE_STRONG, STRONG_MIN_TERMS) == Strength.STRONG
    assert strength_of(0.0, 1.0, STRONG_MIN_TERMS) == Strength.STRONG


def test_just_under_the_strong_share_of_the_claim_is_a_match_not_a_strong_one():
    assert strength_of(0.0, below(CLAIM_COVERAGE_STRONG), STRONG_MIN_TERMS) == Strength.MATCH


def test_a_claim_of_too_few_terms_is_never_a_strong_match_however_covered():
    assert strength_of(1.0, 1.0, STRONG_MIN_TERMS - 1) == Strength.MATCH


def test_half_of_the_text_covered_is_a_match():
    assert strength_of(QUERY_COVERAGE_MATCH, 0.0, 0) == Strength.MATCH


def test_just_under_half_of_the_text_and_little_of_the_claim_is_only_related():
    assert strength_of(below(QUERY_COVERAGE_MATCH), below(CLAIM_COVERAGE_MATCH), 10) == Strength.RELATED


def test_a_good_part_of_the_claim_in_the_text_is_a_match():
    assert strength_of(0.0, CLAIM_COVERAGE_MATCH, 1) == Strength.MATCH


def test_the_thresholds_keep_their_order():
    assert CLAIM_COVERAGE_MATCH < CLAIM_COVERAGE_STRONG
    assert 0 < QUERY_COVERAGE_MATCH < 1


# --- Shared words ---------------------------------------------------------------------------------


def test_function_words_chatter_and_particles_are_no_shared_words():
    forward = parse_query("【紧急通知】我的朋友说所有的人都知道了，请转发给你身边的朋友")
    assert shared_words(forward, ["所有", "的朋", "朋友", "边的", "紧急", "通知", "转发", "发给"]) == 0
    english = parse_query("The governor said on the radio that the moon is made of cheese")
    assert shared_words(english, ["the", "on", "of", "that", "is"]) == 0
    assert shared_words(english, ["the", "radio", "on"]) == 1


def test_a_chinese_word_counts_by_its_length_not_its_bigrams():
    query = parse_query("地铁停运")
    assert shared_words(query, ["地铁"]) == 1
    assert shared_words(query, ["地铁", "停运"]) == 2
    assert shared_words(query, ["地铁", "铁停", "停运"]) == 2  # about four characters: two words
    assert shared_words(query, [*query.terms, *query.prefixes]) <= SHORT_TEXT_WORDS


# --- What a page shows ----------------------------------------------------------------------------


def scored(pk, strength, words, coverage=RELATED_MIN_COVERAGE):
    return Scored(pk, 10.0 - pk, strength, words, coverage)


def test_a_related_result_needs_the_minimum_of_shared_words():
    shown, hidden = ranking._shown(
        [scored(1, Strength.RELATED, RELATED_MIN_WORDS), scored(2, Strength.RELATED, below(RELATED_MIN_WORDS))],
        RELATED_MIN_WORDS,
    )
    assert [item.id for item in shown] == [1]
    assert hidden == {2: ranking.FEW_WORDS}


def test_a_related_result_needs_the_minimum_share_of_what_the_text_is_worth():
    shown, hidden = ranking._shown(
        [
            scored(1, Strength.RELATED, RELATED_MIN_WORDS, RELATED_MIN_COVERAGE),
            scored(2, Strength.RELATED, RELATED_MIN_WORDS, below(RELATED_MIN_COVERAGE)),
        ],
        RELATED_MIN_WORDS,
    )
    assert [item.id for item in shown] == [1]
    assert hidden == {2: ranking.LITTLE_WORTH}


def test_a_match_is_shown_whatever_it_shares():
    shown, hidden = ranking._shown(
        [scored(1, Strength.MATCH, 0, 0.0), scored(2, Strength.STRONG, 0, 0.0)], RELATED_MIN_WORDS
    )
    assert [item.id for item in shown] == [1, 2]
    assert hidden == {}


@pytest.mark.parametrize("matches_first", [True, False])
def test_only_the_first_few_related_results_are_shown_and_matches_never_count_against_them(matches_first):
    related = [scored(pk, Strength.RELATED, RELATED_MIN_WORDS + 1) for pk in range(10, 20)]
    matches = [scored(pk, Strength.MATCH, 1) for pk in range(1, 5)]
    results = matches + related if matches_first else related[:2] + matches + related[2:]
    shown, hidden = ranking._shown(results, RELATED_MIN_WORDS)
    assert [item.id for item in shown if item.strength == Strength.MATCH] == [1, 2, 3, 4]
    assert [item.id for item in shown if item.strength == Strength.RELATED] == list(range(10, 10 + RELATED_SHOWN))
    assert set(hidden) == set(range(10 + RELATED_SHOWN, 20))
    assert set(hidden.values()) == {ranking.PAST_CAP}


def test_the_cap_is_a_few():
    assert 1 <= RELATED_SHOWN <= 5
    assert scoring.Strength.RELATED < scoring.Strength.MATCH < scoring.Strength.STRONG
