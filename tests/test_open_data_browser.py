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
