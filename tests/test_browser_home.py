"""A visitor on a phone opens the home page and follows a clarification."""

import pytest

from .factories import ClarificationFactory, SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_reads_a_clarification_from_the_home_page(phone):
    clarification = ClarificationFactory(
        title="网传地铁2号线停运一周不实", claim="紧急通知：地铁2号线下周停运！", truth="地铁2号线运营正常。"
    )
    SourceFactory(clarification=clarification, title="地铁集团运营公告")
    phone.goto("/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing on the page is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("link", name=clarification.title).click()
    phone.wait_for_url(f"**{clarification.get_absolute_url()}")
    assert phone.get_by_role("heading", level=1).inner_text() == clarification.title
    assert "紧急通知：地铁2号线下周停运！" in phone.locator(".claim").inner_text()
    assert "地铁2号线运营正常。" in phone.locator(".truth").inner_text()
    assert phone.get_by_role("link", name="地铁集团运营公告").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
