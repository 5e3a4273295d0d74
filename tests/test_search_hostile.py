"""Whatever is typed into the search box gives a page (or a JSON list), never a server error."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarifications import search
from clarifications.models import Clarification

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    '""',
    "'",
    "疫苗\"' OR 1=1 --",
    "*",
    "疫*",
    "vaccine*",
    "NEAR(",
    "NEAR(疫苗 地铁, 2)",
    "疫苗 AND",
    "OR",
    "AND OR NOT",
    "NOT 疫苗",
    "title:疫苗",
    "^疫苗",
    "{title claim}: 疫苗",
    "%",
    "%%疫苗%",
    "_",
    "\\",
    "疫苗\\",
    "\\x00",
    "\x00",
    "疫苗\x00地铁",
    "\x01\x02\x1b[31m\x7f",
    "\t\n\r",
    "😀",
    "疫苗😀🚇",
    "👨‍👩‍👧‍👦",
    "\u200b\u200d\ufeff",
    "\ufffd",
    "&lt;mark&gt;",
    "<script>alert(1)</script>",
    "</mark>疫苗<mark>",
    "' & '疫苗' | !",
    "疫苗 <-> 地铁",
    "疫苗:*",
    "(((((",
    ")",
    "-疫苗",
    "+疫苗",
    "ＮＥＡＲ（疫苗",
    "疫" * 10_000,
    "vaccine " * 2_000,
    "a" * 10_000,
    "x" * 100_000,
]


@pytest.fixture
def clarification():
    return ClarificationFactory(title="网传疫苗断供不实", claim="网传九价疫苗下月停止供应，要加价找人抢约。")


@pytest.mark.parametrize("query", HOSTILE)
def test_the_list_page_answers_any_query(client, clarification, query):
    response = client.get(reverse("clarifications:list"), {"q": query})
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


@pytest.mark.parametrize("query", HOSTILE)
def test_the_suggest_endpoint_answers_any_query(client, clarification, query):
    response = client.get(reverse("clarifications:suggest"), {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("query", HOSTILE)
def test_find_similar_accepts_any_text(clarification, query):
    assert isinstance(search.find_similar(query, queryset=Clarification.objects.published()), list)


def test_fts_syntax_in_a_query_is_searched_as_words(clarification):
    assert list(search.search(Clarification.objects.published(), 'NEAR(疫苗 "断供" AND*')) == [clarification]
    assert list(search.search(Clarification.objects.published(), "疫苗 NOT")) == [clarification]


def test_a_too_long_query_in_an_address_shows_a_message_and_the_list(client, clarification):
    page = client.get("/en" + reverse("clarifications:list"), {"q": "疫苗" * 1001}).content.decode()
    assert "Paste at most 2000 characters" in page
    assert clarification.title in page


def test_a_too_long_posted_message_is_searched_by_its_first_characters(client, clarification):
    message = "网传接种疫苗后有人住院。" * 200  # 2,400 characters
    page = client.post("/en" + reverse("clarifications:list"), {"q": message}).content.decode()
    assert "Only the first 2000 characters of the message were searched." in page
    assert clarification.title in page


def test_a_query_with_a_null_character_shows_a_message(client, clarification):
    page = client.get("/en" + reverse("clarifications:list"), {"q": "疫苗\x00"}).content.decode()
    assert "Some filters were not understood" in page
    assert clarification.title in page


@pytest.mark.parametrize("query", ["\ud800", "疫苗\udfff", "\udc80\udc81 vaccine"])
def test_lone_surrogates_from_a_decoded_import_or_api_are_searched_safely(clarification, query):
    # They cannot come through a URL (Django decodes with replacement), but Python code may pass them.
    results = list(search.search(Clarification.objects.published(), query))
    assert results == ([clarification] if "疫苗" in query else [])
    assert search.snippet(clarification, query)
    assert isinstance(search.find_similar(query, queryset=Clarification.objects.published()), list)


def test_a_query_is_cut_to_a_fixed_number_of_characters():
    query = search.parse_query("".join(f"w{number:04} " for number in range(1000)))
    assert query.size == search.MAX_QUERY_CHARS // 6 + 1


def test_malformed_percent_encoding_gives_a_page(client, clarification):
    response = client.get(reverse("clarifications:list") + "?q=%E7%96%AB%ZZ%ff%fe%00%ed%a0%80")
    assert response.status_code == 200


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=300))
def test_any_text_is_safe_to_search(client, clarification, query):
    """Any Unicode text reaches no database error."""
    assert isinstance(list(search.search(Clarification.objects.published(), query)[:5]), list)
    assert search.snippet(clarification, query)
    url_safe = query.encode("utf-8", "replace").decode("utf-8")
    assert client.get(reverse("clarifications:list"), {"q": url_safe}).status_code == 200
    assert client.get(reverse("clarifications:suggest"), {"q": url_safe}).status_code == 200


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(
        st.sampled_from(
            ['"', "*", "NEAR(", "AND", "OR", "NOT", "%", "\\", "\x00", "😀", "疫苗", ":", "^", "'", "(", "&"]
        ),
        max_size=20,
    )
)
def test_any_mix_of_query_syntax_is_safe_to_search(client, clarification, words):
    query = " ".join(words) if len(words) % 2 else "".join(words)
    assert client.get(reverse("clarifications:suggest"), {"q": query}).status_code == 200
    assert isinstance(search.find_similar(query, queryset=Clarification.objects.published()), list)
