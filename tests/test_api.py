"""The read-only JSON API: the site's filters and visibility, stable fields, an OpenAPI 3 schema."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from drf_spectacular.validation import validate_schema

from .factories import ClarificationFactory, SourceFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LIST = "/api/clarifications/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts requests in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def titles(response):
    return [item["title"] for item in response.json()["results"]]


def test_a_clarification_is_described_with_stable_snake_case_fields_and_iso_dates(client):
    topic = TopicFactory(name="交通出行", name_en="Transport", slug="transport")
    clarification = ClarificationFactory(
        title="网传地铁停运不实",
        claim="地铁2号线下周停运！",
        claim_platform="weibo",
        claim_seen_on=date(2025, 3, 1),
        claim_author="某公众号",
        claim_url="https://mp.example.com/s/abc",
        verdict="false",
        truth="地铁2号线运营正常。",
        region="浦东新区",
        topics=[topic],
        published_at=datetime(2025, 3, 3, 10, tzinfo=SHANGHAI),
    )
    SourceFactory(clarification=clarification, title="地铁集团公告", date=date(2025, 3, 2))
    UpdateFactory(clarification=clarification, note="补充说明。", date=datetime(2025, 3, 4, 9, tzinfo=SHANGHAI))
    item = client.get(f"{LIST}{clarification.pk}/").json()
    assert item == {
        "id": clarification.pk,
        "url": f"http://testserver/clarifications/{clarification.pk}/",
        "title": "网传地铁停运不实",
        "claim": "地铁2号线下周停运！",
        "claim_platform": "weibo",
        "claim_platform_label": "微博",
        "claim_seen_on": "2025-03-01",
        "claim_author": "某公众号",
        "claim_url": "https://mp.example.com/s/abc",
        "verdict": "false",
        "verdict_label": "谣言",
        "truth": "地铁2号线运营正常。",
        "body": clarification.body,
        "authority": {"name": "市水务局", "url": "https://swj.example.gov.cn/"},
        "topics": [{"slug": "transport", "name": "交通出行", "name_en": "Transport"}],
        "region": "浦东新区",
        "language": "zh-hans",
        "image": None,
        "image_alt": "",
        "sources": [
            {
                "title": "地铁集团公告",
                "url": "https://swj.example.gov.cn/notice/1",
                "publisher": "市水务局",
                "date": "2025-03-02",
            }
        ],
        "updates": [{"date": "2025-03-04T09:00:00+08:00", "note": "补充说明。"}],
        "status": "published",
        "withdrawal_note": "",
        "withdrawn_at": None,
        "published_at": "2025-03-03T10:00:00+08:00",
        "public_modified_at": "2025-03-04T09:00:00+08:00",
    }


def test_the_list_shows_only_public_clarifications_newest_first(client):
    ClarificationFactory(title="较早", published_at=datetime(2025, 3, 1, tzinfo=SHANGHAI))
    ClarificationFactory(title="较新", published_at=datetime(2025, 3, 2, tzinfo=SHANGHAI))
    for trait in ["draft", "in_review", "scheduled", "withdrawn"]:
        ClarificationFactory(title=f"隐藏：{trait}", **{trait: True})
    response = client.get(LIST)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 2
    assert titles(response) == ["较新", "较早"]


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled"])
def test_an_unpublished_clarification_is_not_found(client, trait):
    clarification = ClarificationFactory(**{trait: True})
    assert client.get(f"{LIST}{clarification.pk}/").status_code == 404


def test_a_withdrawn_clarification_answers_with_its_status_and_note_so_partners_can_take_it_down(client):
    clarification = ClarificationFactory(withdrawn=True, withdrawal_note="新的证据表明原结论有误。")
    item = client.get(f"{LIST}{clarification.pk}/").json()
    assert item["status"] == "withdrawn"
    assert item["withdrawal_note"] == "新的证据表明原结论有误。"


def test_the_list_has_the_sites_filters(client):
    transport = TopicFactory(slug="transport")
    ClarificationFactory(title="地铁停运谣言", verdict="false", topics=[transport], region="浦东新区")
    ClarificationFactory(title="地铁票价属实", verdict="true", topics=[transport])
    ClarificationFactory(title="Water supply is normal", verdict="false", language="en", claim="Water cut!")
    assert titles(client.get(LIST, {"verdict": "true"})) == ["地铁票价属实"]
    assert sorted(titles(client.get(LIST, {"topic": "transport"}))) == ["地铁停运谣言", "地铁票价属实"]
    assert titles(client.get(LIST, {"language": "en"})) == ["Water supply is normal"]
    assert titles(client.get(LIST, {"region": "浦东新区"})) == ["地铁停运谣言"]
    assert titles(client.get(LIST, {"q": "停运"})) == ["地铁停运谣言"]
    assert titles(client.get(LIST, {"q": "停运", "verdict": "true"})) == []


def test_the_list_filters_by_publication_date_and_sorts(client):
    ClarificationFactory(title="三月一日", published_at=datetime(2025, 3, 1, 10, tzinfo=SHANGHAI))
    ClarificationFactory(title="三月五日", published_at=datetime(2025, 3, 5, 10, tzinfo=SHANGHAI))
    ClarificationFactory(title="三月九日", published_at=datetime(2025, 3, 9, 10, tzinfo=SHANGHAI))
    window = {"published_after": "2025-03-02", "published_before": "2025-03-09"}
    assert titles(client.get(LIST, window)) == ["三月九日", "三月五日"]
    assert titles(client.get(LIST, {**window, "sort": "published"})) == ["三月五日", "三月九日"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"verdict": "nonsense"}, "verdict"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"topic": "no-such-topic"}, "topic"),
        ({"language": "fr"}, "language"),
        ({"sort": "title"}, "sort"),
    ],
)
def test_an_invalid_filter_value_is_a_400_naming_the_field(client, params, field):
    ClarificationFactory()
    response = client.get(LIST, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert isinstance(body[field][0], str)
    assert body[field][0]


def test_the_list_is_paginated_with_links_to_the_next_page(client):
    for number in range(25):
        ClarificationFactory(title=f"澄清{number:02}", published_at=datetime(2025, 3, 1, tzinfo=SHANGHAI))
    first = client.get(LIST).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["next"] == "http://testserver/api/clarifications/?page=2"
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert {item["id"] for item in first["results"]}.isdisjoint(item["id"] for item in second["results"])
    small = client.get(LIST, {"page_size": 10}).json()
    assert len(small["results"]) == 10
    assert len(client.get(LIST, {"page_size": 1000}).json()["results"]) == 25  # capped at 100
    assert client.get(LIST, {"page": 9}).status_code == 404


def test_the_list_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _ in range(6):
        clarification = ClarificationFactory(topics=[TopicFactory()])
        SourceFactory(clarification=clarification)
        UpdateFactory(clarification=clarification)
    # Count, page, then topics, sources and updates for the whole page at once.
    with django_assert_num_queries(5):
        assert len(client.get(LIST).json()["results"]) == 6


def test_anonymous_clients_are_throttled(client, settings):
    settings.API_ANON_RATE = "2/min"
    assert client.get(LIST).status_code == 200
    assert client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429
    assert "Retry-After" in response


def test_a_forged_forwarded_address_on_each_request_does_not_escape_the_throttle(client, settings):
    settings.API_ANON_RATE = "2/min"
    statuses = [client.get(LIST, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_behind_a_trusted_proxy_the_throttle_counts_the_address_the_proxy_saw(client, settings):
    settings.API_ANON_RATE = "1/min"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1").status_code == 200
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="10.8.8.8, 198.51.100.2").status_code == 200
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="10.7.7.7, 198.51.100.1").status_code == 429


def test_the_schema_is_valid_openapi_3_and_documents_the_filters(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/clarifications/", "/api/clarifications/{id}/", "/api/clarifications/match/"}
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/clarifications/"]["get"]["parameters"]}
    assert {"q", "verdict", "topic", "region", "language", "published_after", "published_before", "sort"} <= parameters
    assert {"page", "page_size"} <= parameters


def test_the_api_answers_only_reads(client):
    assert client.post(LIST, {}, content_type="application/json").status_code == 405
