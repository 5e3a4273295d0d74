"""Staff triage tips in the admin: grouped by rumor, answered, closed, turned into drafts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from clarifications.models import Clarification, Status
from tips.casework import answers, lifecycle
from tips.intake.receive import tip_submit
from tips.models import ReportStatus, Rumor, Tip

from .factories import ClarificationFactory, RumorFactory, TipFactory, UserFactory
from .tips_images import upload

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tips/tip/"


@pytest.fixture
def contact_triager(triager):
    triager.user_permissions.add(Permission.objects.get(codename="view_tip_contact"))
    return triager


def act(client, action, tips, **extra):
    return client.post(
        CHANGELIST, {"action": action, "_selected_action": [tip.pk for tip in tips], **extra}, follow=True
    )


def test_the_tip_triage_group_has_the_tip_permissions_but_not_the_contact_one():
    codenames = set(Group.objects.get(name="Tip triage").permissions.values_list("codename", flat=True))
    assert {"view_tip", "change_tip", "view_rumor", "change_rumor", "triage_report", "reopen_report"} <= codenames
    assert "view_tip_contact" not in codenames


def test_similar_tips_join_one_group_and_different_ones_do_not():
    first = tip_submit(text="紧急通知！明天起全市停水三天，请大家转发给家人。", platform="wechat_group")
    second = tip_submit(text="明天起全市停水三天，请大家转发给家人！！", platform="weibo")
    other = tip_submit(text="地铁二号线下周停运一周", platform="douyin")
    assert first.rumor_id == second.rumor_id
    assert other.rumor_id != first.rumor_id


def test_the_queue_puts_the_most_reported_rumor_first(client, triager):
    lonely = TipFactory(text="网传公园闭园", rumor=RumorFactory(label="公园"))
    popular = RumorFactory(label="停水")
    TipFactory.create_batch(3, text="全市停水三天", rumor=popular)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    codes = [tip.code for tip in response.context["cl"].result_list]
    assert codes.index(lonely.code) == 3
    assert "停水" in response.text


def test_the_queue_shows_open_tips_by_default(client, triager):
    open_tip = TipFactory()
    closed = TipFactory(status=ReportStatus.NOT_ACTIONABLE)
    response = client.get(CHANGELIST)
    codes = [tip.code for tip in response.context["cl"].result_list]
    assert open_tip.code in codes
    assert closed.code not in codes
    assert closed.code in client.get(CHANGELIST, {"queue": "all"}).text


def test_a_tip_shows_similar_published_clarifications(client, triager):
    clarification = ClarificationFactory(title="停水传言不实", claim="明天起全市停水三天")
    tip = TipFactory(text="明天起全市停水三天")
    response = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert response.status_code == 200
    assert clarification.title in response.text


def test_a_triager_without_the_contact_permission_does_not_see_the_email(client, triager):
    tip = TipFactory(with_contact=True, client_hash="c" * 64)
    response = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert response.status_code == 200
    assert "citizen@example.com" not in response.text
    assert "c" * 64 not in response.text


def test_a_triager_with_the_contact_permission_sees_the_email(client, contact_triager):
    tip = TipFactory(with_contact=True)
    response = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert "citizen@example.com" in response.text


def test_screenshots_are_served_to_tip_staff_only(client, triager):
    client.post("/tips/new/", {"text": "截图里的传言内容", "platform": "weibo", "screenshot": upload()})
    tip = Tip.objects.get()
    url = reverse("admin:tips_tip_screenshot", args=[tip.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]

    other = UserFactory(username="editor-only")
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # No public URL reaches the file.
    assert client.get(f"/media/{tip.screenshot.name}").status_code == 404
    with pytest.raises(ValueError, match="no public URL"):
        tip.screenshot.url  # noqa: B018


def test_answering_with_consent_mails_the_link_and_the_status_page_shows_it(
    client, triager, django_capture_on_commit_callbacks
):
    clarification = ClarificationFactory(title="停水传言不实")
    tip = TipFactory(with_contact=True, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:tips_tip_answer") + f"?ids={tip.pk}", {"clarification_id": clarification.pk}, follow=True
        )
    assert response.status_code == 200
    tip.refresh_from_db()
    assert tip.status == ReportStatus.ANSWERED
    assert tip.clarification == clarification
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["citizen@example.com"]
    assert tip.code in message.subject
    assert f"http://testserver/en/clarifications/{clarification.pk}/" in message.body
    assert clarification.title in client.get(tip.get_absolute_url()).text


def test_answering_without_an_address_sends_no_mail(client, triager, django_capture_on_commit_callbacks):
    clarification = ClarificationFactory(claim="明天起全市停水三天")
    tip = TipFactory(text="明天起全市停水三天")
    step = act(client, "answer", [tip])
    # The answer page offers the similar clarification to pick.
    assert clarification.title in step.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}", {"clarification": clarification.pk})
    tip.refresh_from_db()
    assert tip.status == ReportStatus.ANSWERED
    assert mail.outbox == []


def test_a_mail_server_error_does_not_lose_the_answer(settings, django_capture_on_commit_callbacks, caplog):
    settings.EMAIL_BACKEND = "tests.test_tips_admin.BrokenBackend"
    clarification = ClarificationFactory()
    tip = TipFactory(with_contact=True)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.apply(tip, "answer", system=True, clarification=clarification, site_url="https://piyao.example/")
    tip.refresh_from_db()
    assert tip.status == ReportStatus.ANSWERED
    assert "Could not send the answer e-mail" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):  # noqa: ARG002 (the e-mail backend's signature)
        raise OSError("mail server down")


def test_a_draft_cannot_answer_a_tip(client, triager):
    draft = ClarificationFactory(draft=True)
    tip = TipFactory()
    response = client.post(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}", {"clarification_id": draft.pk})
    with translation.override("zh-hans"):
        assert translation.gettext("Choose a published clarification.") in response.text
    tip.refresh_from_db()
    assert tip.status == ReportStatus.NEW


def test_answering_several_tips_is_all_or_nothing(monkeypatch, tip_triager, django_capture_on_commit_callbacks):
    clarification = ClarificationFactory()
    tips = [TipFactory(with_contact=True) for _ in range(3)]
    record = lifecycle._record
    calls = []

    def fails_on_the_second(report, move, **fields):
        calls.append(report.pk)
        if len(calls) == 2:
            raise RuntimeError("database gone")
        return record(report, move, **fields)

    monkeypatch.setattr(lifecycle, "_record", fails_on_the_second)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        answers.answer_reports(
            reports=tips, clarification=clarification, user=tip_triager, site_url="https://piyao.example/"
        )
    assert set(Tip.objects.values_list("status", flat=True)) == {ReportStatus.NEW}
    assert mail.outbox == []


@pytest.mark.parametrize("kind", ["scheduled", "withdrawn", "draft"])
def test_a_clarification_the_public_cannot_see_yet_never_answers_a_tip(kind, django_capture_on_commit_callbacks):
    # A scheduled clarification is "published" in status, but its page is still a 404: the e-mail
    # would send the citizen to a page that does not exist.
    hidden = ClarificationFactory(**{kind: True})
    tip = TipFactory(with_contact=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(lifecycle.MoveRefused):
        lifecycle.apply(tip, "answer", system=True, clarification=hidden, site_url="https://piyao.example/")
    tip.refresh_from_db()
    assert tip.status == ReportStatus.NEW
    assert mail.outbox == []


def test_mark_duplicate_links_a_tip_to_the_first_report_of_its_group(client, triager):
    rumor = RumorFactory()
    first = TipFactory(rumor=rumor)
    later = TipFactory(rumor=rumor)
    act(client, "mark_duplicate", [first, later])
    first.refresh_from_db()
    later.refresh_from_db()
    assert later.status == ReportStatus.DUPLICATE
    assert later.duplicate_of == first
    assert first.status == ReportStatus.NEW


def test_mark_not_actionable_closes_the_tip(client, triager):
    tip = TipFactory()
    act(client, "close", [tip])
    tip.refresh_from_db()
    assert tip.status == ReportStatus.NOT_ACTIONABLE
    assert tip.closed_at is not None


def draft_url(report):
    return reverse("admin:tips_rumor_start_draft", args=[report.rumor_id]) + f"?report={report.pk}&kind={report.kind}"


def draft_data(form, **changes):
    data = {name: value if value is not None else "" for name, value in form.initial.items()}
    return {**data, **changes}


def test_starting_a_draft_opens_a_prefilled_form_and_saves_only_when_sent(client, triager):
    triager.user_permissions.add(Permission.objects.get(codename="add_clarification"))
    triager.user_permissions.add(Permission.objects.get(codename="change_clarification"))
    tip = TipFactory(text="网传明天全市停水三天", platform="weibo", seen_on="2025-03-01")
    page = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert draft_url(tip).replace("&", "&amp;") in page.text
    form_page = client.get(draft_url(tip))
    assert form_page.status_code == 200
    assert "网传明天全市停水三天" in form_page.text
    assert Clarification.objects.count() == 0  # a form, nothing saved yet
    form = form_page.context["form"]
    assert form.initial["claim"] == "网传明天全市停水三天"
    assert not form.initial.get("title")
    refused = client.post(draft_url(tip), draft_data(form))
    assert refused.status_code == 200
    assert Clarification.objects.count() == 0
    response = client.post(draft_url(tip), draft_data(form, title="全市停水三天？不实"))
    draft = Clarification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:clarifications_clarification_change", args=[draft.pk])
    assert draft.status == Status.DRAFT
    assert draft.title == "全市停水三天？不实"
    assert draft.claim == "网传明天全市停水三天"
    assert draft.claim_platform == "weibo"
    assert str(draft.claim_seen_on) == "2025-03-01"
    assert draft.author == triager
    tip.refresh_from_db()
    assert tip.status == ReportStatus.REVIEWING
    assert tip.rumor.clarification == draft


def test_starting_a_draft_needs_the_permission_to_add_clarifications(client, triager):
    tip = TipFactory()
    assert client.get(draft_url(tip)).status_code == 403
    assert client.post(draft_url(tip), {"title": "x", "claim": "y"}).status_code == 403
    response = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert "Start a draft clarification" not in response.text
    assert Clarification.objects.count() == 0


def test_a_view_only_user_cannot_use_the_actions(client):
    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_tip"))
    client.force_login(viewer)
    tip = TipFactory()
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert 'value="close"' not in response.text
    act(client, "close", [tip])
    tip.refresh_from_db()
    assert tip.status == ReportStatus.NEW
    assert client.get(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}").status_code == 403


def test_staff_can_split_and_group_tips(client, triager):
    rumor = RumorFactory()
    a, _b, c = TipFactory.create_batch(3, rumor=rumor)
    act(client, "split_off", [c])
    c.refresh_from_db()
    assert c.rumor_id != rumor.pk
    assert c.rumor.confirmed
    act(client, "group_together", [a, c])
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.rumor_id == c.rumor_id == rumor.pk
    assert Rumor.objects.count() == 1


def test_staff_can_merge_and_confirm_groups(client, triager):
    big, small = RumorFactory(), RumorFactory()
    TipFactory.create_batch(2, rumor=big)
    lone = TipFactory(rumor=small)
    response = client.post(
        "/admin/tips/rumor/", {"action": "merge", "_selected_action": [big.pk, small.pk]}, follow=True
    )
    assert response.status_code == 200
    lone.refresh_from_db()
    assert lone.rumor_id == big.pk
    assert not Rumor.objects.filter(pk=small.pk).exists()
    big.refresh_from_db()
    assert big.confirmed


def test_the_rumor_queue_lists_the_most_reported_first(client, triager):
    TipFactory(rumor=RumorFactory(label="只有一条"))
    popular = RumorFactory(label="很多条")
    TipFactory.create_batch(3, rumor=popular)
    response = client.get("/admin/tips/rumor/")
    assert response.status_code == 200
    assert response.text.index("很多条") < response.text.index("只有一条")


def test_choosing_a_status_shows_those_tips_even_when_closed(client, triager):
    answered = TipFactory(status=ReportStatus.ANSWERED, clarification=ClarificationFactory())
    response = client.get(CHANGELIST, {"status__exact": "answered"})
    assert [tip.code for tip in response.context["cl"].result_list] == [answered.code]


def test_deleting_a_tip_removes_its_screenshot_file(admin_client, private_root, django_capture_on_commit_callbacks):
    admin_client.post("/tips/new/", {"text": "截图里的传言内容", "platform": "weibo", "screenshot": upload()})
    tip = Tip.objects.get()
    assert (private_root / tip.screenshot.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:tips_tip_delete", args=[tip.pk]), {"post": "yes"})
    assert not Tip.objects.exists()
    assert not (private_root / tip.screenshot.name).exists()


@pytest.mark.parametrize(
    "lookup",
    [
        "contact_email__startswith=c",
        "contact_email__regex=^c",
        "contact_email=citizen@example.com",
        "contact_consent__exact=1",
        "client_hash__startswith=c",
        "duplicate_of__contact_email__startswith=c",
    ],
)
def test_a_triager_without_the_contact_permission_cannot_filter_tips_by_personal_data(client, triager, lookup):
    TipFactory(with_contact=True, client_hash="c" * 64)
    response = client.get(f"{CHANGELIST}?{lookup}")
    assert response.status_code == 400
    assert "citizen@example.com" not in response.text


def test_a_triager_without_the_contact_permission_cannot_filter_rumor_groups_by_personal_data(client, triager):
    TipFactory(with_contact=True, rumor=RumorFactory())
    assert client.get("/admin/tips/rumor/?tips__contact_email__startswith=c").status_code == 400


def test_a_triager_with_the_contact_permission_may_filter_by_contact_email(client, contact_triager):
    tip = TipFactory(with_contact=True)
    other = TipFactory()
    response = client.get(f"{CHANGELIST}?queue=all&contact_email__startswith=citizen")
    assert response.status_code == 200
    codes = [row.code for row in response.context["cl"].result_list]
    assert codes == [tip.code]
    assert other.code not in codes


def test_a_clarification_published_after_start_up_is_offered_and_answers(client, triager):
    # Published a moment ago, long after the server (and its forms) started.
    clarification = ClarificationFactory(claim="明天起全市停水三天", published_at=timezone.now())
    tip = TipFactory(text="明天起全市停水三天")
    page = client.get(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}")
    assert f'value="{clarification.pk}"' in page.text
    client.post(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}", {"clarification": clarification.pk})
    tip.refresh_from_db()
    assert tip.status == ReportStatus.ANSWERED
    assert tip.clarification == clarification


def test_the_answer_choices_come_best_match_first_not_newest_first(client, triager):
    best = ClarificationFactory(
        title="全市停水三天的消息不实",
        claim="明天起全市停水三天，请储水",
        truth="供水正常。",
        published_at=timezone.now() - timedelta(days=30),
    )
    weaker = ClarificationFactory(
        title="东区水管检修的说明",
        claim="东区水管检修，明天停水",
        truth="检修不影响供水。",
        published_at=timezone.now() - timedelta(hours=1),
    )
    tip = TipFactory(text="明天起全市停水三天，请储水")
    page = client.get(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}").text
    assert best.title in page
    assert weaker.title in page
    assert page.index(best.title) < page.index(weaker.title)
