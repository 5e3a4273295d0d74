"""In a real browser: an editor drafts and submits, a publisher publishes, a visitor reads it."""

import pytest

from clarifications.models import Clarification, Status

from .factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def log_in(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/en/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/admin/")
    return context, page


def test_an_editor_drafts_a_publisher_publishes_and_a_visitor_reads_it(browser, live_server, staff_groups):
    UserFactory(username="editor").groups.add(staff_groups["Editor"])
    UserFactory(username="publisher").groups.add(staff_groups["Publisher"])
    title = "网传本市明日起全面停课不实"

    context, editor = log_in(browser, live_server, "editor")
    editor.goto("/en/admin/clarifications/clarification/add/")
    editor.locator("#id_title").fill(title)
    editor.locator("#id_verdict").select_option("false")
    editor.locator("#id_truth").fill("市教委表示，各校正常上课，没有停课安排。")
    editor.locator("#id_claim").fill("紧急通知：明天起全市中小学停课！")
    editor.locator("#id_sources-0-title").fill("市教委关于正常上课的说明")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.get_by_role("button", name="Submit for review").click()
    assert "was submitted for review" in editor.locator(".messagelist").inner_text()
    context.close()
    clarification = Clarification.objects.get(title=title)
    assert clarification.status == Status.IN_REVIEW

    context, publisher = log_in(browser, live_server, "publisher")
    publisher.get_by_role("link", name="drafts awaiting review").click()
    publisher.get_by_role("link", name=title).click()
    publisher.get_by_role("button", name="Publish now").click()
    assert "is published" in publisher.locator(".messagelist").inner_text()
    context.close()

    visitor = browser.new_context(base_url=live_server.url)
    page = visitor.new_page()
    page.goto("/")
    page.get_by_role("link", name=title).click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert "市教委关于正常上课的说明" in page.locator(".evidence").inner_text()
    visitor.close()
