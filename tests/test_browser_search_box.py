"""On a phone, Enter searches in every search box (Shift+Enter starts a new line), in both languages;
without JavaScript Enter adds a line and the Search button searches; a pasted forward keeps its lines."""

import pytest

from .factories import ClarificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH_BOXES = [
    ("/", "看到可疑的消息？把整条消息或其中几个词粘贴到这里：", "搜索"),
    ("/clarifications/", "谣言中的词语", "搜索"),
    ("/en/", "Saw a message you doubt? Paste it here, whole or a few words of it:", "Search"),
    ("/en/clarifications/", "Words from the rumor", "Search"),
]


def results_box(path):
    return "Words from the rumor" if path.startswith("/en/") else "谣言中的词语"


@pytest.fixture
def watermelon(db):
    return ClarificationFactory(title="网传“西瓜被打针催熟变甜”？不实", claim="西瓜打针催熟，千万别买！")


@pytest.mark.parametrize(("path", "label", "button"), SEARCH_BOXES)
def test_enter_searches_and_shift_enter_starts_a_new_line(phone, watermelon, path, label, button):
    phone.goto(path)
    box = phone.get_by_label(label)
    assert box.get_attribute("enterkeyhint") == "search"  # the phone's key reads 搜索 / Search
    box.type("西瓜")
    box.press("Shift+Enter")
    box.type("打针")
    assert box.input_value() == "西瓜\n打针"
    assert phone.url.endswith(path), "Shift+Enter must not search"
    box.press("Enter")
    phone.wait_for_url("**/clarifications/?q=*")
    assert phone.get_by_role("link", name=watermelon.title).is_visible()
    # The query comes back whole, its line break included, ready to be refined.
    assert phone.get_by_label(results_box(path)).input_value() == "西瓜\n打针"


@pytest.mark.parametrize(("path", "label", "button"), SEARCH_BOXES[:1] + SEARCH_BOXES[3:])
def test_a_pasted_forward_keeps_its_lines(phone, watermelon, path, label, button):
    forward = "【紧急扩散】\n西瓜打针催熟，千万别买！\n转给家里人看看"
    phone.goto(path)
    box = phone.get_by_label(label)
    box.focus()
    # Pasting inserts the text as it is; it never searches by itself.
    phone.evaluate("text => document.execCommand('insertText', false, text)", forward)
    assert box.input_value() == forward
    phone.get_by_role("button", name=button, exact=True).click()
    phone.wait_for_url("**/clarifications/?q=*")
    assert phone.get_by_label(results_box(path)).input_value() == forward
    assert phone.get_by_role("link", name=watermelon.title).is_visible()


@pytest.mark.parametrize(("path", "label", "button"), SEARCH_BOXES)
def test_without_javascript_enter_adds_a_line_and_the_button_searches(
    phone_without_javascript, watermelon, path, label, button
):
    phone = phone_without_javascript
    phone.goto(path)
    box = phone.get_by_label(label)
    # No promise the key cannot keep: the keyboard shows its ordinary Enter key.
    assert box.get_attribute("enterkeyhint") is None
    box.type("西瓜")
    box.press("Enter")
    box.type("打针")
    assert box.input_value() == "西瓜\n打针"
    phone.get_by_role("button", name=button, exact=True).click()
    phone.wait_for_url("**/clarifications/?q=*")
    assert phone.get_by_role("link", name=watermelon.title).is_visible()
