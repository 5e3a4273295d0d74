"""The change page's transition buttons: they save the form first, say what they cannot do, and ask
before anything becomes public."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from clarifications.models import Clarification, Status

from .factories import ClarificationFactory, SourceFactory, UserFactory
from .test_workflow_admin import change_url, messages_of, transition_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class PostedForm(HTMLParser):
    """What a browser posts for a page's form, as it is (text, hidden, checked boxes, textareas, selects)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self.textarea = self.select = None

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            self.add(attrs["name"], attrs.get("value", ""))
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
            self.add(attrs["name"], attrs.get("value", "on"))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.add(self.textarea, "")
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            # A browser drops the newline that follows <textarea>.
            self.data[self.textarea][-1] += data.removeprefix("\n") if not self.data[self.textarea][-1] else data


def change_form(client, clarification):
    """The change form as the page shows it, ready to post back."""
    parser = PostedForm("clarification_form")
    parser.feed(client.get(change_url(clarification)).content.decode())
    return parser.data


def press(client, clarification, transition, **changes):
    """Edit the change form as shown and press a transition button on it."""
    data = {**change_form(client, clarification), **changes, "_transition": transition}
    return client.post(change_url(clarification), data)


def stored(clarification):
    return Clarification.objects.get(pk=clarification.pk)


def text_of(response):
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- The form is saved first ---------------------------------------------------------------------


def test_submit_for_review_keeps_the_edits_made_on_the_page(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author, title="旧标题")
    client.force_login(editor)
    response = press(client, draft, "submit_for_review", title="新标题", truth="新的真相。")
    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    draft = stored(draft)
    assert (draft.title, draft.truth, draft.status) == ("新标题", "新的真相。", Status.IN_REVIEW)
    shown = messages_of(client.get(change_url(draft)))
    assert shown == ["Your changes were saved.", "“新标题” was submitted for review."]
    # Two records in the history: the edit by the editor, then the move, with its reason.
    edit, move = draft.history.order_by("-history_date", "-history_id")[:2][::-1]
    assert (edit.title, edit.status, edit.history_user) == ("新标题", Status.DRAFT, editor)
    assert (move.status, move.history_change_reason, move.history_user) == (
        Status.IN_REVIEW,
        "Submitted for review",
        editor,
    )


def test_an_invalid_form_comes_back_with_the_edits_and_the_move_is_not_made(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author, title="旧标题")
    client.force_login(editor)
    response = press(client, draft, "submit_for_review", title="新标题", truth="")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="新标题"' in page  # the edit is still in the form
    assert '<a href="#id_truth">The truth</a>: This field is required.' in page
    assert stored(draft).title == "旧标题"
    assert stored(draft).status == Status.DRAFT


def test_an_error_in_an_evidence_source_is_named_with_its_row_and_field(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author)
    client.force_login(editor)
    edits = {"sources-0-title": "市水务局的说明", "sources-0-url": "not a link at all"}
    response = press(client, draft, "submit_for_review", **edits)
    assert response.status_code == 200
    assert '<a href="#id_sources-0-url">Evidence source 1 – URL</a>: Enter a valid URL.' in response.content.decode()
    assert stored(draft).status == Status.DRAFT


def test_a_move_refused_after_saving_keeps_the_edits_and_says_why(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author, title="旧标题")
    client.force_login(editor)
    # Someone else submitted it while this page was open.
    Clarification.objects.filter(pk=draft.pk).update(status=Status.IN_REVIEW)
    response = press(client, draft, "submit_for_review", title="新标题")
    assert response.status_code == 302
    assert (stored(draft).title, stored(draft).status) == ("新标题", Status.IN_REVIEW)
    assert messages_of(client.get(change_url(draft))) == [
        "Your changes were saved.",
        "Only a draft can be submitted for review.",
    ]


def test_an_unchanged_form_says_nothing_about_saving(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author)
    client.force_login(editor)
    press(client, draft, "submit_for_review")
    assert messages_of(client.get(change_url(draft))) == [f"“{draft.title}” was submitted for review."]


