"""What a phone shows: the first result on the first screen, a short header, nothing that does nothing."""

import io

import pytest
from PIL import Image

from .factories import ClarificationFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREEN = 844


def test_on_a_phone_the_first_result_is_on_the_first_screen_and_the_filters_open_without_javascript(
    phone_without_javascript,
):
    page = phone_without_javascript
    TopicFactory(name="交通出行")
    ClarificationFactory.create_batch(3, title="网传地铁停运不实")
    page.goto("/clarifications/?q=地铁")
    first = page.locator(".card").first.bounding_box()
    assert first["y"] + first["height"] / 2 < SCREEN, "the first result is below the first screen"
    verdict = page.get_by_label("结论")
    assert not verdict.is_visible()
    page.get_by_text("筛选和排序").click()
    assert verdict.is_visible()
    verdict.select_option("false")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url("**verdict=false**")
    assert page.get_by_label("结论").is_visible(), "a filter in use keeps the panel open"


def test_without_javascript_the_share_and_large_text_buttons_stay_hidden(phone_without_javascript):
    clarification = ClarificationFactory()
    page = phone_without_javascript
    page.goto(clarification.get_absolute_url())
    for name in ["分享…", "复制发微信", "大字模式"]:
        assert not page.get_by_role("button", name=name).is_visible(), f"{name} shows and would do nothing"
    # The text to copy and the link are one tap away, and the picture is a plain link.
    page.get_by_text("可复制的文字、链接、电子邮件").click()
    assert page.locator(".share-link").is_visible()
    assert page.locator("textarea.share-text").is_visible()
    assert page.get_by_role("link", name="分享图片").is_visible()


def test_without_native_sharing_only_the_working_buttons_show(phone):
    phone.add_init_script("delete Navigator.prototype.share;")
    clarification = ClarificationFactory()
    phone.goto(clarification.get_absolute_url())
    assert not phone.get_by_role("button", name="分享…").is_visible()
    assert phone.get_by_role("button", name="大字模式").is_visible()


def test_the_english_header_leaves_the_screen_to_the_content(phone):
    phone.goto("/en/")
    header = phone.locator(".site-header").bounding_box()
    assert header["height"] < SCREEN / 5, f"the header takes {header['height']} of {SCREEN} px"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_in_large_text_the_search_placeholder_is_not_cut(phone):
    phone.goto("/en/")
    phone.get_by_role("button", name="Large text").click()
    box = phone.locator("#search-q")
    fits = box.evaluate(
        """input => {
            const style = getComputedStyle(input);
            const context = document.createElement("canvas").getContext("2d");
            context.font = `${style.fontSize} ${style.fontFamily}`;
            const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return context.measureText(input.placeholder).width <= room;
        }"""
    )
    assert fits


def test_on_a_phone_the_picture_to_save_for_wechat_opens_with_chinese_text_drawn(phone):
    clarification = ClarificationFactory(truth="全市供水正常，没有停水计划。")
    phone.goto(clarification.get_absolute_url())
    phone.get_by_role("link", name="分享图片").click()
    phone.wait_for_url(f"**/clarifications/{clarification.pk}/share-square.png")
    assert phone.evaluate("document.images[0].naturalWidth") == 1080
    # The image as the phone shows it: dark strokes in the text area, not a blank or broken picture.
    shot = Image.open(io.BytesIO(phone.screenshot())).convert("L")
    dark = shot.point(lambda value: 255 if value < 100 else 0).histogram()[255]
    assert dark > 5000
