import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation

from clarifications.models import ClarificationQuerySet

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db


def test_home_shows_latest_clarifications_search_report_link_notices_and_topics(client):
    topic = TopicFactory(name="交通出行", name_en="Transport")
    ClarificationFactory(title="网传地铁停运不实", topics=[topic])
    NoticeFactory(title="关于查处网络谣言的通告")
    page = client.get("/").content.decode()
    assert "网传地铁停运不实" in page
    assert 'name="q"' in page
    assert reverse("clarifications:how_to_report") in page
    assert "关于查处网络谣言的通告" in page
    assert topic.get_absolute_url() in page


def test_detail_shows_claim_verdict_truth_body_evidence_authority_and_updates(client):
    clarification = ClarificationFactory(
        claim="转发：明天全市停水！",
        truth="全市供水正常。",
        body="供水集团**已经**辟谣。",
        authority_name="市水务局",
        authority_url="https://swj.example.gov.cn/",
    )
    SourceFactory(clarification=clarification, title="供水集团声明", publisher="供水集团")
    UpdateFactory(clarification=clarification, note="更正了发布机构名称。")
    page = client.get(clarification.get_absolute_url()).content.decode()
    for text in [
        "转发：明天全市停水！",
        "全市供水正常。",
        "<strong>已经</strong>",
        "供水集团声明",
        "市水务局",
        "更正了发布机构名称。",
        'class="verdict verdict-false"',
    ]:
        assert text in page


def test_detail_lists_related_clarifications_on_the_same_topic(client):
    topic, other_topic = TopicFactory(), TopicFactory()
    clarification = ClarificationFactory(topics=[topic])
    related = ClarificationFactory(title="同话题的澄清", topics=[topic])
    unrelated = ClarificationFactory(title="别的话题", topics=[other_topic])
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert related.title in page
    assert unrelated.title not in page


def test_list_is_newest_first_and_paginates_keeping_filters(client, settings):
    settings.CLARIFICATIONS_PER_PAGE = 2
    for _ in range(5):
        ClarificationFactory(language="en", title="English item")
    newest = ClarificationFactory(language="en", title="Newest English item")
    ClarificationFactory(language="zh-hans", title="中文条目")
    response = client.get(reverse("clarifications:list"), {"language": "en"})
    page = response.content.decode()
    assert "中文条目" not in page
    assert page.index(newest.title) < page.index("English item</a>")
    assert "?language=en&amp;page=2" in page


def test_list_filters_by_verdict_and_shows_a_message_for_invalid_values(client):
    ClarificationFactory(title="谣言一则", verdict="false")
    ClarificationFactory(title="属实一则", verdict="true")
    page = client.get(reverse("clarifications:list"), {"verdict": "true"}).content.decode()
    assert "属实一则" in page
    assert "谣言一则" not in page
    response = client.get(reverse("clarifications:list"), {"verdict": "nonsense", "published_after": "yesterday"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("page_number", ["999", "abc", "-1", "0"])
def test_odd_page_numbers_give_a_page(client, page_number):
    ClarificationFactory()
    assert client.get(reverse("clarifications:list"), {"page": page_number}).status_code == 200


def test_topic_page_lists_its_clarifications(client):
    topic = TopicFactory(name="疫苗", name_en="Vaccines")
    ClarificationFactory(title="疫苗含芯片不实", topics=[topic])
    ClarificationFactory(title="与疫苗无关")
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "疫苗含芯片不实" in page
    assert "与疫苗无关" not in page


def test_chinese_topic_slugs_resolve(client):
    topic = TopicFactory(name="食品安全", name_en="")
    assert topic.slug == "食品安全"
    assert client.get(topic.get_absolute_url()).status_code == 200


def test_notices_list_and_detail_show_only_published_notices(client):
    notice = NoticeFactory(title="公开的通告", body="请**自觉**抵制谣言。")
    hidden = NoticeFactory(title="未发布的通告", is_published=False)
    listing = client.get(reverse("clarifications:notices")).content.decode()
    assert notice.title in listing
    assert hidden.title not in listing
    assert "<strong>自觉</strong>" in client.get(notice.get_absolute_url()).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["about", "how_to_report", "privacy"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_static_pages_render_in_both_languages(client, name, prefix):
    url = prefix + reverse("clarifications:" + name)
    response = client.get(url)
    assert response.status_code == 200
    expected_lang = "en" if prefix else "zh-hans"
    assert f'<html lang="{expected_lang}">' in response.content.decode()


def test_language_switch_links_to_the_same_page_in_the_other_language(client):
    url = ClarificationFactory().get_absolute_url()
    page = client.get(url + "?utm=x").content.decode()
    assert f'href="/en{url}?utm=x"' in page
    english = client.get("/en" + url).content.decode()
    assert f'href="{url}"' in english


@pytest.mark.parametrize(
    "path",
    [
        "/en//evil.example/",
        "/en///evil.example/x?y=1",
        "/en/\\evil.example/",
        "//evil.example/",
        # Tab, newline and carriage return are dropped by URL parsers, so "/<tab>/evil.example" is "//evil.example".
        "/%09/evil.example",
        "/en/%0a/evil.example/x",
        "/%0d%0a/evil.example",
        "/%09%09/%5cevil.example",
    ],
)
def test_no_page_links_to_another_origin_built_from_its_path(client, settings, path):
    settings.ALLOWED_HOSTS = ["piyao.example"]
    import re
    from urllib.parse import urljoin, urlsplit

    page = client.get(path, SERVER_NAME="piyao.example").content.decode()
    links = re.findall(r'(?:href|content)="([^"]*)"', page)
    assert links
    for link in links:
        if link.startswith(("/", "http")):
            # Browsers read a path that starts with // or /\ as another host too.
            assert not link.replace("\\", "/").startswith("//"), link
            target = urlsplit(urljoin("http://piyao.example/en/", link))
            assert target.netloc == "piyao.example", link
            assert not target.path.replace("\\", "/").startswith("//"), link


def test_a_tab_in_the_path_does_not_make_og_url_another_host(client, settings):
    settings.ALLOWED_HOSTS = ["piyao.example"]
    page = client.get("/%09/evil.example", SERVER_NAME="piyao.example")
    assert page.status_code == 404
    assert '<meta property="og:url" content="http://piyao.example/evil.example">' in page.content.decode()
    assert "http://evil.example" not in page.content.decode()


def test_unknown_pages_get_the_sites_own_404(client):
    response = client.get("/clarifications/999999/")
    assert response.status_code == 404
    assert 'name="q"' in response.content.decode()


def test_a_server_error_shows_the_friendly_500_page(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(ClarificationQuerySet, "published", database_down)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    with translation.override("zh-hans"):
        assert translation.gettext("Sorry, something went wrong on our side") in response.content.decode()
