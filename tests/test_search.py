"""Searching clarifications in Chinese and English: matching, ranking, snippets, filters, index sync.

The suite runs on SQLite and on PostgreSQL, so each expected order here is the order on both.
"""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from clarifications import search
from clarifications.archive import import_lines
from clarifications.models import Clarification, Status

from .factories import ClarificationFactory, TopicFactory

pytestmark = pytest.mark.django_db


def item(title, claim="", truth="", body="", days_ago=1, **kwargs):
    return ClarificationFactory(
        title=title,
        claim=claim or "—",
        truth=truth or "—",
        body=body,
        published_at=timezone.now() - timedelta(days=days_ago),
        **kwargs,
    )


def ranked(query, queryset=None):
    """Titles of every public clarification sharing a word with the query, best first."""
    queryset = Clarification.objects.published() if queryset is None else queryset
    return [clarification.title for clarification in search.search(queryset, query)]


def found(query, queryset=None):
    """Titles that match the query (not merely "possibly related"), best first."""
    queryset = Clarification.objects.published() if queryset is None else queryset
    results = search.search(queryset, query)
    return [item.title for item in results if item.search_strength >= search.Strength.MATCH]


def list_page(client, **params):
    """The list page in English, so that assertions can quote the interface's words."""
    with translation.override("en"):
        url = reverse("clarifications:list")
    return client.get(url, params).content.decode()


def test_a_two_character_chinese_query_finds_its_clarifications():
    vaccine = item("网传接种疫苗后多名儿童住院", claim="接种流感疫苗后孩子都住院了")
    subway = item("网传地铁2号线停运一周", claim="地铁2号线下周停运")
    item("网传全市停水三天", claim="明天起全市停水")
    assert found("疫苗") == [vaccine.title]
    assert found("地铁") == [subway.title]


def test_a_chinese_phrase_ranks_the_clarification_containing_it_first():
    scattered = item("交通消息", claim="地铁停车场扩建，部分公交线路停运一天", days_ago=1)
    phrase = item("交通传言", claim="网传明天地铁停运，市民出行受影响", days_ago=5)
    assert found("地铁停运") == [phrase.title, scattered.title]


def test_an_english_phrase_across_a_colon_or_comma_ranks_the_clarification_containing_it_first():
    apart = item("Breakfast carts", claim="He confirmed it: the district bans all breakfast carts", days_ago=1)
    phrase = item("Power cut", claim="He confirmed it: all of Hexi loses power tonight", days_ago=5)
    assert ranked("confirmed it: all") == [phrase.title, apart.title]


def test_a_chinese_phrase_also_finds_its_words_apart():
    apart = item("网传地铁2号线停运一周不实", claim="地铁2号线下周停运", days_ago=3)
    item("网传地铁票价上涨", claim="地铁票价明天上涨", days_ago=1)
    item("网传全市停水三天", claim="明天起全市停水")
    assert found("地铁停运") == [apart.title]


def test_when_no_clarification_has_every_word_those_sharing_the_most_come_first():
    both = item("网传地铁2号线停运一周不实", claim="地铁2号线下周停运", days_ago=3)
    one = item("网传地铁票价上涨", claim="地铁票价明天上涨", days_ago=1)
    other = item("网传全市停水三天", claim="明天起全市停水")
    for number in range(6):
        item(f"No, vaccines are safe ({number})", claim="Vaccines contain microchips.")
    results = ranked("地铁停运 停水 台风")
    assert results[0] == both.title
    assert set(results) == {both.title, one.title, other.title}


def test_a_single_chinese_character_finds_it_anywhere_in_a_word():
    at_end = item("网传全市停水", claim="明天全市停水")
    at_start = item("网传水质发黄", claim="自来水发黄不能喝")
    item("网传地铁停运", claim="地铁停运一周")
    assert set(found("水")) == {at_end.title, at_start.title}


