"""In a real browser: an editor drafts and submits, a publisher publishes, a visitor reads it."""

import pytest

from clarifications.models import Clarification, Status

from .factories import ClarificationFactory, SourceFactory, UserFactory
from .test_browser_a11y import AXE_TAGS, BLOCKING, axe_source  # noqa: F401 (a fixture)

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
    assert title in publisher.locator(".workflow-objects").inner_text()  # what will become public
    publisher.get_by_role("button", name="Yes, publish now").click()
    assert "is published" in publisher.locator(".messagelist").inner_text()
    context.close()

    visitor = browser.new_context(base_url=live_server.url)
    page = visitor.new_page()
    page.goto("/")
    page.get_by_role("link", name=title).click()
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert "市教委关于正常上课的说明" in page.locator(".evidence").inner_text()
    visitor.close()


def test_submit_for_review_keeps_the_edits_made_just_before(browser, live_server, staff_groups):
    UserFactory(username="editor").groups.add(staff_groups["Editor"])
    draft = ClarificationFactory(draft=True, title="旧标题", truth="旧的真相。")
    context, page = log_in(browser, live_server, "editor")
    page.goto(f"/en/admin/clarifications/clarification/{draft.pk}/change/")
    page.locator("#id_title").fill("网传本市明日停水不实")
    page.locator("#id_truth").fill("供水集团表示，明日供水正常。")
    page.get_by_role("button", name="Submit for review").click()
    assert page.locator("#id_title").input_value() == "网传本市明日停水不实"
    assert page.locator("#id_truth").input_value() == "供水集团表示，明日供水正常。"
    assert "Status: In review" in page.locator(".workflow-state").inner_text()
    assert "was submitted for review" in page.locator(".messagelist").inner_text()
    context.close()
    draft.refresh_from_db()
    assert (draft.title, draft.truth) == ("网传本市明日停水不实", "供水集团表示，明日供水正常。")
    assert draft.status == Status.IN_REVIEW


def test_an_emptied_required_field_comes_back_with_the_other_edits_kept(browser, live_server, staff_groups):
    UserFactory(username="editor").groups.add(staff_groups["Editor"])
    draft = ClarificationFactory(draft=True, title="旧标题")
    context, page = log_in(browser, live_server, "editor")
    page.goto(f"/en/admin/clarifications/clarification/{draft.pk}/change/")
    page.locator("#id_title").fill("新标题")
    page.locator("#id_truth").fill("")
    page.get_by_role("button", name="Submit for review").click()
    summary = page.locator(".error-summary")
    assert "The truth: This field is required." in summary.inner_text()
    summary.get_by_role("link", name="The truth").click()
    assert page.evaluate("document.activeElement.id") == "id_truth" or page.url.endswith("#id_truth")
    assert page.locator("#id_title").input_value() == "新标题"
    assert "Status: Draft" in page.locator(".workflow-state").inner_text()
    context.close()
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("旧标题", Status.DRAFT)


def test_on_a_phone_the_author_reads_why_publishing_is_not_possible(browser, live_server, staff_groups, axe_source):  # noqa: F811
    UserFactory(username="publisher").groups.add(staff_groups["Publisher"])
    own = ClarificationFactory(in_review=True, author=UserFactory(username="publisher"))
    SourceFactory(clarification=own)
    context, page = log_in(browser, live_server, "publisher")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/admin/clarifications/clarification/{own.pk}/change/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    publish = page.get_by_role("button", name="立即发布")
    assert publish.get_attribute("aria-disabled") == "true"
    reasons = page.locator("#" + publish.get_attribute("aria-describedby"))
    assert reasons.is_visible()
    assert "双人把关规则" in reasons.inner_text()
    publish.focus()  # it can be reached with the keyboard and read out, but pressing it does nothing
    page.keyboard.press("Enter")
    assert Clarification.objects.get(pk=own.pk).status == Status.IN_REVIEW
    assert page.url.endswith(f"/clarification/{own.pk}/change/")
    # axe-core on the workflow panel (the rest of the page is Django's own admin).
    page.evaluate(axe_source)
    results = page.evaluate("tags => axe.run('.workflow-panel', {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert [v["id"] for v in results["violations"] if v["impact"] in BLOCKING] == []
    context.close()
