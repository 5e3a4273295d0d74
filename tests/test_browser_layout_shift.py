"""Nothing moves while a page loads: no layout shift on a phone, in either language.

Measured as the browser does for Core Web Vitals: a PerformanceObserver for ``layout-shift`` entries
(``buffered``, so shifts before the observer count too), summed over the page's load and a moment
after it, on a slow phone network as Lighthouse's mobile audit emulates it (without the wait, a fast
local server lets the browser finish everything before its first paint, and no shift could be seen).
Every shift counts, even those the browser marks as following an input: a page that moves
by itself is the fault, not the reader.
"""

import pytest

from .factories import ClarificationFactory, SourceFactory, TopicFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAYOUT_SHIFTS = """() => new Promise(resolve => {
  const shifts = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      const moved = entry.sources.map(source => source.node ? `${source.node.nodeName}.${source.node.className}` : "?");
      shifts.push({value: entry.value, moved});
    }
  }).observe({type: "layout-shift", buffered: true});
  // Two frames after load, then a short wait for late scripts (deferred ones have run by load).
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(shifts), 500)));
})"""


def on_a_slow_network(page):
    """Lighthouse's mobile throttling: 150 ms round trips, about 1.6 Mbit/s down."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8},
    )


@pytest.fixture
def clarification(db):
    clarification = ClarificationFactory(
        title="网传“西瓜被打针催熟变甜”？不实",
        truth="西瓜不需要也无法通过打针催熟。",
        topics=[TopicFactory(name="食品安全", name_en="Food safety")],
    )
    SourceFactory(clarification=clarification)
    ClarificationFactory(language="en", title="No, the city's tap water is not contaminated")
    return clarification


@pytest.mark.parametrize("language", ["", "/en"])
@pytest.mark.parametrize("page", ["/", "clarification", "/tips/new/", "/check/"])
def test_the_page_does_not_move_while_it_loads(phone, clarification, language, page):
    path = clarification.get_absolute_url().removeprefix("/en") if page == "clarification" else page
    on_a_slow_network(phone)
    phone.goto(f"{language}{path}", wait_until="load")
    shifts = phone.evaluate(LAYOUT_SHIFTS)
    score = sum(shift["value"] for shift in shifts)
    assert score < 0.01, f"cumulative layout shift {score:.3f} on {language}{path}: {shifts}"


def test_the_large_text_button_has_its_place_before_the_first_paint(phone, clarification):
    """The button is shown only with JavaScript; its place is taken before anything is painted."""
    phone.goto("/", wait_until="commit")
    phone.wait_for_selector("main")
    assert phone.evaluate("document.documentElement.classList.contains('js')")
    assert phone.get_by_role("button", name="大字模式").is_visible()