@pytest.mark.parametrize("query", ["vaccine", "vaccines", "Vaccinated", "VACCINATION"])
def test_english_words_match_across_inflections(query):
    vaccines = item("No, vaccines do not contain microchips", claim="The vaccine contains a tracking chip.")
    item("The subway is not closed", claim="Line 2 closes for a week.")
    assert found(query) == [vaccines.title]


def test_english_words_match_in_any_order_and_case():
    closed = item("Subway line 2 is not closing", claim="A message says the subway will be closed all week.")
    item("School holidays are not extended", claim="Schools stay closed until March.")
    assert found("CLOSED subway") == [closed.title]


def test_full_width_letters_and_digits_match_their_ascii_form():
    tower = item("网传５Ｇ基站致癌不实", claim="５Ｇ基站辐射会致癌")
    assert found("5g 基站") == [tower.title]


def test_mixed_chinese_and_english_queries_match_both_languages():
    bilingual = item("网传疫苗含芯片 (vaccine microchip)", claim="疫苗里有 microchip")
    item("网传疫苗断供", claim="九价疫苗下月停止供应")
    assert found("疫苗 microchips") == [bilingual.title]


def test_a_match_in_the_title_or_claim_ranks_above_a_match_in_the_body():
    in_body = item("网传消息甲", body="专家表示疫苗安全。", days_ago=1)
    in_claim = item("网传消息乙", claim="接种疫苗会生病", days_ago=2)
    in_title = item("网传疫苗断供", days_ago=3)
    assert found("疫苗") == [in_title.title, in_claim.title, in_body.title]


def test_recency_breaks_ties_between_equal_matches():
    older = item("网传疫苗断供甲", days_ago=9)
    newer = item("网传疫苗断供乙", days_ago=2)
    assert found("疫苗") == [newer.title, older.title]


def test_without_words_the_list_is_newest_first(client):
    older = item("较早的澄清", days_ago=9)
    newer = item("较新的澄清", days_ago=2)
    page = list_page(client)
    assert page.index(newer.title) < page.index(older.title)


@pytest.mark.parametrize("kind", ["draft", "in_review", "scheduled", "withdrawn"])
def test_hidden_clarifications_are_never_found(client, kind):
    visible = item("网传疫苗断供（公开）")
    hidden = ClarificationFactory(title="网传疫苗断供（隐藏）", claim="疫苗疫苗疫苗", **{kind: True})
    assert found("疫苗") == [visible.title]
    assert hidden.title not in list_page(client, q="疫苗")
    suggestions = client.get(reverse("clarifications:suggest"), {"q": "疫苗"}).json()["results"]
    assert [result["title"] for result in suggestions] == [visible.title]
    assert search.find_similar("疫苗疫苗疫苗", queryset=Clarification.objects.published()) == [visible]


def test_a_query_without_any_word_finds_nothing(client):
    item("网传疫苗断供")
    assert found("！？…") == []
    assert "Nothing matches" in list_page(client, q="!!! ***")


def test_results_show_a_snippet_with_the_matched_words_marked(client):
    item("网传地铁2号线停运一周", claim="紧急通知：地铁2号线下周停运，请大家转发！")
    page = list_page(client, q="地铁停运")
    assert '<p class="card-snippet" lang="zh-hans">' in page
    assert "紧急通知：<mark>地铁</mark>2号线下周<mark>停运</mark>" in page


def test_english_snippets_mark_whole_inflected_words(client):
    item("No, vaccines are safe", claim="A video claims that the new vaccines contain microchips.")
    assert "the new <mark>vaccines</mark> contain <mark>microchips</mark>" in list_page(client, q="vaccine microchip")


def test_a_long_text_gives_a_snippet_around_the_matches():
    clarification = item("网传消息", claim="无关的话。" * 60 + "网传明天地铁停运。" + "其他的话。" * 60)
    html = search.snippet(clarification, "地铁停运")
    assert html.startswith("…")
    assert html.endswith("…")
    assert "<mark>地铁停运</mark>" in html
    assert len(html) < search.SNIPPET_CHARS + 40


