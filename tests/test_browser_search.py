"""A visitor on a phone types a few words of a rumor and sees the matching clarification highlighted."""

import pytest

from .factories import ClarificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_on_a_phone_searches_and_sees_the_matched_words_marked(phone):
    subway = ClarificationFactory(
        title="网传地铁2号线停运一周不实",
        claim="紧急通知：地铁2号线下周停运，请大家转发！",
        truth="地铁2号线运营正常。",
    )
    water = ClarificationFactory(title="网传全市停水三天不实", claim="明天起全市停水三天。")
    phone.goto("/en/clarifications/")
    search_box = phone.get_by_label("Words from the rumor")
    search_box.fill("地铁停运")
    search_box.press("Enter")
    phone.wait_for_url("**/en/clarifications/?q=*")
    cards = phone.locator("article.card")
    assert cards.count() == 1
    assert subway.title in cards.first.inner_text()
    assert water.title not in phone.content()
    marks = cards.first.locator(".card-snippet mark")
    assert marks.all_inner_texts() == ["地铁", "停运"]
    assert phone.get_by_label("Sort").input_value() == "relevance"
    # Nothing on the page is wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    cards.first.get_by_role("link", name=subway.title).click()
    phone.wait_for_url(f"**{subway.get_absolute_url()}")
