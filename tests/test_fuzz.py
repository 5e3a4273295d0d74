"""Property-based fuzzing of every public query parameter, path and form: no input gives a 500.

To cover a new endpoint, add it to one of the tables below:
- ``QUERY_ENDPOINTS``: a GET URL and the strategies of its query parameters (filters, page, ...);
- ``PATH_ENDPOINTS``: a URL pattern with one variable part (an id, a slug, a code);
- ``FORMS``: a POST URL and the strategies of its fields.
Every language prefix is tried with each. The test client raises the view's exception instead of
answering 500, so a failure shows the traceback and hypothesis' smallest failing input.
"""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clarifications.models import Language, Verdict

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Inputs that have broken search engines, parsers and databases before.
NASTY = [
    "",
    " ",
    '"',
    "'",
    "*",
    "NEAR(",
    "AND",
    "OR NOT",
    "%",
    "_",
    "\\",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "😀🧪",
    "疫苗",
    "' OR 1=1 --",
    "x" * 10_000,
    "疫" * 3000,
    "-1",
    "0",
    "9" * 40,
    "1e308",
    "NaN",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31",
    "-published",
    "published",
    "<script>alert(1)</script>",
    "../../etc/passwd",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
number = st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), text)
date = st.one_of(st.dates().map(str), text)


def choice(values):
    return st.one_of(st.sampled_from(list(values)), text)


PAGE = {"page": st.one_of(number, st.just("last"))}
LIST_FILTERS = {
    "q": text,
    "verdict": choice(Verdict.values),
    "topic": choice(["health", "transport", ""]),
    "region": text,
    "language": choice(Language.values),
    "published_after": date,
    "published_before": date,
    "sort": choice(["published", "-published"]),
    **PAGE,
}

QUERY_ENDPOINTS = {
    "home": ("/", {}),
    "clarification list": ("/clarifications/", LIST_FILTERS),
    "topic page": ("/topics/health/", PAGE),
    "notice list": ("/notices/", PAGE),
    "tip lookup": ("/tips/", {"code": text}),
    "suggestions": ("/clarifications/suggest", {"q": text}),
    "API list": ("/api/clarifications/", {**LIST_FILTERS, "page_size": number}),
}

path_text = st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=200))
PATH_ENDPOINTS = {
    "clarification detail": ("/clarifications/{}/", number),
    "notice detail": ("/notices/{}/", number),
    "topic page": ("/topics/{}/", st.one_of(st.sampled_from(["health", "transport"]), path_text)),
    "topic feed": ("/feeds/topics/{}.rss", st.one_of(st.sampled_from(["health", "transport"]), path_text)),
    "tip status": ("/tips/{}/", st.one_of(st.just("T-4F7K-9QXM"), path_text)),
    "API detail": ("/api/clarifications/{}/", number),
}

FORMS = {
    "staff login": ("/admin/login/", {"username": text, "password": text, "next": text}),
    "tip form": (
        "/tips/new/",
        {
            "text": text,
            "platform": choice(["wechat_group", "weibo", "other"]),
            "seen_on": date,
            "link": text,
            "contact_email": text,
            "kept_screenshot": text,
            "remove_screenshot": choice(["1", ""]),
            "refused_screenshot": text,
            "website": st.one_of(st.just(""), text),
        },
    ),
}

LANGUAGE_PREFIXES = ["", "/en", "/zh-hans", "/fr", "/EN"]


@pytest.fixture
def site():
    """A little of everything, so that filters and pages have something to find."""
    health = TopicFactory(name="健康", name_en="Health", slug="health")
    transport = TopicFactory(name="交通", name_en="Transport", slug="transport")
    for number in range(25):
        clarification = ClarificationFactory(
            topics=[health if number % 2 else transport],
            region="浦东新区",
            language=Language.EN if number % 3 == 0 else Language.ZH_HANS,
            title=f"网传疫苗消息{number}不实",
        )
        SourceFactory(clarification=clarification)
    ClarificationFactory(draft=True)
    ClarificationFactory(withdrawn=True)
    NoticeFactory()


def assert_no_server_error(response, url):
    assert response.status_code < 500, f"{url} answered {response.status_code}"


def query_case(endpoints):
    return st.sampled_from(sorted(endpoints)).flatmap(
        lambda name: st.tuples(
            st.just(endpoints[name][0]),
            st.fixed_dictionaries({}, optional=endpoints[name][1]),
            st.sampled_from(LANGUAGE_PREFIXES),
        )
    )


@FUZZ
@given(case=query_case(QUERY_ENDPOINTS))
@example(case=("/clarifications/", dict.fromkeys(LIST_FILTERS, "\x00"), ""))
def test_query_parameters_never_cause_a_server_error(client, site, case):
    path, params, prefix = case
    url = f"{prefix}{path}?{urlencode(params)}"
    assert_no_server_error(client.get(url), url)


@FUZZ
@given(
    path=st.sampled_from([path for path, _ in QUERY_ENDPOINTS.values()]),
    raw=st.text(alphabet=st.sampled_from("q=&;%+#?/\\\x00 é疫abcxyz0123456789"), max_size=80),
)
def test_raw_malformed_query_strings_never_cause_a_server_error(client, site, path, raw):
    # Keep the query's own punctuation, including stray "%" that make invalid escapes.
    url = path + "?" + quote(raw, safe="=&;%+?/\\")
    assert_no_server_error(client.get(url), url)


@FUZZ
@given(
    case=st.sampled_from(sorted(PATH_ENDPOINTS)).flatmap(
        lambda name: st.tuples(st.just(PATH_ENDPOINTS[name][0]), PATH_ENDPOINTS[name][1])
    ),
    prefix=st.sampled_from(LANGUAGE_PREFIXES),
)
# PostgreSQL refuses a NUL byte in a query with an error: it must never reach the database.
@example(case=("/topics/{}/", "\x00"), prefix="")
@example(case=("/topics/{}/", "health\x00"), prefix="/en")
def test_ids_and_slugs_in_paths_never_cause_a_server_error(client, site, case, prefix):
    pattern, value = case
    url = prefix + pattern.format(quote(value, safe=""))
    assert_no_server_error(client.get(url), url)


def test_a_topic_with_a_chinese_slug_still_has_its_page(client):
    topic = TopicFactory(name="食品安全", name_en="", slug="食品安全")
    ClarificationFactory(topics=[topic], title="网传某品牌奶粉含毒不实")
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert "网传某品牌奶粉含毒不实" in response.content.decode()


@FUZZ
@given(case=query_case(FORMS))
def test_public_forms_never_cause_a_server_error(client, site, case):
    path, fields, prefix = case
    url = prefix + path
    assert_no_server_error(client.post(url, fields), url)
