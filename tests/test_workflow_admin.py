"""The workflow through the Django admin: forms, list actions, buttons, history and the index counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clarifications import services
from clarifications.models import Clarification, Source, Status
from tips.models import ReportStatus

from .factories import ClarificationFactory, SourceFactory, TipFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def changelist():
    return reverse("admin:clarifications_clarification_changelist")


def change_url(clarification):
    return reverse("admin:clarifications_clarification_change", args=[clarification.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def form_data(clarification=None, *, sources=(), **overrides):
    """What the admin's clarification form posts, with its two inline formsets."""
    data = {
        "title": "网传全市停水三天不实",
        "language": "zh-hans",
        "verdict": "false",
        "truth": "供水集团表示，全市供水正常。",
        "claim": "紧急通知！明天起全市停水三天。",
        "claim_platform": "wechat_group",
        "claim_seen_on": "",
        "region": "",
        "body": "",
        "image_alt": "",
        "authority_name": "市水务局",
        "authority_url": "",
        "review_by": "",
        "external_id": clarification.external_id if clarification else "ext-new-1",
        "sources-TOTAL_FORMS": str(len(sources) + 1),
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
    }
    if clarification is not None:
        for name in ("title", "language", "verdict", "truth", "claim", "claim_platform", "authority_name"):
            data[name] = getattr(clarification, name)
    existing = list(clarification.sources.all()) if clarification else []
    data["sources-INITIAL_FORMS"] = str(len(existing))
    data["sources-TOTAL_FORMS"] = str(len(existing) + len(sources) + 1)
    for index, source in enumerate(existing):
        data.update(
            {
                f"sources-{index}-id": str(source.pk),
                f"sources-{index}-clarification": str(clarification.pk),
                f"sources-{index}-title": source.title,
                f"sources-{index}-url": source.url,
                f"sources-{index}-publisher": source.publisher,
                f"sources-{index}-position": str(source.position),
            }
        )
    for offset, title in enumerate(sources):
        index = len(existing) + offset
        data.update({f"sources-{index}-title": title, f"sources-{index}-position": "0"})
    # The blank extra form, as a browser posts it (with the position's initial value).
    data[f"sources-{len(existing) + len(sources)}-position"] = "0"
    data.update(overrides)
    return data


def act(client, action, clarifications, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(c.pk) for c in clarifications], **extra}
    return client.post(changelist(), data, follow=True)


# --- Editing -------------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_and_becomes_its_author(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:clarifications_clarification_add"),
        form_data(sources=["市水务局关于供水的说明"], status="published", published_at="2020-01-01 00:00"),
        follow=True,
    )
    assert response.status_code == 200
    clarification = Clarification.objects.get(title="网传全市停水三天不实")
    assert clarification.author == editor
    # Status and publish time are not form fields: posting them changes nothing.
    assert (clarification.status, clarification.published_at) == (Status.DRAFT, None)
    assert clarification.sources.get().title == "市水务局关于供水的说明"
    assert clarification.history.get().history_user == editor