def test_snippets_escape_html_from_the_stored_text(client):
    item(
        "网传<script>alert(1)</script>疫苗",
        claim='<script>alert("x")</script> 疫苗 <img src=x onerror=alert(1)> & "quotes"',
    )
    page = list_page(client, q="疫苗")
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>疫苗</mark> &lt;img src=x" in page
    snippet = client.get(reverse("clarifications:suggest"), {"q": "疫苗"}).json()["results"][0]["snippet"]
    assert snippet.startswith("&lt;script&gt;")
    assert "<mark>疫苗</mark>" in snippet


def test_a_query_cannot_inject_markup_into_the_snippet():
    clarification = item("网传疫苗断供", claim="疫苗很安全")
    html = search.snippet(clarification, "</mark><script>疫苗")
    assert "<script>" not in html
    assert html.count("<mark>") == html.count("</mark>") == 1


def test_filters_combine_with_the_words(client):
    topic = TopicFactory(name="疫苗", name_en="Vaccines")
    wanted = item("网传疫苗断供", verdict="false", language="zh-hans", region="浦东新区", topics=[topic])
    item("网传疫苗涨价", verdict="misleading", topics=[topic])
    item("网传疫苗过期", verdict="false", region="徐汇区")
    item("网传地铁停运", verdict="false", region="浦东新区", topics=[topic])
    page = list_page(client, q="疫苗", verdict="false", topic=topic.slug, region="浦东新区", language="zh-hans")
    assert wanted.title in page
    assert "1 clarification" in page
    for title in ["网传疫苗涨价", "网传疫苗过期", "网传地铁停运"]:
        assert title not in page


def test_date_range_filters_combine_with_the_words(client):
    recent = item("网传疫苗断供（新）", days_ago=3)
    old = item("网传疫苗断供（旧）", days_ago=400)
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    page = list_page(client, q="疫苗", published_after=since)
    assert recent.title in page
    assert old.title not in page
    page = list_page(client, q="疫苗", published_before=since)
    assert old.title in page
    assert recent.title not in page


def test_best_match_is_the_default_sort_with_words_and_can_be_changed(client):
    in_title = item("网传疫苗断供", days_ago=20)
    in_body = item("网传消息", body="疫苗", days_ago=1)
    page = list_page(client, q="疫苗")
    assert page.index(in_title.title) < page.index(in_body.title)
    page = list_page(client, q="疫苗", sort="-published")
    assert page.index(in_body.title) < page.index(in_title.title)
    page = list_page(client, q="疫苗", sort="published")
    assert page.index(in_title.title) < page.index(in_body.title)


def test_best_match_without_words_falls_back_to_newest_first(client):
    older = item("较早的澄清", days_ago=9)
    newer = item("较新的澄清", days_ago=2)
    page = list_page(client, sort="relevance")
    assert page.index(newer.title) < page.index(older.title)


