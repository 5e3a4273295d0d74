"""The answer first and shareable, on a phone (390 x 844) in both languages: a strong match is an
answer card (verdict, truth, who confirms it, the share kit) in the first screen, for a pasted message
and for a screenshot check; a clarification's share kit is in its first two screens; "copy for WeChat"
puts the verdict, title, truth and link on the clipboard; large text grows the badges."""

import pytest
from django.utils import translation

from benchmarks import wechat_screens
from tips.models import ScreenshotCheck

from .factories import ClarificationFactory
from .queue_tasks import run_worker
from .test_screenshots import SUBWAY, SUBWAY_CLAIM, needs_ocr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREEN = 844

# The longest titles and truths of the demo content, so that the first screen is tested at its fullest.
TYPHOON = {
    "title": "网传“台风来袭全市停工停课三天”？部分不实",
    "claim": "最新消息！今年最强台风明天正面登陆，市政府决定全市停工停课三天，地铁公交全部停运，"
    "大家赶紧去超市囤菜！转发周知！",
    "verdict": "partly_false",
    "truth": "台风确将影响本市，市防汛防台指挥部已启动应急响应，全市中小学、幼儿园9月16日停课一天。"
    "但并未作出“全市停工停课三天”的决定，公共交通将视风力分线路临时调整，并非“全部停运”。",
    "authority_name": "市防汛防台指挥部",
    "language": "zh-hans",
}
PENSIONS = {
    "title": 'Misleading: pensions are not "stopped forever" if retirees miss face verification',
    "claim": "Attention all retirees! If you don't do face verification at the social security office before the end "
    "of this month, your pension will be stopped permanently and you lose everything. Please tell the elderly in "
    "your family!",
    "verdict": "misleading",
    "truth": "Retirees do need their pension eligibility confirmed once every 12 months, but most are verified "
    "automatically and others can do it online, with no citywide month-end deadline. If payments pause because "
    "verification lapses, they restart with arrears once eligibility is confirmed.",
    "authority_name": "Municipal Human Resources and Social Security Bureau",
    "language": "en",
}
CASES = {"": TYPHOON, "/en": PENSIONS}


def bottom(locator):
    box = locator.bounding_box()
    return box["y"] + box["height"]


def assert_answer_card_in_first_screen(phone, clarification):
    card = phone.locator(".answer-card")
    assert card.count() == 1
    assert clarification.title in card.locator(".answer-title").inner_text()
    for part in [card.locator(".verdict"), card.locator(".answer-truth"), card.locator(".answer-source")]:
        assert bottom(part) <= SCREEN, f"{part} is below the first screen"
    assert bottom(card.locator("[data-share-wechat]")) <= SCREEN, "the share kit is below the first screen"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_pasted_messages_answer_card_and_its_verdict_are_in_the_first_phone_screen(phone, prefix):
    clarification = ClarificationFactory(**CASES[prefix])
    ClarificationFactory(title="网传全市停水三天不实")  # another rumor
    phone.goto(f"{prefix}/")
    phone.locator("#search-q").fill(clarification.claim)
    phone.locator(".search-box button[type=submit]").click()
    phone.wait_for_url("**/clarifications/**")
    assert_answer_card_in_first_screen(phone, clarification)
    # The truth is shown whole, or cut after a sentence.
    truth = phone.locator(".answer-truth [lang]").inner_text()
    assert truth == clarification.truth or (truth.endswith("…") and clarification.truth.startswith(truth[:-1].strip()))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_screenshot_checks_answer_card_comes_first_and_the_text_read_folds_away(
    phone, prefix, database_queue, private_root
):
    needs_ocr()
    subway = ClarificationFactory(
        title="网传本市地铁全线停运三天不实", claim=SUBWAY_CLAIM, authority_name="市交通委员会"
    )
    ClarificationFactory(title="网传全市停水三天不实")
    phone.goto(f"{prefix}/check/")
    picture = wechat_screens.encoded(wechat_screens.chat(SUBWAY, dark=True))
    phone.locator("input[type=file]").set_input_files({"name": "chat.png", "mimeType": "image/png", "buffer": picture})
    phone.locator("form button[type=submit]").click()
    phone.wait_for_url("**/check/*/")
    run_worker()
    phone.goto(f"{prefix}/check/{ScreenshotCheck.objects.get().pk}/")
    assert_answer_card_in_first_screen(phone, subway)
    read = phone.locator("details.check-text")
    assert read.get_attribute("open") is None, "the text read should be folded away"
    assert read.locator("blockquote").is_hidden()
    assert read.bounding_box()["y"] > bottom(phone.locator(".answer-card"))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_clarifications_share_kit_is_within_its_first_two_screens(phone, prefix):
    clarification = ClarificationFactory(**CASES[prefix])
    phone.goto(f"{prefix}{clarification.get_absolute_url()}")
    kit = phone.locator("section.share")
    for button in [kit.locator("[data-share-wechat]"), kit.locator("a[href$='share-square.png']")]:
        assert button.is_visible()
        assert bottom(button) <= 2 * SCREEN
    # It follows the verdict and the truth.
    assert kit.bounding_box()["y"] > bottom(phone.locator(".truth"))


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_copy_for_wechat_puts_the_verdict_title_truth_and_link_on_the_clipboard(phone, live_server, prefix):
    clarification = ClarificationFactory(**CASES[prefix])
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    phone.goto(f"{prefix}{clarification.get_absolute_url()}")
    phone.locator("section.share [data-share-wechat]").click()
    phone.locator("section.share [data-share-status]").filter(has_text="WeChat").or_(
        phone.locator("section.share [data-share-status]").filter(has_text="微信")
    ).wait_for()
    copied = phone.evaluate("navigator.clipboard.readText()")
    lines = copied.split("\n")
    with translation.override("en" if prefix else "zh-hans"):
        verdict = str(clarification.get_verdict_display())
    assert lines[0] in (f"[{verdict}] {clarification.title}", f"【{verdict}】{clarification.title}")
    assert clarification.authority_name in lines[2]
    assert lines[3] == f"{live_server.url}{prefix}{clarification.get_absolute_url()}"
    truth = lines[1].split(": ", 1)[1] if prefix else lines[1].split("：", 1)[1]
    # Whole, or cut after a sentence: about 120 characters, or one long first sentence.
    assert truth == clarification.truth or (truth.endswith("…") and truth[:-1].rstrip()[-1] in ".。")
    assert clarification.truth.startswith(truth[:-1].rstrip())
    assert len(truth) <= 120 or truth[:-1].rstrip().count(".") == 1


def test_large_text_grows_the_verdict_badges_and_cards(phone):
    clarification = ClarificationFactory(**TYPHOON)
    phone.goto("/")
    badge = phone.locator("article.card .verdict").first
    before = badge.bounding_box()["height"]
    phone.locator("[data-large-text-toggle]").first.click()
    assert badge.bounding_box()["height"] > before * 1.2
    phone.goto(clarification.get_absolute_url())
    assert phone.locator(".truth .verdict").evaluate("element => parseFloat(getComputedStyle(element).fontSize)") >= 26
