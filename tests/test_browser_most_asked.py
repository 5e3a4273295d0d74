"""A reader's browser counts the reading, with no cookie, and the ranking follows."""

import time

import pytest

from clarifications import pageviews
from clarifications.models import DailyViews

from .conftest import count_page_views
from .factories import ClarificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reading_a_clarification_in_a_browser_counts_one_view_and_sets_no_cookie(phone):
    clarification = ClarificationFactory(title="网传地铁2号线停运一周不实")
    count_page_views(phone)
    phone.goto(clarification.get_absolute_url())
    deadline = time.monotonic() + 10
    while not pageviews.pending() and time.monotonic() < deadline:
        time.sleep(0.1)
    pageviews.flush()  # what a thread of each gunicorn worker does every VIEWS_FLUSH_SECONDS
    assert DailyViews.objects.get().clarification == clarification
    assert DailyViews.objects.get().views == 1
    assert phone.context.cookies() == []
    phone.goto("/most-asked/")
    assert phone.get_by_role("link", name=clarification.title).is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
