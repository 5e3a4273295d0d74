"""Share cards (Open Graph, Twitter) and the share block, with no third-party script."""

import re
from html import unescape

import pytest
from django.urls import reverse

from .factories import ClarificationFactory, NoticeFactory, TopicFactory, png_file

pytestmark = pytest.mark.django_db


def meta(page):
    """{property or name: content} of the page's <meta> tags."""
    found = {}
    for key, value in re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page):
        found.setdefault(key, unescape(value))
    return found


def test_every_public_page_has_a_share_card_and_a_canonical_url(client):
    topic = TopicFactory()
    clarification = ClarificationFactory(topics=[topic])
    notice = NoticeFactory()
    paths = [
        "/",
        reverse("clarifications:list"),
        clarification.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("clarifications:notices"),
        notice.get_absolute_url(),
        reverse("clarifications:about"),
    ]
    for path in paths:
        page = client.get(path).content.decode()
        tags = meta(page)
        for key in ["og:title", "og:description", "og:url", "og:image", "og:locale", "og:site_name"]:
            assert tags.get(key), f"{key} missing on {path}"
        assert tags["og:url"] == f"http://testserver{path}"
        # A clarification shares the picture drawn for it; other pages the site's default picture.
        own = f"/clarifications/{clarification.pk}/share.png"
        image = own if path == clarification.get_absolute_url() else "/static/"
        assert tags["og:image"].startswith(f"http://testserver{image}")
        assert tags["og:locale"] == "zh_CN"
        assert tags["twitter:card"] == "summary_large_image"
        assert f'<link rel="canonical" href="http://testserver{path}">' in page


def test_the_english_card_says_its_locale(client):
    tags = meta(client.get("/en/").content.decode())
    assert tags["og:locale"] == "en_US"
    assert tags["og:locale:alternate"] == "zh_CN"


def test_a_clarifications_card_tells_the_verdict_and_the_truth(client):
    clarification = ClarificationFactory(title="网传全市停水不实", verdict="false", truth="全市供水正常。")
    tags = meta(client.get(clarification.get_absolute_url()).content.decode())
    assert tags["og:type"] == "article"
    assert tags["og:title"] == "[谣言] 网传全市停水不实"
    assert tags["og:description"] == "谣言：全市供水正常。"
    assert tags["twitter:description"] == "谣言：全市供水正常。"
    assert tags["og:image"] == f"http://testserver/clarifications/{clarification.pk}/share.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == "谣言：网传全市停水不实"


def test_a_clarification_with_its_own_image_still_shares_the_picture_with_its_verdict(client):
    clarification = ClarificationFactory(image=png_file(), image_alt="网传截图")
    tags = meta(client.get(clarification.get_absolute_url()).content.decode())
    assert tags["og:image"] == f"http://testserver/clarifications/{clarification.pk}/share.png"


def test_the_canonical_url_drops_filters_but_keeps_the_page_number(client):
    ClarificationFactory.create_batch(3)
    page = client.get(reverse("clarifications:list"), {"verdict": "false", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/clarifications/?page=2">' in page
    page = client.get(reverse("clarifications:list"), {"q": "停水"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/clarifications/">' in page


def test_a_missing_page_has_no_canonical_url_and_asks_not_to_be_indexed(client):
    page = client.get("/no-such-page/").content.decode()
    assert 'rel="canonical"' not in page
    assert '<meta name="robots" content="noindex">' in page


def test_the_share_block_works_without_javascript_and_enhances_with_a_local_script(client):
    clarification = ClarificationFactory(title="网传全市停水不实")
    url = f"http://testserver{clarification.get_absolute_url()}"
    page = client.get(clarification.get_absolute_url()).content.decode()
    share = page[page.index('<section class="share"') : page.index("</section>", page.index('<section class="share"'))]
    # Without JavaScript: the text to copy for WeChat, the link itself, and an e-mail link.
    assert re.search(r"<textarea [^>]*readonly data-share-text>【谣言】网传全市停水不实\n", share)
    assert f'<a href="{url}">{url}</a>' in share
    assert 'href="mailto:?subject=' in share
    # The script-driven buttons are shown only when prefs.js (in <head>, before the first paint) marks
    # <html class="js"> (and "can-share" where there is a share sheet): they never move the page later.
    assert 'class="js-only" data-share-wechat>' in share
    assert 'class="button-secondary can-share-only" data-share-native>分享…</button>' in share
    assert '<script src="/static/js/share.js" defer></script>' in page


def test_no_page_loads_a_script_from_another_host_or_runs_inline_code(client):
    clarification = ClarificationFactory()
    for path in ["/", clarification.get_absolute_url(), "/en/"]:
        page = client.get(path).content.decode()
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
            if 'type="application/ld+json"' in attributes:
                continue
            assert re.fullmatch(r' src="/static/js/[\w.-]+\.js"( defer)?', attributes), attributes
            assert body == ""
        assert not re.search(r"\son\w+=", page)
        assert 'style="' not in page


def test_copy_for_wechat_says_withdrawn_for_a_withdrawn_clarification(client):
    clarification = ClarificationFactory(title="网传全市停水不实", withdrawn=True)
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert "data-share-text>【已撤回】网传全市停水不实\n" in page
    assert "【谣言】" not in page
