"""No mistake on the tip form costs a citizen on a phone their screenshot or what they typed, with or
without JavaScript, and the receipt says what was received."""

import os
import re

import pytest

from tips.models import Tip

from .test_browser_a11y import axe_source, axe_violations  # noqa: F401 (a fixture)
from .tips_images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024
RECEIPT = re.compile(r".*/en/tips/T-[0-9A-Z]{4}-[0-9A-Z]{4}/$")
SHOTS = os.environ.get("BROWSER_SCREENSHOTS_DIR", "")


def shot(page, name):
    """Keep a picture of the page for a person to look at, when asked to (BROWSER_SCREENSHOTS_DIR)."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def big_file():
    return {"name": "big.png", "mimeType": "image/png", "buffer": b"\0" * (6 * MB)}


def small_file():
    return {"name": "small.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(390, 800))}


def test_without_javascript_a_refused_big_file_keeps_the_words_and_a_smaller_one_is_received(phone_without_javascript):
    page = phone_without_javascript
    page.goto("/en/tips/new/")
    page.get_by_label("What did you see?").fill("群里说明天全市停水三天，大家赶紧囤水！")
    page.get_by_label("Screenshot (optional)").set_input_files(big_file())
    page.get_by_label("Your e-mail (optional)").fill("citizen@example.com")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_load_state()
    # The server refused the file and gave back everything typed, the address too.
    assert "The screenshot is too large (6.0 MB). The limit is 5 MB." in page.content()
    assert "The screenshot you chose (big.png) was not attached" in page.content()
    assert page.get_by_label("What did you see?").input_value() == "群里说明天全市停水三天，大家赶紧囤水！"
    assert page.get_by_label("Your e-mail (optional)").input_value() == "citizen@example.com"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "tip-form-refused-big-file-no-js")

    page.get_by_label("Screenshot (optional)").set_input_files(small_file())
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(RECEIPT)
    receipt = page.locator(".tip-receipt").inner_text()
    assert "Your screenshot was received." in receipt
    assert "We will e-mail you at c***@example.com when we answer." in receipt
    assert "sent without a screenshot" not in receipt
    tip = Tip.objects.get()
    assert tip.screenshot
    assert tip.contact_consent
    assert tip.contact_email == "citizen@example.com"


def test_without_javascript_a_screenshot_survives_a_mistake_elsewhere(phone_without_javascript):
    page = phone_without_javascript
    page.goto("/en/tips/new/")
    page.get_by_label("What did you see?").fill("停")
    page.get_by_label("Screenshot (optional)").set_input_files(small_file())
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_load_state()
    kept = page.locator("#kept-screenshot")
    assert "Your screenshot is kept: small.png" in kept.inner_text()
    shot(page, "tip-form-screenshot-kept-no-js")
    page.get_by_label("What did you see?").fill("群里说明天全市停水三天，大家赶紧囤水！")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(RECEIPT)
    assert "Your screenshot was received." in page.locator(".tip-receipt").inner_text()
    assert Tip.objects.get().screenshot


def test_with_javascript_a_big_file_refused_at_once_then_a_smaller_one_is_received(phone):
    phone.goto("/en/tips/new/")
    phone.get_by_label("What did you see?").fill("群里说明天全市停水三天，大家赶紧囤水！")
    field = phone.get_by_label("Screenshot (optional)")
    field.set_input_files(big_file())
    phone.locator("#id_screenshot_too_large").wait_for(state="visible")
    field.set_input_files(small_file())
    phone.get_by_role("button", name="Send the report").click()
    phone.wait_for_url(RECEIPT)
    receipt = phone.locator(".tip-receipt").inner_text()
    assert "Your screenshot was received." in receipt
    assert "sent without a screenshot" not in receipt
    assert Tip.objects.get().screenshot


def test_with_javascript_a_report_sent_after_a_refused_file_says_it_has_no_screenshot(phone):
    phone.goto("/en/tips/new/")
    phone.get_by_label("What did you see?").fill("群里说明天全市停水三天，大家赶紧囤水！")
    phone.get_by_label("Screenshot (optional)").set_input_files(big_file())
    phone.locator("#id_screenshot_too_large").wait_for(state="visible")
    phone.get_by_role("button", name="Send the report").click()
    phone.wait_for_url(RECEIPT)
    assert "It was sent without a screenshot: big.png could not be taken." in phone.locator(".tip-receipt").inner_text()
    assert "None attached" in phone.locator(".tip-facts").inner_text()
    assert not Tip.objects.get().screenshot


def test_with_javascript_the_server_refusal_path_keeps_the_picture_chosen_after_it(phone):
    """A browser whose script did not stop the big file (an old one, or the script still loading)."""
    phone.goto("/en/tips/new/")
    phone.evaluate("document.getElementById('id_screenshot').removeAttribute('data-max-bytes')")
    phone.evaluate(
        "document.getElementById('id_screenshot').replaceWith(document.getElementById('id_screenshot').cloneNode())"
    )
    phone.get_by_label("What did you see?").fill("群里说明天全市停水三天，大家赶紧囤水！")
    phone.get_by_label("Screenshot (optional)").set_input_files(big_file())
    phone.get_by_role("button", name="Send the report").click()
    phone.wait_for_load_state()
    assert "The screenshot is too large (6.0 MB)" in phone.content()
    # The page script focuses the field to correct, on screen.
    assert phone.evaluate("document.activeElement.id") == "id_screenshot"
    phone.get_by_label("Screenshot (optional)").set_input_files(small_file())
    phone.get_by_role("button", name="Send the report").click()
    phone.wait_for_url(RECEIPT)
    assert "Your screenshot was received." in phone.locator(".tip-receipt").inner_text()
    assert Tip.objects.get().screenshot


def test_the_receipt_copies_the_code(phone):
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    phone.goto("/tips/new/")
    phone.locator("#id_text").fill("群里说明天全市停水三天，大家赶紧囤水！")
    phone.locator("#id_seen_on").fill("2026-12-05")
    phone.locator("form.tip-form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/tips/T-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    code = Tip.objects.get().code
    phone.get_by_role("button", name="复制编号").click()
    phone.get_by_text("编号已复制。").wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == code
    assert "微信群，2026年12月5日" in phone.locator(".tip-facts").inner_text()
    shot(phone, "tip-receipt-zh")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_keeping_a_screenshot_and_the_receipt_pass_axe(phone, axe_source, language):  # noqa: F811
    prefix = "" if language == "zh-hans" else "/en"
    phone.goto(prefix + "/tips/new/")
    phone.locator("#id_text").fill("停")
    phone.locator("#id_screenshot").set_input_files(small_file())
    phone.locator("#id_contact_email").fill("citizen@example.com")
    phone.locator("form.tip-form button[type=submit]").click()
    phone.locator("#kept-screenshot").wait_for()
    assert axe_violations(phone, axe_source) == []
    shot(phone, f"tip-form-kept-{language}")
    phone.locator("#id_text").fill("群里说明天全市停水三天，大家赶紧囤水！")
    phone.locator("form.tip-form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/tips/T-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    assert axe_violations(phone, axe_source) == []
    shot(phone, f"tip-receipt-screenshot-email-{language}")
