"""A post pasted as it circulates finds its clarification: handles and hashtags are read as words, a
tweet's signature line, links and forwarding chatter weigh as what they are, and stop words of both
languages carry almost no weight, in the ranking and in the highlighted words. Runs on SQLite and on
PostgreSQL: the expected order is the same on both."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clarifications import search
from clarifications.models import Clarification

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db


def item(title, claim, days_ago=1):
    return ClarificationFactory(
        title=title,
        claim=claim,
        truth="—",
        body="",
        language="en" if claim.isascii() else "zh-hans",
        published_at=timezone.now() - timedelta(days=days_ago),
    )


def ranked(text):
    return [item.title for item in search.search(Clarification.objects.published(), text)]


def test_a_tweet_with_its_signature_line_finds_its_claim_not_one_about_its_author_and_date():
    claim = item("Did a pizza vending machine open in Times Square?", "A pizza vending machine opened in Times Square.")
    item(
        "Did Rosalind Hackworth die on February 18, 2016?",
        "Rosalind Hackworth died on February 18, 2016.",
        days_ago=0,
    )
    tweet = (
        "OMG they put a #PizzaVendingMachine in Times Square 🍕 pic.twitter.com/x7Gq2LpQ "
        "— Rosalind Hackworth (@RosalindHackworth) February 18, 2016"
    )
    assert ranked(tweet)[0] == claim.title


@pytest.mark.parametrize("tag", ["#PizzaVendingMachine", "#pizza_vending_machine", "@PizzaVendingMachine"])
def test_a_hashtag_or_handle_is_read_as_the_words_it_joins(tag):
    claim = item("Did a pizza vending machine open?", "A pizza vending machine opened downtown.")
    item("Did a vending company close?", "The city's largest vending company closed.", days_ago=0)
    assert ranked(f"Look at this {tag}!!")[0] == claim.title


def test_a_hashtag_also_finds_a_claim_that_writes_it_as_one_word():
    claim = item("Did the #MeToo founder resign?", "The founder of #MeToo resigned.")
    item("Did the founder of the club resign?", "The founder of the chess club resigned.", days_ago=0)
    assert ranked("#MeToo founder")[0] == claim.title


def test_a_retweet_mark_and_a_link_glued_to_a_hashtag_do_not_hide_the_claim():
    claim = item("Did the CBC remove Trump from Home Alone 2?", "The CBC deleted Trump from Home Alone 2.")
    item("Did Trump buy a home in Canada?", "Trump bought a home in Canada.", days_ago=0)
    tweet = 'RT @bradtrost: "CBC deletes Trump from Home Alone 2" #DefundTheCBChttps://t.co/CsHG8R9cHp'
    assert ranked(tweet)[0] == claim.title


def test_stop_words_do_not_outweigh_two_rare_shared_words():
    claim = item("Do vaccines contain microchips?", "Vaccines contain microchips that track you.")
    item("Will it ever happen again?", "It will never have happened again, not on our watch.", days_ago=0)
    assert ranked("They will never have on them again what vaccines contain: microchips")[0] == claim.title


def test_chinese_function_words_do_not_outweigh_the_rumors_words():
    claim = item("网传地铁停运不实", "地铁2号线下周停运")
    item("网传我们已经可以这样了不实", "我们已经可以这样了，大家都知道", days_ago=0)
    assert ranked("我们已经知道了吗？大家都可以看看：地铁停运")[0] == claim.title


@pytest.mark.parametrize("text", ["Don't share this", "Trump's wall isn't real"])
def test_an_apostrophe_makes_no_term_of_its_own(text):
    query = search.parse_query(text)
    assert not {"t", "s"} & set(query.terms)


def test_a_contraction_does_not_match_a_clarification_by_its_last_letter():
    item("Is the T-shirt sold out?", "The T-shirt is sold out everywhere.")
    assert ranked("Don't panic about the border") == []


def test_a_dotted_abbreviation_keeps_its_letters():
    query = search.parse_query("The U.S. and D.C. are")
    assert query.weight("u") == query.weight("s") == query.weight("c") == 1.0
    assert query.weight("the") < 0.1


def test_stop_words_are_not_highlighted_in_the_results(client):
    # The strong match is the answer card (its truth, no snippet); the other result shows its snippet.
    item("No, vaccines do not contain microchips", "Vaccines contain microchips: a message says so.")
    item("Tracking chips in vaccines? No", "The new vaccines contain microchips that track you.")
    with translation.override("en"):
        page = client.get(reverse("clarifications:list"), {"q": "the vaccines do contain microchips"}).content.decode()
    assert "The new <mark>vaccines</mark> <mark>contain</mark> <mark>microchips</mark> that track you." in page
    assert "<mark>The</mark>" not in page


def test_chinese_function_words_are_not_highlighted(client):
    item("网传地铁停运不实", "我们已经知道地铁2号线下周停运")
    with translation.override("en"):
        page = client.get(reverse("clarifications:list"), {"q": "我们已经知道地铁停运"}).content.decode()
    assert "<mark>地铁</mark>2号线下周<mark>停运</mark>" in page
    assert "<mark>我们" not in page
    assert "已经</mark>" not in page


def test_a_text_of_stop_words_only_still_finds_what_holds_them():
    answered = item("Who are The Who?", "The Who are on tour again.")
    assert ranked("the who") == [answered.title]


def test_a_hashtag_written_in_one_case_is_split_into_the_words_the_archive_holds():
    claim = item("Were corn flakes invented to curb desire?", "Kellogg's Corn Flakes were invented to curb desire.")
    item("Why were the first cars invented?", "The first cars were invented to replace horses.", days_ago=0)
    assert ranked("why were they invented #cornflakes")[0] == claim.title


def test_a_hashtag_that_is_a_word_of_the_archive_is_not_split():
    therapist = item("Did a therapist say so?", "A therapist said so on television.")
    item("Was the rapist caught?", "The rapist was caught last week.", days_ago=0)
    assert ranked("#therapist")[0] == therapist.title
    assert search.rank(Clarification.objects.published(), "#therapist").query.alternatives == ()