def test_the_plain_save_buttons_work_as_before(client, editor, author):
    draft = ClarificationFactory(draft=True, author=author)
    client.force_login(editor)
    response = client.post(change_url(draft), {**change_form(client, draft), "title": "改了", "_continue": "1"})
    assert response["Location"] == change_url(draft)
    assert (stored(draft).title, stored(draft).status) == ("改了", Status.DRAFT)
    response = press(client, draft, "no_such_move", title="又改了")
    assert response["Location"] == reverse("admin:clarifications_clarification_changelist")
    assert stored(draft).status == Status.DRAFT


def test_schedule_and_withdraw_save_then_ask_on_their_page(client, publisher, author):
    in_review = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=in_review)
    public = ClarificationFactory(author=author)
    client.force_login(publisher)
    response = press(client, in_review, "schedule")
    assert response["Location"] == transition_url(in_review, "schedule")
    assert 'type="datetime-local"' in client.get(response["Location"]).content.decode()
    response = press(client, public, "withdraw", region="徐汇区")
    assert response["Location"] == transition_url(public, "withdraw")
    assert (stored(public).region, stored(public).status) == ("徐汇区", Status.PUBLISHED)


# --- Publishing asks first -----------------------------------------------------------------------


def test_publish_now_saves_then_asks_for_confirmation_showing_what_becomes_public(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author, truth="供水正常。")
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    response = press(client, clarification, "publish")
    assert response["Location"] == transition_url(clarification, "publish")
    confirmation = client.get(response["Location"])
    text = text_of(confirmation)
    assert stored(clarification).status == Status.IN_REVIEW
    assert f"Title {clarification.title} Verdict False The truth 供水正常。" in text
    assert "readers of the site, the RSS and Atom feeds, the API for partner platforms and search engines" in text
    assert 'value="Yes, publish now"' in confirmation.content.decode()
    response = client.post(transition_url(clarification, "publish"), {"apply": "yes"}, follow=True)
    assert stored(clarification).status == Status.PUBLISHED
    assert messages_of(response) == [f"“{clarification.title}” is published."]


def test_cancelling_the_confirmation_publishes_nothing(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    page = client.get(transition_url(clarification, "publish")).content.decode()
    assert f'href="{change_url(clarification)}">Cancel</a>' in page
    assert stored(clarification).status == Status.IN_REVIEW


def test_the_confirmation_of_an_authors_own_clarification_offers_no_way_to_publish(client, publisher):
    own = ClarificationFactory(in_review=True, author=publisher)
    SourceFactory(clarification=own)
    client.force_login(publisher)
    page = text_of(client.get(transition_url(own, "publish")))
    assert "Four-eyes rule: you wrote this clarification, so another publisher must publish it." in page
    assert "Yes, publish now" not in page
    assert "Back" in page


# --- What the user may not do --------------------------------------------------------------------


def workflow_panel(client, clarification):
    page = client.get(change_url(clarification)).content.decode()
    return page.split('<section class="workflow-panel"', 1)[1].split("</section>", 1)[0]


def test_the_author_sees_publish_disabled_with_the_four_eyes_reason(client, publisher):
    own = ClarificationFactory(in_review=True, author=publisher)
    SourceFactory(clarification=own)
    client.force_login(publisher)
    panel = workflow_panel(client, own)
    assert 'name="_transition" value="publish"' not in panel
    assert (
        '<button type="button" class="button workflow-blocked" aria-disabled="true" '
        'aria-describedby="why-not-publish">Publish now</button>'
    ) in panel
    assert 'aria-describedby="why-not-publish">Schedule…</button>' in panel
    reasons = panel.split('id="why-not-publish">', 1)[1]
    assert "<strong>Publish now · Schedule</strong> — not possible yet:" in reasons
    assert "<li>Four-eyes rule: you wrote this clarification, so another publisher must publish it.</li>" in reasons
    # The other moves stay available.
    assert 'name="_transition" value="return_to_draft"' in panel


def test_missing_content_disables_publishing_and_names_every_gap(client, publisher, author, settings):
    bare = ClarificationFactory(in_review=True, author=publisher)
    client.force_login(publisher)
    panel = workflow_panel(client, bare)
    assert "<li>Four-eyes rule: you wrote this clarification" in panel
    assert "<li>It cannot be published yet. Missing: at least one evidence source.</li>" in panel
    settings.PIYAO_FOUR_EYES = False
    panel = workflow_panel(client, bare)
    assert "Four-eyes" not in panel
    assert "<li>It cannot be published yet. Missing: at least one evidence source.</li>" in panel


def test_a_ready_clarification_has_no_disabled_buttons(client, publisher, author):
    ready = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=ready)
    client.force_login(publisher)
    panel = workflow_panel(client, ready)
    assert "aria-disabled" not in panel
    assert "not possible yet" not in panel
    assert 'name="_transition" value="publish"' in panel