def test_an_invalid_filter_shows_a_message_and_keeps_the_search(client):
    wanted = item("网传疫苗断供")
    with translation.override("en"):
        response = client.get(reverse("clarifications:list"), {"q": "疫苗", "verdict": "nonsense", "sort": "sideways"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood" in page
    assert wanted.title in page


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_refused_with_a_message(client, day):
    wanted = item("网传疫苗断供")
    for name in ("published_after", "published_before"):
        with translation.override("en"):
            response = client.get(reverse("clarifications:list"), {"q": "疫苗", name: day})
        page = response.content.decode()
        assert response.status_code == 200
        assert "Enter a date between 1900-01-01 and 9998-12-31." in page
        assert wanted.title in page
        api = client.get("/api/clarifications/", {name: day})
        assert api.status_code == 400
        assert "1900-01-01" in api.json()[name][0]


def test_pagination_keeps_the_words_and_filters(client, settings):
    settings.CLARIFICATIONS_PER_PAGE = 2
    for number in range(5):
        item(f"网传疫苗消息{number}", days_ago=number + 1)
    page = list_page(client, q="疫苗", verdict="false")
    assert "page=2" in page
    assert "q=%E7%96%AB%E8%8B%97" in page
    assert "verdict=false" in page


def test_suggest_returns_the_top_five_as_json(client):
    for number in range(7):
        item(f"网传疫苗消息{number}", claim="接种疫苗后不适", truth=f"真相{number}", days_ago=number + 1)
    response = client.get(reverse("clarifications:suggest"), {"q": "疫苗"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert len(results) == 5
    first = Clarification.objects.get(title="网传疫苗消息0")
    assert results[0] == {
        "title": "网传疫苗消息0",
        "url": first.get_absolute_url(),
        "verdict": "false",
        "verdict_label": "谣言",
        "truth": "真相0",
        "snippet": "接种<mark>疫苗</mark>后不适",
        "strength": "match",
    }


def test_suggest_speaks_the_page_language(client):
    item("No, vaccines are safe", claim="Vaccines contain microchips.")
    results = client.get("/en/clarifications/suggest", {"q": "vaccine"}).json()["results"]
    assert results[0]["url"].startswith("/en/")


@pytest.mark.parametrize("query", ["", " ", "a", "疫", "   x   "])
def test_suggest_gives_an_empty_list_for_an_empty_or_too_short_query(client, query):
    item("网传疫苗断供")
    response = client.get(reverse("clarifications:suggest"), {"q": query})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_find_similar_finds_a_clarification_from_a_whole_pasted_message():
    water = item("网传全市停水三天不实", claim="紧急通知！明天起全市停水三天，请大家转发给家人。")
    item("网传地铁停运", claim="地铁2号线下周停运")
    item("No, vaccines are safe", claim="Vaccines contain microchips.")
    message = "【紧急通知】各位家长：听说明天开始全市要停水三天！！快囤水，转发给家人朋友"
    assert search.find_similar(message, queryset=Clarification.objects.published())[0] == water
    assert search.find_similar(message, limit=1, queryset=Clarification.objects.published()) == [water]


# --- The index follows every change ---------------------------------------------------------------


def test_a_new_clarification_is_found_at_once():
    created = ClarificationFactory(title="网传台风停课", claim="台风来袭学校停课")
    assert found("台风") == [created.title]
    assert created.pk in search.indexed_ids(model=Clarification)


def test_an_edited_clarification_is_found_by_its_new_words_only():
    clarification = item("网传台风停课", claim="台风来袭学校停课")
    clarification.title = "网传暴雨停课"
    clarification.claim = "暴雨来袭学校停课"
    clarification.save()
    assert found("台风") == []
    assert found("暴雨") == ["网传暴雨停课"]


def test_a_save_of_other_fields_keeps_the_index():
    clarification = item("网传台风停课")
    clarification.region = "浦东新区"
    clarification.save(update_fields=["region"])
    assert found("台风") == [clarification.title]


def test_publishing_and_withdrawing_change_what_is_found():
    clarification = ClarificationFactory(title="网传台风停课", draft=True)
    assert found("台风") == []
    clarification.status = Status.PUBLISHED
    clarification.published_at = timezone.now() - timedelta(minutes=1)
    clarification.save()
    assert found("台风") == [clarification.title]
    clarification.status = Status.WITHDRAWN
    clarification.save(update_fields=["status"])
    assert found("台风") == []


def test_a_deleted_clarification_leaves_the_index():
    kept = item("网传台风停课（保留）")
    deleted = item("网传台风停课（删除）")
    deleted_pk = deleted.pk
    deleted.delete()
    assert found("台风") == [kept.title]
    assert deleted_pk not in search.indexed_ids(model=Clarification)


def test_a_bulk_delete_leaves_the_index():
    kept = item("网传地铁停运")
    doomed = [item(f"网传台风停课{number}") for number in range(3)]
    Clarification.objects.filter(title__startswith="网传台风").delete()
    assert found("台风") == []
    assert found("地铁") == [kept.title]
    assert not {clarification.pk for clarification in doomed} & search.indexed_ids(model=Clarification)


def test_imported_clarifications_are_found_and_reimports_update_the_index():
    record = {
        "external_id": "archive-1",
        "title": "网传台风停课",
        "claim": "台风来袭全市停课",
        "verdict": "false",
        "truth": "教育局未发布停课通知。",
        "language": "zh-hans",
        "status": "published",
        "published_at": "2025-03-03T10:00:00+08:00",
    }
    assert import_lines([json.dumps(record, ensure_ascii=False)]).created == 1
    assert found("台风") == ["网传台风停课"]
    record.update(title="网传暴雨停课", claim="暴雨来袭全市停课")
    assert import_lines([json.dumps(record, ensure_ascii=False)]).updated == 1
    assert found("台风") == []
    assert found("暴雨") == ["网传暴雨停课"]


def test_the_rebuild_command_indexes_what_bypassed_save():
    item("网传地铁停运")
    Clarification.objects.bulk_create(
        [
            Clarification(
                title="网传台风停课",
                claim="台风来袭",
                truth="没有停课。",
                verdict="false",
                status=Status.PUBLISHED,
                published_at=timezone.now() - timedelta(days=1),
            )
        ]
    )
    assert found("台风") == []
    output = io.StringIO()
    call_command("rebuild_search_index", stdout=output)
    assert "Search index rebuilt: 2 clarifications indexed" in output.getvalue()
    assert found("台风") == ["网传台风停课"]
    assert found("地铁") == ["网传地铁停运"]
    assert search.indexed_ids(model=Clarification) >= set(Clarification.objects.values_list("pk", flat=True))


# --- Bounded work for common words -----------------------------------------------------------------


@pytest.fixture
def cap_of_three(monkeypatch):
    """RESULT_CAP is 200 in production; 3 here, so that a few rows are "too many"."""
    monkeypatch.setattr(search.ranking, "RESULT_CAP", 3)


@pytest.fixture
def three_rows_a_term(monkeypatch):
    """A common term brings its newest TERM_ROWS matches (250 in production); 3 here."""
    monkeypatch.setattr(search.candidates, "TERM_ROWS", 3)


@pytest.mark.usefixtures("three_rows_a_term")
def test_a_common_word_ranks_its_most_recently_added_matches():
    item("网传疫苗最早的标题")  # the best match, but added before the three newest matches
    for number in range(3):
        item(f"网传消息{number}", body="接种疫苗", days_ago=10 - number)
    item("网传疫苗较新的标题", days_ago=30)
    assert ranked("疫苗") == ["网传疫苗较新的标题", "网传消息2", "网传消息1"]


@pytest.mark.usefixtures("three_rows_a_term")
def test_hidden_clarifications_take_no_place_among_the_newest_matches():
    shown = [item(f"网传疫苗消息{number}", days_ago=number + 1) for number in range(4)]
    ClarificationFactory(title="网传疫苗草稿", status=Status.DRAFT, published_at=None)
    item("网传疫苗定时", days_ago=-1)  # scheduled for tomorrow
    assert ranked("疫苗") == [clarification.title for clarification in shown[1:]]


@pytest.mark.usefixtures("three_rows_a_term")
def test_filters_apply_before_the_newest_matches_are_taken(client):
    item("网传疫苗旧闻甲", days_ago=40, verdict="misleading")
    item("网传疫苗旧闻乙", days_ago=41, verdict="misleading")
    for number in range(5):
        item(f"网传疫苗新闻{number}", verdict="false")
    page = list_page(client, q="疫苗", verdict="misleading")
    assert "2 clarifications" in page
    assert "网传疫苗旧闻甲" in page
    assert "网传疫苗旧闻乙" in page


@pytest.mark.usefixtures("cap_of_three")
def test_beyond_the_cap_the_list_says_so_and_pages_through_the_best_results(client, settings):
    settings.CLARIFICATIONS_PER_PAGE = 2
    for number in range(6):
        item(f"网传疫苗消息{number}", days_ago=number + 1)
    first = list_page(client, q="疫苗")
    assert "3+ clarifications" in first
    assert "Page 1 of 2" in first
    second = list_page(client, q="疫苗", page=2)
    assert "Page 2 of 2" in second
    assert len([number for number in range(6) if f"消息{number}" in first + second]) == 3
    assert "6 clarifications" in list_page(client)  # without words the count stays exact


@pytest.mark.usefixtures("cap_of_three")
def test_below_the_cap_the_count_is_exact(client):
    for number in range(3):
        item(f"网传疫苗消息{number}")
    assert "3 clarifications" in list_page(client, q="疫苗")


def test_sorted_by_date_the_matches_come_oldest_first(client):
    item("网传疫苗最老的一条", days_ago=400)
    for number in range(5):
        item(f"网传疫苗消息{number}", days_ago=number + 1)
    item("网传全市停水", days_ago=500)
    page = list_page(client, q="疫苗", sort="published")
    assert "6 clarifications" in page
    assert "网传全市停水" not in page
    assert page.index("网传疫苗最老的一条") < page.index("网传疫苗消息4") < page.index("网传疫苗消息0")


@pytest.mark.usefixtures("cap_of_three")
def test_find_similar_still_finds_an_old_clarification_behind_many_newer_partial_matches():
    answered = item("网传自来水被污染不能喝", claim="网传全市自来水被污染，三天不能喝", days_ago=900)
    for number in range(5):
        item(f"网传消息{number}", claim="今天全市天气晴朗")
    similar = search.find_similar(
        "紧急通知！全市自来水被污染，三天不能喝，请转发", queryset=Clarification.objects.published()
    )
    assert similar[0] == answered


@pytest.mark.usefixtures("cap_of_three")
def test_the_api_counts_a_search_up_to_the_cap_and_pages_through_it(client):
    for number in range(6):
        item(f"网传疫苗消息{number}", days_ago=number + 1)
    first = client.get("/api/clarifications/", {"q": "疫苗", "page_size": 2}).json()
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert client.get("/api/clarifications/").json()["count"] == 6


# --- Query counts ---------------------------------------------------------------------------------

# the terms' statistics, the candidates (one UNION), the texts of the best for reranking, count, page
# of rows, topics of those rows, topic choices of the filter form.
ONE_WORD_QUERIES = 7
SEVERAL_WORDS_QUERIES = 7


@pytest.mark.parametrize("count", [5, 30])
@pytest.mark.parametrize(("query", "queries"), [("疫苗", ONE_WORD_QUERIES), ("疫苗 地铁停运", SEVERAL_WORDS_QUERIES)])
def test_a_result_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, count, query, queries):
    topics = [TopicFactory(), TopicFactory()]
    for number in range(count):
        ClarificationFactory(title=f"网传消息{number}", claim="网传疫苗断供，地铁停运", topics=topics)
    with django_assert_num_queries(queries):
        response = client.get(reverse("clarifications:list"), {"q": query})
    assert response.status_code == 200
    assert "<mark>" in response.content.decode()


def test_suggestions_cost_four_queries_at_most(client, django_assert_max_num_queries):
    for number in range(10):
        item(f"网传疫苗消息{number}")
    # the statistics, the candidates, the texts of the best, and the suggested rows
    with django_assert_max_num_queries(4):
        assert len(client.get(reverse("clarifications:suggest"), {"q": "疫苗 消息"}).json()["results"]) == 5


# --- Windows: a common term's newest matches where the index gives them in no order ---------------


def windowed(monkeypatch, margin):
    """Ask common terms among the newest ids first (as on PostgreSQL) with this margin; None: never."""
    backend = search.backends.backend_for("default")
    monkeypatch.setattr(backend, "NEWEST_NEEDS_WINDOW", margin is not None)
    monkeypatch.setattr(search.candidates, "WINDOW_MARGIN", margin)


def statements(query):
    """The titles ranked for ``query``, and how many statements it took."""
    with CaptureQueriesContext(connection) as queries:
        titles = ranked(query)
    return titles, len(queries)


@pytest.mark.usefixtures("three_rows_a_term")
def test_a_common_word_finds_the_same_newest_matches_with_a_window_or_without(monkeypatch):
    old = [item(f"网传疫苗旧闻{number}", days_ago=50 + number) for number in range(4)]
    new = [item(f"网传疫苗新闻{number}", days_ago=number + 1) for number in range(4)]
    ClarificationFactory(title="网传疫苗草稿", status=Status.DRAFT, published_at=None)  # the newest id
    item("网传疫苗定时", days_ago=-1)
    windowed(monkeypatch, None)
    expected, plain = statements("疫苗")
    assert expected == [clarification.title for clarification in new[1:]]
    # A window sized to hold this test's rows (ids of earlier tests lie below them): its newest
    # three visible matches are the term's newest; one more statement, for the newest id.
    newest = Clarification.objects.order_by("-pk").first().pk
    documents = search.statistics.lookup(connection, ["疫苗"])["疫苗"]
    margin = (newest - old[0].pk + 1) * documents / (search.candidates.TERM_ROWS * newest)
    windowed(monkeypatch, margin)
    assert statements("疫苗") == (expected, plain + 1)
    # Too narrow to hold three visible matches: the term is asked again, whole.
    windowed(monkeypatch, margin / 100)
    assert statements("疫苗") == (expected, plain + 2)


@pytest.mark.usefixtures("three_rows_a_term")
def test_common_words_are_not_asked_when_the_rare_ones_already_decide(monkeypatch):
    monkeypatch.setattr(search.candidates, "RERANK", 1)
    windowed(monkeypatch, None)
    answered = item("网传龙华区地震", claim="龙华区明天发生地震", days_ago=30)
    for number in range(4):
        item(f"网传地震消息{number}", body="地震", days_ago=number + 1)
    # Rare words (龙华区) find one clarification, and the common word (地震, in more clarifications
    # than a term's quota) could add less to any other than it already leads by: not asked.
    titles, pruned = statements("紧急通知：龙华区明天地震")
    assert titles == [answered.title]
    ranking = search.rank(Clarification.objects.published(), "紧急通知：龙华区明天地震")
    assert ranking.capped  # the list says "1+": others hold the common word
    # A text of common words only is answered from them: the term's newest three.
    assert set(statements("地震")[0]) == {f"网传地震消息{number}" for number in (1, 2, 3)}
    assert pruned == statements("龙华区")[1]


def test_explain_search_prints_each_results_score_parts_and_how_the_text_was_read():
    answered = item("网传地铁停运", claim="地铁2号线下周停运")
    by_the_way = item("网传期间限行", claim="我们听说期间要限行")  # shares one word (期间) and stop words
    output = io.StringIO()
    call_command("explain_search", "我们听说新冠期间地铁停运，转发给你的朋友", stdout=output)
    text = output.getvalue()
    assert f"  1. #{answered.pk} " in text
    assert "网传地铁停运" in text
    assert "first stage" in text
    assert "terms" in text
    assert "phrases" in text
    assert "overlap" in text
    assert "words shared 2: " in text  # 地铁 停运: two words in three bigrams
    assert "我们 0.05" in text  # a stop word, weighed as such
    assert "新冠 -> 新型 型冠" in text  # another form asked
    # The result left out, and why: what it shares is one word and stop words.
    assert f"left out (1):\n   - #{by_the_way.pk} {search.ranking.FEW_WORDS}" in text
    assert "words shared 1: " in text
    assert text.rstrip().endswith("1 results, 1 shown.")
