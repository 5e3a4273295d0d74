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


def test_pages_link_to_the_feeds_for_feed_readers(client):
    page = client.get("/").content.decode()
    assert 'type="application/rss+xml"' in page and 'href="/feeds/latest.rss"' in page
    assert 'type="application/atom+xml"' in page and 'href="/feeds/latest.atom"' in page
