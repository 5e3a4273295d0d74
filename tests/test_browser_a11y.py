"""Accessibility in a real browser: axe-core on the main public pages, the large-text switch, sharing.

axe-core comes from the npm registry (package.json; `make test` runs `npm ci`). Without it these tests
are skipped with the reason, except under CI, where they fail.
"""

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from clarifications.models import DailyViews

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TopicFactory, UpdateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        message = (
            f"axe-core is not installed ({AXE.relative_to(settings.BASE_DIR)} missing): run `npm ci` or `make test`."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def demo_content():
    topic = TopicFactory(name="交通出行", name_en="Transport")
    clarification = ClarificationFactory(
        title="网传地铁2号线停运一周不实",
        claim="紧急通知：地铁2号线下周停运！",
        truth="地铁2号线运营正常。",
        topics=[topic],
    )
    SourceFactory(clarification=clarification, title="地铁集团运营公告")
    UpdateFactory(clarification=clarification, note="补充了地铁集团的说明。")
    ClarificationFactory(title="Rumor: tap water unsafe", language="en", verdict="misleading", topics=[topic])
    ClarificationFactory(title="网传某小区停电属实", verdict="true", topics=[topic])
    ClarificationFactory(title="网传新政尚无定论", verdict="unproven")
    ClarificationFactory(title="网传消息部分失实", verdict="partly_false")
    NoticeFactory()
    DailyViews.objects.create(clarification=clarification, day=timezone.localdate(), views=5)
    return clarification


def page_path(name, clarification, language):
    with translation.override(language):
        if name == "detail":
            return clarification.get_absolute_url()
        if name == "list":
            return reverse("clarifications:list") + "?q=地铁"
        if name == "answer":  # a pasted message strongly matched: the answer card and its share kit
            return reverse("clarifications:list") + "?" + urlencode({"q": clarification.claim})
        names = {
            "home": "home:index",
            "most_asked": "home:most_asked",
            "tip_form": "tips:new",
            "open_data": "opendata:index",
        }
        return reverse(names[name])


def tip_form_exists():
    try:
        reverse("tips:new")
    except NoReverseMatch:
        return False
    return True


def axe_violations(page, axe_source):
    page.evaluate(axe_source)
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{violation['impact']}: {violation['id']} ({violation['help']}) at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "name",
    [
        "home",
        "list",
        "answer",
        "detail",
        "most_asked",
        "open_data",
        pytest.param(
            "tip_form",
            marks=pytest.mark.skipif(not tip_form_exists(), reason="the tip form (URL name tips:new) is not built yet"),
        ),
    ],
)
def test_axe_finds_no_serious_or_critical_violation_on_a_phone(phone, axe_source, demo_content, name, language):
    phone.goto(page_path(name, demo_content, language))
    assert phone.locator("html").get_attribute("lang") == language
    violations = axe_violations(phone, axe_source)
    assert violations == [], "\n".join(violations)


def test_axe_finds_nothing_serious_with_large_text_on(phone, axe_source, demo_content):
    phone.goto(demo_content.get_absolute_url())
    phone.get_by_role("button", name="大字模式").click()
    assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    violations = axe_violations(phone, axe_source)
    assert violations == [], "\n".join(violations)


def test_the_large_text_switch_is_remembered_across_pages_and_visits(phone, demo_content):
    phone.goto("/")
    switch = phone.get_by_role("button", name="大字模式")
    normal_size = phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert switch.get_attribute("aria-pressed") == "false"
    switch.click()
    assert switch.get_attribute("aria-pressed") == "true"
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > normal_size
    # Another page, in the other language: still large, and the switch says so.
    phone.goto("/en" + demo_content.get_absolute_url())
    assert phone.evaluate("document.documentElement.classList.contains('large-text')")
    assert phone.get_by_role("button", name="Large text").get_attribute("aria-pressed") == "true"
    phone.get_by_role("button", name="Large text").click()
    phone.reload()
    assert not phone.evaluate("document.documentElement.classList.contains('large-text')")


def test_copy_for_wechat_copies_the_answer_with_its_link_and_says_so(phone, demo_content):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone.goto(demo_content.get_absolute_url())
    phone.get_by_role("button", name="复制发微信").click()
    phone.get_by_role("status").filter(has_text="已复制，请粘贴到微信聊天中。").wait_for()
    copied = phone.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"【谣言】{demo_content.title}\n")
    assert copied.endswith(f"\n{phone.url}")


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(phone, demo_content):
    phone.goto("/")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "跳到正文"
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