def test_moves_the_user_may_never_make_are_not_shown(client, editor, publisher, author):
    public = ClarificationFactory(author=author)
    client.force_login(editor)
    page = client.get(change_url(public)).content.decode()
    assert "_transition" not in page
    assert "Withdraw…" not in page
    draft = ClarificationFactory(draft=True, author=author)
    client.force_login(publisher)
    panel = workflow_panel(client, draft)
    assert re.findall(r'name="_transition" value="(\w+)"', panel) == ["submit_for_review"]
    assert "aria-disabled" not in panel


def test_the_first_button_of_the_form_saves_so_enter_never_moves_the_clarification(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    form = client.get(change_url(clarification)).content.decode().split('id="clarification_form"', 1)[1]
    first = re.search(r'<(?:button|input)[^>]*type="submit"[^>]*>', form).group(0)
    assert 'name="_continue"' in first


# --- Errors name their field, in the page's language ---------------------------------------------


def test_a_refused_move_names_the_field_that_is_wrong(client, editor):
    imported = ClarificationFactory(draft=True, author=None, title="导入的稿件")
    Clarification.objects.filter(pk=imported.pk).update(truth="")
    client.force_login(editor)
    response = client.post(
        reverse("admin:clarifications_clarification_changelist"),
        {"action": "submit_for_review", "_selected_action": [imported.pk]},
        follow=True,
    )
    assert messages_of(response) == ["“导入的稿件”: The truth: This field cannot be blank."]
    assert stored(imported).status == Status.DRAFT


def test_the_field_is_named_in_chinese_on_the_chinese_admin(client, editor):
    imported = ClarificationFactory(draft=True, author=None, title="导入的稿件")
    Clarification.objects.filter(pk=imported.pk).update(truth="")
    client.force_login(editor)
    with translation.override("zh-hans"):
        url = reverse("admin:clarifications_clarification_changelist")
    data = {"action": "submit_for_review", "_selected_action": [imported.pk]}
    response = client.post(url, data, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert messages_of(response) == ["“导入的稿件”：真相：此字段不能为空。"]


# --- Labels, not raw ids -------------------------------------------------------------------------


def test_the_author_is_chosen_by_name_among_staff(client, author):
    chief = UserFactory(username="chief", is_superuser=True, first_name="伟", last_name="王")
    UserFactory(username="citizen", is_staff=False)
    UserFactory(username="jdoe", first_name="Jane", last_name="Doe")
    former = UserFactory(username="former", is_staff=False)
    clarification = ClarificationFactory(draft=True, author=former)
    client.force_login(chief)
    page = client.get(change_url(clarification)).content.decode()
    select = page.split('name="author"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r"<option [^>]*>([^<]+)</option>", select)
    assert options == ["---------", "author", "王伟 (chief)", "former", "Jane Doe (jdoe)"]
    assert 'id="lookup_id_author"' not in page  # no raw-id lookup
