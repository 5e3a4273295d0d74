"""RSS and Atom feeds: valid XML, public items only, honest dates."""

import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest

from .factories import ClarificationFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def hidden_titles():
    hidden = [
        ClarificationFactory(draft=True, title="草稿不应出现"),
        ClarificationFactory(in_review=True, title="审核中不应出现"),
        ClarificationFactory(scheduled=True, title="定时发布不应出现"),
        ClarificationFactory(withdrawn=True, title="已撤回不应出现"),
    ]
    return [clarification.title for clarification in hidden]


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's output)
    return root.findall("./channel/item")


def atom_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's output)
    return root.findall(f"{ATOM}entry")


def test_the_rss_feed_lists_public_clarifications_newest_first_and_nothing_else(client, hidden_titles):
    older = ClarificationFactory(title="较早的澄清", published_at=datetime(2025, 3, 1, 9, tzinfo=SHANGHAI))
    newer = ClarificationFactory(title="较新的澄清", published_at=datetime(2025, 3, 3, 9, tzinfo=SHANGHAI))
    items = rss_items(client, "/feeds/latest.rss")
    titles = [item.findtext("title") for item in items]
    assert titles == ["[谣言] 较新的澄清", "[谣言] 较早的澄清"]
    assert items[0].findtext("link") == f"http://testserver{newer.get_absolute_url()}"
    assert items[1].findtext("description") == older.truth
    assert parsedate_to_datetime(items[0].findtext("pubDate")) == newer.published_at
    for title in hidden_titles:
        assert not any(title in text for text in titles)


def test_the_atom_feed_gives_the_latest_public_correction_as_the_updated_date(client, hidden_titles):
    clarification = ClarificationFactory(published_at=datetime(2025, 3, 3, 9, tzinfo=SHANGHAI))
    UpdateFactory(clarification=clarification, date=datetime(2025, 3, 10, 15, tzinfo=SHANGHAI))
    untouched = ClarificationFactory(published_at=datetime(2025, 3, 5, 9, tzinfo=SHANGHAI))
    entries = {entry.findtext(f"{ATOM}id"): entry for entry in atom_entries(client, "/feeds/latest.atom")}
    assert len(entries) == 2
    corrected = entries[f"http://testserver{clarification.get_absolute_url()}"]
    assert datetime.fromisoformat(corrected.findtext(f"{ATOM}published")) == clarification.published_at
    assert datetime.fromisoformat(corrected.findtext(f"{ATOM}updated")) == datetime(2025, 3, 10, 15, tzinfo=SHANGHAI)
    plain = entries[f"http://testserver{untouched.get_absolute_url()}"]
    assert datetime.fromisoformat(plain.findtext(f"{ATOM}updated")) == untouched.published_at


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_a_topic_feed_lists_only_public_clarifications_on_that_topic(client, extension):
    transport, health = TopicFactory(slug="transport"), TopicFactory(slug="health")
    ClarificationFactory(title="地铁停运不实", topics=[transport])
    ClarificationFactory(title="疫苗谣言", topics=[health])
    ClarificationFactory(draft=True, title="地铁草稿", topics=[transport])
    if extension == "rss":
        titles = [item.findtext("title") for item in rss_items(client, "/feeds/topics/transport.rss")]
    else:
        titles = [entry.findtext(f"{ATOM}title") for entry in atom_entries(client, "/feeds/topics/transport.atom")]
    assert titles == ["[谣言] 地铁停运不实"]


def test_a_feed_for_an_unknown_topic_is_not_found(client):
    assert client.get("/feeds/topics/no-such-topic.rss").status_code == 404


def test_the_feed_names_each_items_topics_as_categories(client):
    ClarificationFactory(topics=[TopicFactory(name="交通出行")])
    (item,) = rss_items(client, "/feeds/latest.rss")
    assert [category.text for category in item.findall("category")] == ["交通出行"]


def test_the_feed_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _ in range(5):
        clarification = ClarificationFactory(topics=[TopicFactory()])
        UpdateFactory(clarification=clarification)
    with django_assert_num_queries(3):
        client.get("/feeds/latest.atom")


@pytest.mark.parametrize(
    ("page_url", "prefix", "footer_text"),
    [("/", "", "RSS 订阅"), ("/en/", "/en", "RSS feed"), ("/en/about/", "/en", "RSS feed")],
)
def test_each_languages_pages_link_their_own_feed_in_the_head_and_the_footer(client, page_url, prefix, footer_text):
    page = client.get(page_url).content.decode()
    head, body = page.split("</head>")
    assert '<link rel="alternate" type="application/rss+xml" title="' in head
    assert f'href="{prefix}/feeds/latest.rss"' in head
    assert f'href="{prefix}/feeds/latest.atom"' in head
    footer = body.split('<footer class="site-footer">')[1]
    assert f'<a href="{prefix}/feeds/latest.rss" type="application/rss+xml">{footer_text}</a>' in footer
    other = "/en" if not prefix else ""
    assert f'href="{other}/feeds/latest.rss"' not in page


@pytest.fixture
def in_both_languages():
    topic = TopicFactory(slug="health", name="医疗健康", name_en="Health")
    chinese = ClarificationFactory(title="网传“疫苗含有芯片”？不实", topics=[topic])
    english = ClarificationFactory(
        title="No, vaccines do not contain microchips",
        truth="Vaccines contain no electronics.",
        language="en",
        topics=[topic],
    )
    return chinese, english


def test_the_english_channel_is_in_english_from_its_title_to_its_items(client, in_both_languages):
    _, english = in_both_languages
    response = client.get("/en/feeds/latest.rss")
    assert response.status_code == 200
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 (our own server's output)
    assert channel.findtext("title") == "Piyao: Latest clarifications"
    assert channel.findtext("description") == (
        "The latest rumor clarifications published in English: the claim, the verdict and the truth."
    )
    assert channel.findtext("language") == "en"
    assert channel.findtext("link") == "http://testserver/en/clarifications/"
    (item,) = channel.findall("item")
    assert item.findtext("title") == "[False] No, vaccines do not contain microchips"
    assert item.findtext("description") == "Vaccines contain no electronics."
    assert item.findtext("link") == f"http://testserver/en/clarifications/{english.pk}/"
    assert [category.text for category in item.findall("category")] == ["Health"]


def test_the_chinese_channel_keeps_its_address_and_carries_the_chinese_clarifications(client, in_both_languages):
    chinese, _ = in_both_languages
    channel = ET.fromstring(client.get("/feeds/latest.rss").content).find("channel")  # noqa: S314
    assert channel.findtext("language") == "zh-hans"
    assert "最新辟谣" in channel.findtext("title")
    assert [item.findtext("title") for item in channel.findall("item")] == [f"[谣言] {chinese.title}"]


@pytest.mark.parametrize("url", ["/en/feeds/latest.atom", "/en/feeds/topics/health.atom"])
def test_the_english_atom_channels_are_in_english_too(client, in_both_languages, url):
    root = ET.fromstring(client.get(url).content)  # noqa: S314 (our own server's output)
    assert root.findtext(f"{ATOM}subtitle").startswith("The latest rumor clarifications published in English")
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["[False] No, vaccines do not contain microchips"]
