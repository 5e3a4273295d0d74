"""sitemap.xml lists every public page in both languages; robots.txt points at it."""

import xml.etree.ElementTree as ET
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from .factories import ClarificationFactory, NoticeFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sitemap(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's output)
    return {url.findtext("s:loc", namespaces=NS): url for url in root.findall("s:url", NS)}


def test_the_sitemap_lists_public_clarifications_in_both_languages_with_their_last_public_change(client):
    clarification = ClarificationFactory(published_at=datetime(2025, 3, 3, 9, tzinfo=SHANGHAI))
    UpdateFactory(clarification=clarification, date=datetime(2025, 3, 12, 9, tzinfo=SHANGHAI))
    urls = sitemap(client)
    chinese = f"http://testserver{clarification.get_absolute_url()}"
    english = f"http://testserver/en{clarification.get_absolute_url()}"
    assert chinese in urls
    assert english in urls
    assert date.fromisoformat(urls[chinese].findtext("s:lastmod", namespaces=NS)) == date(2025, 3, 12)
    alternates = {link.get("hreflang"): link.get("href") for link in urls[chinese].findall("xhtml:link", NS)}
    assert alternates == {"zh-hans": chinese, "en": english, "x-default": chinese}


def test_the_sitemap_leaves_out_everything_the_public_cannot_see(client):
    hidden = [
        ClarificationFactory(draft=True),
        ClarificationFactory(in_review=True),
        ClarificationFactory(scheduled=True),
        ClarificationFactory(withdrawn=True),
    ]
    empty_topic = TopicFactory(slug="empty")
    draft_only_topic = TopicFactory(slug="draft-only")
    ClarificationFactory(draft=True, topics=[draft_only_topic])
    unpublished_notice = NoticeFactory(is_published=False)
    visible = ClarificationFactory()
    urls = sitemap(client)
    assert any(loc.endswith(visible.get_absolute_url()) for loc in urls)
    for thing in [*hidden, empty_topic, draft_only_topic, unpublished_notice]:
        assert not any(loc.endswith(thing.get_absolute_url()) for loc in urls), thing


def test_the_sitemap_lists_topics_notices_and_the_static_pages(client):
    topic = TopicFactory(slug="transport")
    ClarificationFactory(topics=[topic], published_at=datetime(2025, 3, 3, 9, tzinfo=SHANGHAI))
    ClarificationFactory(draft=True, topics=[topic], published_at=datetime(2025, 6, 1, 9, tzinfo=SHANGHAI))
    notice = NoticeFactory()
    urls = sitemap(client)
    topic_url = f"http://testserver{topic.get_absolute_url()}"
    # A topic's last change is its latest public clarification, not a draft's date.
    assert date.fromisoformat(urls[topic_url].findtext("s:lastmod", namespaces=NS)) == date(2025, 3, 3)
    assert f"http://testserver{notice.get_absolute_url()}" in urls
    for name in [
        "home:index",
        "clarifications:list",
        "clarifications:notices",
        "clarifications:about",
        "clarifications:how_to_report",
        "clarifications:privacy",
    ]:
        assert f"http://testserver{reverse(name)}" in urls
        assert f"http://testserver/en{reverse(name)}" in urls


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /en/admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
