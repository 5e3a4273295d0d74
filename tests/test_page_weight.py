"""Page-weight budget: the home page and a clarification page each transfer under 60 KB compressed,
counting everything they load (HTML, CSS, JavaScript, icons), and load nothing from another origin.

A rumor spreads fastest where connections are slow and data is expensive, so the answer must be light.
The browser test loads each page in Chromium and weighs every request it really makes; the plain test
weighs the HTML and the scripts and stylesheets it links, so a machine without Chromium still checks
the budget. Sizes are gzip level 9 of each body (what the TLS proxy or WhiteNoise sends; Brotli is
smaller still) and are printed in the failure message.
"""

import gzip
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory, UpdateFactory

BUDGET = 60 * 1024
# The HTML alone must leave most of the budget to what it loads (and to the next feature).
HTML_BUDGET = 25 * 1024

PARAGRAPH = (
    "经核实，网传“{n}号线下周起全线停运一周”的消息不实。市地铁集团表示，{n}号线目前运营正常，"
    "近期没有任何停运计划；网传截图中的“内部通知”文号与格式均与该集团公文不符，系他人拼凑伪造。"
    "如线路因施工需要调整运营，集团将至少提前七天通过官方网站、官方微博和车站公告发布信息。"
    "请广大市民以官方渠道发布的信息为准，不信谣、不传谣，发现可疑信息可通过本站“举报谣言”提交线索。"
)


def long_body(paragraphs=12):
    """About 2,000 characters of Markdown, the length of a thorough clarification."""
    parts = [
        f"## 第{n}部分\n\n{PARAGRAPH.format(n=n)}\n\n- 要点一：以官方公告为准\n- 要点二：勿转发未核实的截图"
        for n in range(paragraphs)
    ]
    return "\n\n".join(parts)


@pytest.fixture
def realistic_site(db):
    """A busy day's content: a dozen clarifications in four topics, notices, and one thorough
    clarification with a long body, three sources, updates and related items."""
    topics = [
        TopicFactory(name=name, name_en=name_en)
        for name, name_en in [
            ("交通出行", "Transport"),
            ("医疗健康", "Health"),
            ("食品安全", "Food safety"),
            ("公共安全", "Public safety"),
        ]
    ]
    for n in range(12):
        ClarificationFactory(
            title=f"网传“第{n}批次食品检出有毒物质”不实",
            claim="紧急扩散！某品牌第{n}批次食品检出有毒物质，已致多人住院，请立即停止食用并转发提醒家人朋友。",
            truth="市场监管部门抽检结果显示，该批次产品各项指标均符合国家标准，未发现有毒物质。",
            region="浦东新区",
            topics=topics[n % 4 : n % 4 + 2],
            published_at=timezone.now() - timezone.timedelta(hours=n + 2),
        )
    for n in range(3):
        NoticeFactory(title=f"关于依法打击网络谣言的通告（第{n}号）")
    detail = ClarificationFactory(
        title="网传“地铁2号线下周起全线停运一周”不实",
        claim="紧急通知！地铁2号线下周一起全线停运一周进行设备检修，上班族请提前安排出行，速转！",
        truth="地铁2号线运营正常，没有任何停运计划，网传“内部通知”系伪造。",
        body=long_body(),
        region="浦东新区",
        topics=topics[:3],
    )
    for n in range(3):
        SourceFactory(
            clarification=detail,
            title=f"市地铁集团关于网传停运消息的说明（{n + 1}）",
            url=f"https://metro.example.gov.cn/notice/{n + 1}",
            publisher="市地铁集团",
        )
    for n in range(2):
        UpdateFactory(clarification=detail, note=f"补充了市地铁集团第{n + 1}次说明的内容。")
    return {"home": "/", "detail": detail.get_absolute_url()}


def compressed(body):
    return len(gzip.compress(body, 9))


def report(sizes):
    lines = [f"  {size / 1024:5.1f} KB  {url}" for url, size in sizes.items()]
    return "\n".join([*lines, f"  {sum(sizes.values()) / 1024:5.1f} KB  total (budget {BUDGET // 1024} KB)"])


# Resources a page loads (not links to follow): scripts, stylesheets, icons, images, frames.
LOADED = re.compile(
    r"<(?:script|img|iframe|source|audio|video)\b[^>]*?\s(?:src|srcset)=\"([^\"]+)\""
    r"|<link\b(?=[^>]*\brel=\"(?:stylesheet|icon|preload|modulepreload|manifest)\")[^>]*?\shref=\"([^\"]+)\""
)


def loaded_resources(html):
    return [src or href for src, href in LOADED.findall(html)]


# --- Without a browser: the HTML and what it links -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "detail"])
def test_the_html_and_the_scripts_and_styles_it_links_stay_within_the_budget(client, realistic_site, page):
    response = client.get(realistic_site[page])
    assert response.status_code == 200
    html = response.content.decode()
    if page == "detail":
        # The page really is a heavy one: the whole body, the three sources, related items.
        assert "第11部分" in html
        assert html.count("市地铁集团关于网传停运消息的说明") == 3
        assert 'class="related"' in html
        assert html.count("检出有毒物质”不实") >= 4
    sizes = {realistic_site[page]: compressed(response.content)}
    assert sizes[realistic_site[page]] < HTML_BUDGET, report(sizes)
    for url in loaded_resources(html):
        assert not urlsplit(url).netloc or urlsplit(url).netloc == "testserver", f"third-party resource: {url}"
        asset = client.get(url)
        assert asset.status_code == 200, url
        sizes[url] = compressed(b"".join(asset.streaming_content) if asset.streaming else asset.content)
    assert any(url.endswith(".css") for url in sizes), "the stylesheet was not found in the page"
    assert sum(sizes.values()) < BUDGET, report(sizes)


# --- In Chromium: every request the page really makes ----------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["home", "detail"])
def test_a_page_in_the_browser_loads_nothing_from_elsewhere_and_weighs_under_the_budget(
    browser, live_server, realistic_site, page
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    requested, bodies = [], {}
    tab.on("request", lambda request: requested.append(request.url))
    tab.on("requestfinished", lambda request: bodies.setdefault(request.url, request.response()))
    try:
        tab.goto(urljoin(live_server.url, realistic_site[page]), wait_until="networkidle")
        # Scrolling to the end loads whatever is lazy (images below the fold).
        tab.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        tab.wait_for_load_state("networkidle")
        elsewhere = [url for url in requested if not url.startswith(live_server.url + "/")]
        assert not elsewhere, f"third-party requests: {elsewhere}"
        sizes = {url.removeprefix(live_server.url): compressed(response.body()) for url, response in bodies.items()}
    finally:
        context.close()
    assert set(bodies) == set(requested), "some requests did not finish"
    assert any(url.endswith(".css") for url in sizes), report(sizes)
    assert any(url.endswith(".js") for url in sizes), report(sizes)
    total = sum(sizes.values())
    assert total < BUDGET, report(sizes)
