"""The open-data page on a phone: wide tables scroll in their own box, the page itself does not."""

import pytest

from .factories import ClarificationFactory, TipFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_on_a_phone_the_statistics_fit_the_screen_width(phone, prefix):
    topics = [
        TopicFactory(name=f"公共卫生与疾病防控{n}", name_en=f"Public health and disease control {n}") for n in range(3)
    ]
    for topic in topics:
        ClarificationFactory(topics=[topic])
    TipFactory()
    phone.goto(f"{prefix}/open-data/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    region = phone.locator(".table-scroll").last
    # The topic table is wider than the screen: it scrolls inside its region, which a keyboard can reach.
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    assert region.get_attribute("tabindex") == "0"
    assert phone.get_by_role("link", name="CSV").is_visible()


NARROWEST_HEADING = """() => Math.min(...[...document.querySelectorAll('table.stats th')]
    .map(cell => cell.getBoundingClientRect().width))"""
FONT_SIZE = "parseFloat(getComputedStyle(document.querySelector('table.stats')).fontSize)"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_no_column_of_the_statistics_is_squeezed_to_a_character_on_a_phone(phone, prefix):
    topic = TopicFactory(name="公共卫生与疾病防控", name_en="Public health and disease control")
    ClarificationFactory(topics=[topic])
    phone.goto(f"{prefix}/open-data/")
    narrowest = phone.evaluate(NARROWEST_HEADING)
    assert narrowest >= 2.5 * phone.evaluate(FONT_SIZE), f"a column is {narrowest} px wide"


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_on_a_wide_screen_every_table_shows_whole(browser, live_server, prefix):
    for number in range(3):
        ClarificationFactory(topics=[TopicFactory(name=f"话题{number}", name_en=f"Topic {number}")])
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"{prefix}/open-data/")
    regions = page.locator(".table-scroll")
    assert regions.count() == 3
    for index in range(regions.count()):
        assert regions.nth(index).evaluate("element => element.scrollWidth <= element.clientWidth"), index
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    context.close()
