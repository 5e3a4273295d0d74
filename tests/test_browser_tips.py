"""A citizen on a phone reports a rumor with a screenshot and reaches the receipt with the code."""

import re

import pytest

from tips.models import Tip

from .factories import ClarificationFactory
from .tips_images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_on_a_phone_reports_a_rumor_with_a_screenshot(phone, tmp_path):
    ClarificationFactory(title="全市停水三天的消息不实", claim="明天起全市停水三天")
    screenshot = tmp_path / "screenshot.png"
    screenshot.write_bytes(image_bytes("PNG", size=(390, 800)))

    phone.goto("/en/")
    phone.get_by_role("link", name="Report a rumor").first.click()
    phone.wait_for_url("**/en/tips/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_label("What did you see?").fill("明天起全市停水三天")
    # With JavaScript, the matching clarification is suggested before submitting.
    suggestion = phone.locator("#tip-suggestions").get_by_role("link", name="全市停水三天的消息不实")
    suggestion.wait_for(state="visible")
    phone.get_by_label("Where did you see it?").select_option("weibo")
    phone.get_by_label("When did you see it?").fill("2025-03-01")
    phone.get_by_label("Screenshot (optional)").set_input_files(str(screenshot))
    # Giving the address is the request to be written to: no second tick.
    phone.get_by_label("Your e-mail (optional)").fill("citizen@example.com")
    phone.get_by_role("button", name="Send the report").click()

    phone.wait_for_url(re.compile(r".*/en/tips/T-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/$"))
    tip = Tip.objects.get()
    assert phone.get_by_role("heading", level=1).inner_text() == f"Report {tip.code}"
    receipt = phone.locator(".tip-receipt").inner_text()
    assert "your report has been received" in receipt
    assert "Your screenshot was received." in receipt
    assert "We will e-mail you at c***@example.com when we answer." in receipt
    assert "citizen@example.com" not in phone.content()
    # The receipt shows the matching clarification too, without JavaScript's help.
    assert phone.get_by_role("link", name="全市停水三天的消息不实").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert tip.screenshot
    assert tip.platform == "weibo"
    assert tip.contact_consent


def test_after_a_refused_report_focus_lands_on_the_first_field_in_error(phone):
    phone.goto("/en/tips/new/")
    phone.get_by_label("What did you see?").fill("群里说明天全市停水三天")
    phone.get_by_label("When did you see it?").fill("2999-01-01")
    phone.get_by_role("button", name="Send the report").click()
    phone.wait_for_load_state()
    summary = phone.locator("#tip-form-errors")
    assert summary.get_by_role("link", name="When did you see it?").is_visible()
    # Not the top of the page: the date in the future, ready to be corrected, on screen.
    assert phone.evaluate("document.activeElement.id") == "id_seen_on"
    assert phone.locator("#id_seen_on").is_visible()
    assert phone.evaluate("document.getElementById('id_seen_on').getBoundingClientRect().top") > 0
    assert phone.evaluate("document.getElementById('id_seen_on').getBoundingClientRect().bottom") < 844
    assert Tip.objects.count() == 0


def test_a_screenshot_over_the_limit_is_refused_as_soon_as_it_is_chosen(phone):
    phone.goto("/en/tips/new/")
    field = phone.get_by_label("Screenshot (optional)")
    field.set_input_files({"name": "big.png", "mimeType": "image/png", "buffer": b"\0" * (5 * 1024 * 1024 + 1)})
    alert = phone.locator("#id_screenshot_too_large")
    alert.wait_for(state="visible")
    assert alert.inner_text() == (
        "The screenshot is too large (5.1 MB). The limit is 5 MB. "
        "It was not attached: choose a smaller one, or send the report without it."
    )
    assert phone.evaluate("document.getElementById('id_screenshot').files.length") == 0
    field.set_input_files({"name": "small.png", "mimeType": "image/png", "buffer": image_bytes()})
    assert alert.is_hidden()
    assert phone.evaluate("document.getElementById('id_screenshot').files.length") == 1