def test_an_illustration_is_re_encoded_without_its_gps_position_and_served_as_a_picture(client, editor):
    from PIL import Image

    from .tips_images import image_bytes, upload

    client.force_login(editor)
    photo = upload("IMG_0001.jpg", image_bytes("JPEG", size=(80, 60), gps=True), "image/jpeg")
    data = form_data(sources=["市水务局关于供水的说明"], image_alt="网传的通知截图")
    client.post(reverse("admin:clarifications_clarification_add"), {**data, "image": photo}, follow=True)
    clarification = Clarification.objects.get(title="网传全市停水三天不实")
    assert "IMG_0001" not in clarification.image.name
    with open(clarification.image.path, "rb") as raw:
        stored = raw.read()
    assert b"Citizen's phone" not in stored
    with Image.open(clarification.image.path) as picture:
        assert not picture.getexif()

    client.logout()
    response = client.get(clarification.image.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored


def test_public_media_serves_pictures_only_and_nothing_outside_the_media_folder(client, settings):
    folder = settings.MEDIA_ROOT / "clarifications"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text("<script>alert(1)</script>")
    (settings.MEDIA_ROOT.parent / "secret.png").write_bytes(b"x")
    assert client.get("/media/clarifications/page.html").status_code == 404
    assert client.get("/media/../secret.png").status_code == 404
    assert client.get("/media/%2e%2e/secret.png").status_code == 404
    assert client.get("/media/clarifications/").status_code == 404


def test_an_editor_sees_a_published_clarification_read_only(client, editor, author):
    clarification = ClarificationFactory(author=author, title="原标题")
    client.force_login(editor)
    page = client.get(change_url(clarification))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(change_url(clarification), form_data(clarification, title="改过的标题"))
    assert response.status_code == 403
    assert Clarification.objects.get(pk=clarification.pk).title == "原标题"


def test_a_silent_edit_of_a_public_clarification_gets_a_reminder(client, publisher, author):
    clarification = ClarificationFactory(author=author)
    client.force_login(publisher)
    response = client.post(change_url(clarification), form_data(clarification, truth="改过的真相。"), follow=True)
    assert Clarification.objects.get(pk=clarification.pk).truth == "改过的真相。"
    assert any("corrections are shown, never silent" in message for message in messages_of(response))


def test_a_publisher_corrects_a_published_clarification_with_an_update(client, publisher, author):
    clarification = ClarificationFactory(author=author)
    client.force_login(publisher)
    data = form_data(
        clarification,
        **{
            "updates-TOTAL_FORMS": "1",
            "updates-0-date_0": "2026-01-05",
            "updates-0-date_1": "10:00:00",
            "updates-0-note": "更正：补充了停水通知的原文链接。",
        },
    )
    response = client.post(change_url(clarification), data, follow=True)
    assert response.status_code == 200, response.context["adminform"].form.errors
    assert not any("never silent" in message for message in messages_of(response))
    update = clarification.updates.get()
    assert update.note == "更正：补充了停水通知的原文链接。"
    assert update.history.get().history_user == publisher
    assert "更正：补充了停水通知的原文链接。" in client.get(clarification.get_absolute_url()).content.decode()


# --- List actions --------------------------------------------------------------------------------


def test_an_editor_submits_drafts_for_review_from_the_list(client, editor, author):
    drafts = [ClarificationFactory(draft=True, author=author) for _ in range(2)]
    client.force_login(editor)
    response = act(client, "submit_for_review", drafts)
    assert set(Clarification.objects.values_list("status", flat=True)) == {Status.IN_REVIEW}
    assert f"“{drafts[0].title}” was submitted for review." in messages_of(response)
    assert all(draft.history.first().history_user == editor for draft in drafts)


def test_an_editor_is_not_offered_the_publish_actions(client, editor, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(editor)
    page = client.get(changelist()).content.decode()
    assert 'value="submit_for_review"' in page
    assert 'value="publish"' not in page
    response = act(client, "publish", [clarification])
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW
    assert response.status_code == 200


def test_publish_now_from_the_list_publishes_what_passes_and_names_what_is_missing(client, publisher, author):
    good = ClarificationFactory(in_review=True, author=author, title="证据齐全")
    SourceFactory(clarification=good)
    bare = ClarificationFactory(in_review=True, author=author, title="没有证据")
    client.force_login(publisher)
    confirmation = act(client, "publish", [good, bare]).content.decode()
    assert "Once published, what is shown below is public at once" in confirmation
    assert "“没有证据”: It cannot be published yet. Missing: at least one evidence source." in confirmation
    assert Clarification.objects.get(pk=good.pk).status == Status.IN_REVIEW  # not before the confirmation
    response = act(client, "publish", [good, bare], apply="yes")
    assert Clarification.objects.get(pk=good.pk).status == Status.PUBLISHED
    assert Clarification.objects.get(pk=bare.pk).status == Status.IN_REVIEW
    shown = messages_of(response)
    assert "“证据齐全” is published." in shown
    assert "“没有证据”: It cannot be published yet. Missing: at least one evidence source." in shown


def test_publish_now_refuses_the_publishers_own_draft_with_the_four_eyes_message(client, publisher):
    own = ClarificationFactory(in_review=True, author=publisher, title="自己写的")
    SourceFactory(clarification=own)
    client.force_login(publisher)
    response = act(client, "publish", [own], apply="yes")
    assert Clarification.objects.get(pk=own.pk).status == Status.IN_REVIEW
    assert (
        "“自己写的”: Four-eyes rule: you wrote this clarification, so another publisher must publish it."
        in messages_of(response)
    )


def test_the_schedule_action_asks_for_the_time_then_schedules(client, publisher, author, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    form_page = act(client, "schedule", [clarification])
    assert 'type="datetime-local"' in form_page.content.decode()
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW

    response = act(client, "schedule", [clarification], apply="yes", at="2026-06-02T08:30")
    stored = Clarification.objects.get(pk=clarification.pk)
    assert stored.status == Status.PUBLISHED
    assert stored.published_at == datetime(2026, 6, 2, 8, 30, tzinfo=SHANGHAI)
    assert stored.is_scheduled
    assert f"“{clarification.title}” is scheduled for 2026-06-02 08:30." in messages_of(response)
    assert "Scheduled" in client.get(changelist()).content.decode()


def test_the_schedule_form_refuses_a_time_in_the_past(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    past = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = act(client, "schedule", [clarification], apply="yes", at=past)
    assert "Choose a time in the future" in response.content.decode()
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW


def test_the_withdraw_action_asks_for_the_public_note(client, publisher, author):
    clarification = ClarificationFactory(author=author)
    client.force_login(publisher)
    form_page = act(client, "withdraw", [clarification])
    assert "Public withdrawal note" in form_page.content.decode()
    act(client, "withdraw", [clarification], apply="yes", note="原结论所依据的数据有误。")
    stored = Clarification.objects.get(pk=clarification.pk)
    assert (stored.status, stored.withdrawal_note) == (Status.WITHDRAWN, "原结论所依据的数据有误。")
    assert "原结论所依据的数据有误。" in client.get(clarification.get_absolute_url()).content.decode()


def test_unpublish_from_the_list_takes_a_scheduled_item_back_to_review(client, publisher, author):
    scheduled = ClarificationFactory(scheduled=True, author=author)
    live = ClarificationFactory(author=author)
    client.force_login(publisher)
    response = act(client, "unpublish", [scheduled, live])
    assert Clarification.objects.get(pk=scheduled.pk).status == Status.IN_REVIEW
    assert Clarification.objects.get(pk=live.pk).status == Status.PUBLISHED
    assert any("withdraw it with a public note instead" in message for message in messages_of(response))


# --- Buttons on the change page ------------------------------------------------------------------


def transition_url(clarification, name):
    return reverse("admin:clarifications_clarification_transition", args=[clarification.pk, name])


def button(name):
    return f'name="_transition" value="{name}"'


def test_the_change_page_offers_each_role_its_buttons_and_the_preview(client, editor, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(editor)
    page = client.get(change_url(clarification)).content.decode()
    assert button("return_to_draft") in page
    assert button("publish") not in page
    assert "Publish now" not in page
    assert reverse("clarifications:preview", args=[clarification.pk]) in page
    client.force_login(publisher)
    page = client.get(change_url(clarification)).content.decode()
    assert button("publish") in page
    assert button("schedule") in page


def test_the_publish_address_asks_for_confirmation_then_publishes(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    confirmation = client.post(transition_url(clarification, "publish"))
    assert confirmation.status_code == 200
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW
    response = client.post(transition_url(clarification, "publish"), {"apply": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == change_url(clarification)
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED
    assert f"“{clarification.title}” is published." in messages_of(response)


def test_a_refused_move_says_why(client, editor, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(editor)
    page = client.get(transition_url(clarification, "publish")).content.decode()
    assert "You do not have permission to publish clarifications." in page
    assert "Yes, publish now" not in page
    response = client.post(transition_url(clarification, "publish"), {"apply": "yes"}, follow=True)
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW
    assert "You do not have permission to publish clarifications." in messages_of(response)


def test_one_click_moves_only_answer_posts(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    client.force_login(publisher)
    assert client.get(transition_url(clarification, "return_to_draft")).status_code == 405


def test_the_withdraw_button_page_needs_a_note(client, publisher, author):
    clarification = ClarificationFactory(author=author)
    client.force_login(publisher)
    url = transition_url(clarification, "withdraw")
    response = client.post(url, {"apply": "yes", "note": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED
    response = client.post(url, {"apply": "yes", "note": "撤回说明"})
    assert response.status_code == 302
    assert Clarification.objects.get(pk=clarification.pk).status == Status.WITHDRAWN


def test_an_editor_cannot_rename_a_public_topic_but_a_publisher_can(client, editor, publisher):
    public = TopicFactory(name="交通出行", name_en="Transport", slug="transport")
    ClarificationFactory(topics=[public])
    unused = TopicFactory(name="天气", name_en="Weather", slug="weather")
    url = reverse("admin:clarifications_topic_change", args=[public.pk])
    renamed = {"name": "改过的名字", "name_en": "Renamed", "slug": "renamed"}

    client.force_login(editor)
    assert client.post(url, renamed).status_code == 403
    public.refresh_from_db()
    assert (public.name, public.slug) == ("交通出行", "transport")
    assert client.get(url).status_code == 200  # read-only
    assert (
        client.post(reverse("admin:clarifications_topic_delete", args=[public.pk]), {"post": "yes"}).status_code == 403
    )
    # A topic no public clarification carries yet is the editors' to name.
    client.post(reverse("admin:clarifications_topic_change", args=[unused.pk]), {**renamed, "name": "新名字"})
    unused.refresh_from_db()
    assert unused.slug == "renamed"

    client.force_login(publisher)
    client.post(url, {**renamed, "slug": "transport-2"})
    public.refresh_from_db()
    assert public.slug == "transport-2"


def test_tip_triage_cannot_open_clarifications(client, tip_triager, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    client.force_login(tip_triager)
    assert client.get(changelist()).status_code == 403
    assert client.post(transition_url(clarification, "return_to_draft")).status_code == 403
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW


# --- History -------------------------------------------------------------------------------------


def test_history_shows_who_changed_what_as_a_readable_diff(client, editor, publisher, author):
    clarification = ClarificationFactory(draft=True, author=author, title="旧标题")
    SourceFactory(clarification=clarification, title="旧来源")
    client.force_login(editor)
    data = form_data(clarification, title="新标题")
    data["sources-0-title"] = "新来源"
    response = client.post(change_url(clarification), data)
    assert response.status_code == 302
    client.post(transition_url(clarification, "submit_for_review"))
    client.force_login(publisher)
    client.post(transition_url(clarification, "publish"), {"apply": "yes"})

    records = list(clarification.history.order_by("history_date", "history_id"))
    assert [record.history_user for record in records[1:]] == [editor, editor, publisher]
    assert Source.history.filter(title="新来源").get().history_user == editor

    page = client.get(reverse("admin:clarifications_clarification_history", args=[clarification.pk]))
    text = page.content.decode()
    assert "旧标题" in text
    assert "新标题" in text
    assert "Draft" in text
    assert "In review" in text
    assert "Published" in text
    assert "Submitted for review" in text
    assert "旧来源" in text
    assert "新来源" in text
    assert "in_review" not in text  # labels, not stored values
    assert "Deleted user" not in text  # an empty reviewer reads "—"


# --- Lists and the index -------------------------------------------------------------------------


def test_the_list_filters_find_scheduled_and_due_items(client, publisher, author):
    scheduled = ClarificationFactory(scheduled=True, author=author, title="定时发布的")
    due = ClarificationFactory(author=author, title="该复核的", review_by=timezone.localdate())
    later = ClarificationFactory(author=author, title="以后复核的", review_by=timezone.localdate() + timedelta(days=9))
    client.force_login(publisher)
    page = client.get(changelist() + "?state=scheduled").content.decode()
    assert scheduled.title in page
    assert due.title not in page
    page = client.get(changelist() + "?due=yes").content.decode()
    assert due.title in page
    assert later.title not in page
    assert scheduled.title not in page


def test_the_admin_index_counts_the_work_waiting_and_links_to_it(client, editor, author):
    for _ in range(3):
        ClarificationFactory(in_review=True, author=author)
    ClarificationFactory(scheduled=True, author=author)
    ClarificationFactory(draft=True, author=author)
    ClarificationFactory(author=author, review_by=timezone.localdate() - timedelta(days=1))
    ClarificationFactory(author=author)
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'href="{changelist()}?state=in_review"><strong class="count">3</strong> drafts awaiting review' in page
    assert f'href="{changelist()}?state=scheduled"><strong class="count">1</strong> scheduled' in page
    assert f'href="{changelist()}?due=yes"><strong class="count">1</strong> due for re-review' in page


def test_the_admin_index_shows_tip_triage_the_new_tips_and_no_clarification_counts(client, tip_triager):
    TipFactory()
    TipFactory()
    TipFactory(status=ReportStatus.REVIEWING)
    client.force_login(tip_triager)
    page = client.get(reverse("admin:index")).content.decode()
    tips = reverse("admin:tips_tip_changelist")
    assert f'href="{tips}?status__exact=new"><strong class="count">2</strong> new tips' in page
    assert "drafts awaiting review" not in page


def test_an_old_version_cannot_be_reverted_around_the_workflow(client, publisher, author):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    client.post(transition_url(clarification, "publish"), {"apply": "yes"})
    client.force_login(UserFactory(username="chief", is_superuser=True))
    clarification.refresh_from_db()
    clarification.title = "标题改了"
    clarification.save()
    old = clarification.history.filter(status=Status.IN_REVIEW).first()
    url = reverse("admin:clarifications_clarification_simple_history", args=[clarification.pk, old.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(clarification))
    assert response.status_code == 403
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED


def test_saving_from_a_browser_keeps_line_endings_as_stored(client, editor, author):
    clarification = ClarificationFactory(draft=True, author=author, body="第一段。\n\n第二段。")
    client.force_login(editor)
    client.post(change_url(clarification), form_data(clarification, body="第一段。\r\n\r\n第二段。"))
    assert Clarification.objects.get(pk=clarification.pk).body == "第一段。\n\n第二段。"


def test_the_admin_list_and_index_take_a_fixed_number_of_queries(client, publisher, author, django_assert_num_queries):
    def pages():
        assert client.get(changelist()).status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200

    ClarificationFactory(author=author)
    client.force_login(publisher)
    pages()  # warm the content-type cache
    with CaptureQueriesContext(connection) as one_row:
        pages()
    for number in range(15):
        ClarificationFactory(author=UserFactory(username=f"writer{number}"), scheduled=True)
    with django_assert_num_queries(len(one_row.captured_queries)):
        pages()


def test_topic_changes_are_in_the_history_too(client, editor, author):
    clarification = ClarificationFactory(draft=True, author=author)
    topic = TopicFactory(name="供水", name_en="Water supply")
    client.force_login(editor)
    response = client.post(change_url(clarification), form_data(clarification, topics=[str(topic.pk)]))
    assert response.status_code == 302
    latest = clarification.history.first()
    assert latest.history_user == editor
    assert [row.topic for row in latest.topics.all()] == [topic]
    page = client.get(reverse("admin:clarifications_clarification_history", args=[clarification.pk]))
    diff = " ".join(page.content.decode().split())
    assert "<strong>Topics:</strong> — &nbsp;&rarr;&nbsp;&nbsp;[Water supply]" in diff


def test_a_publisher_finds_every_transition_of_the_registry_among_the_list_actions(client, publisher):
    ClarificationFactory()
    client.force_login(publisher)
    page = client.get(changelist()).content.decode()
    for transition in services.TRANSITIONS.values():
        assert f'<option value="{transition.name}">{transition.action_label}</option>' in page
