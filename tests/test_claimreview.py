"""ClaimReview JSON-LD on each public clarification: one block, valid structure, same as the page."""

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.utils.html import strip_tags

from clarifications.models import Verdict
from clarifications.structured_data import RATING_VALUES, claim_review

from .factories import ClarificationFactory, UpdateFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld_blocks(page):
    return [json.loads(block) for block in JSON_LD.findall(page)]


def test_a_clarification_page_carries_exactly_one_claim_review_matching_what_it_shows(client, settings):
    settings.OFFICE_NAME = "市互联网信息办公室"
    settings.OFFICE_URL = "https://www.example.gov.cn/"
    clarification = ClarificationFactory(
        claim="紧急通知！明天起全市停水三天。",
        verdict=Verdict.MISLEADING,
        claim_platform="weibo",
        claim_seen_on=date(2025, 3, 1),
        published_at=datetime(2025, 3, 3, 10, tzinfo=SHANGHAI),
    )
    UpdateFactory(clarification=clarification, date=datetime(2025, 3, 5, 8, tzinfo=SHANGHAI))
    page = client.get(clarification.get_absolute_url()).content.decode()

    (review,) = json_ld_blocks(page)
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"http://testserver{clarification.get_absolute_url()}"
    assert review["claimReviewed"] == "紧急通知！明天起全市停水三天。"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "误导",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "appearance": {"@type": "CreativeWork", "name": "微博"},
        "datePublished": "2025-03-01",
    }
    assert review["author"] == {
        "@type": "Organization",
        "name": "市互联网信息办公室",
        "url": "https://www.example.gov.cn/",
    }
    assert review["datePublished"] == "2025-03-03T10:00:00+08:00"
    assert review["dateModified"] == "2025-03-05T08:00:00+08:00"
    # What the markup says is what a reader sees.
    assert "结论： 误导" in strip_tags(page)
    assert "紧急通知！明天起全市停水三天。" in page
    assert f'<link rel="canonical" href="{review["url"]}">' in page


def test_the_author_falls_back_to_the_sites_home_page_without_an_office_url(client, settings):
    settings.OFFICE_URL = ""
    clarification = ClarificationFactory()
    (review,) = json_ld_blocks(client.get(clarification.get_absolute_url()).content.decode())
    assert review["author"]["url"] == "http://testserver/"


@pytest.mark.parametrize(
    ("verdict", "label", "value"),
    [("false", "谣言", 1), ("misleading", "误导", 2), ("partly_false", "部分失实", 3), ("true", "属实", 5)],
)
def test_each_verdict_has_its_rating_on_a_one_to_five_scale(client, verdict, label, value):
    clarification = ClarificationFactory(verdict=verdict)
    (review,) = json_ld_blocks(client.get(clarification.get_absolute_url()).content.decode())
    rating = review["reviewRating"]
    assert (rating["alternateName"], rating["ratingValue"]) == (label, value)
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def test_an_unproven_claim_carries_its_label_but_no_number(client):
    clarification = ClarificationFactory(verdict="unproven")
    (review,) = json_ld_blocks(client.get(clarification.get_absolute_url()).content.decode())
    assert review["reviewRating"]["alternateName"] == "尚无定论"
    assert "ratingValue" not in review["reviewRating"]


def test_every_verdict_has_a_place_in_the_rating_mapping():
    assert set(RATING_VALUES) == set(Verdict.values)


def test_the_english_page_labels_the_rating_in_english(client):
    english_url = "/en" + ClarificationFactory(verdict="partly_false").get_absolute_url()
    (review,) = json_ld_blocks(client.get(english_url).content.decode())
    assert review["reviewRating"]["alternateName"] == "Partly false"
    assert review["url"] == f"http://testserver{english_url}"


def test_a_long_claim_is_shortened_for_claim_reviewed(client):
    clarification = ClarificationFactory(claim="转发：" + "据说明天全市停水停电还要停网，" * 10)
    (review,) = json_ld_blocks(client.get(clarification.get_absolute_url()).content.decode())
    assert len(review["claimReviewed"]) <= 75
    assert review["claimReviewed"].startswith("转发：据说明天全市停水停电")


def test_an_english_claim_is_cut_between_words_and_both_languages_end_with_one_ellipsis(client):
    english = ClarificationFactory(
        language="en",
        claim="Vaccines contain microchips that track you through the 5G network, a leaked ministry memo reveals",
    )
    (review,) = json_ld_blocks(client.get(english.get_absolute_url()).content.decode())
    shortened = review["claimReviewed"]
    assert len(shortened) <= 75
    assert shortened.endswith("…")
    assert english.claim.startswith(shortened[:-1])
    assert english.claim[len(shortened) - 1] == " "
    chinese = ClarificationFactory(claim="转发：" + "据说明天全市停水停电还要停网，" * 10)
    for url in [chinese.get_absolute_url(), "/en" + chinese.get_absolute_url()]:
        (review,) = json_ld_blocks(client.get(url).content.decode())
        assert review["claimReviewed"].endswith("还…")


def test_the_claims_originator_and_link_are_named_when_known(client):
    clarification = ClarificationFactory(claim_author="某健康养生公众号", claim_url="https://mp.example.com/s/abc")
    (review,) = json_ld_blocks(client.get(clarification.get_absolute_url()).content.decode())
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "某健康养生公众号"}
    assert review["itemReviewed"]["appearance"]["url"] == "https://mp.example.com/s/abc"


def test_the_office_is_named_in_the_clarifications_language(client, settings):
    settings.OFFICE_NAME, settings.OFFICE_NAME_EN = "市互联网信息办公室", "City Internet Information Office"
    english = ClarificationFactory(language="en")
    (review,) = json_ld_blocks(client.get(english.get_absolute_url()).content.decode())
    assert review["author"]["name"] == "City Internet Information Office"
    chinese = ClarificationFactory()
    (review,) = json_ld_blocks(client.get("/en" + chinese.get_absolute_url()).content.decode())
    assert review["author"]["name"] == "市互联网信息办公室"


def test_a_withdrawn_clarification_claims_no_review(client):
    clarification = ClarificationFactory(withdrawn=True)
    response = client.get(clarification.get_absolute_url())
    assert response.status_code == 200
    assert json_ld_blocks(response.content.decode()) == []


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled", "withdrawn"])
def test_no_claim_review_is_built_for_what_is_not_published_for_instance_in_a_staff_preview(trait):
    clarification = ClarificationFactory(**{trait: True})
    assert claim_review(clarification, RequestFactory().get("/")) is None


def test_text_that_looks_like_markup_cannot_break_out_of_the_json_ld_block(client):
    claim = '</script><script>alert("x")</script> & <!-- 谣言 -->'
    clarification = ClarificationFactory(claim=claim)
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert '</script><script>alert("x")' not in page
    (review,) = json_ld_blocks(page)
    assert review["claimReviewed"] == claim
