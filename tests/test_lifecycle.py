"""One lifecycle for every report, whatever its channel: each move of the table, allowed and refused,
on web tips, WeChat tips and sightings, with what the citizen's status page says afterwards.

The table below is written out here, from the issue's rules, rather than read from the code: a move
the code allows that this table does not (or the other way round) fails a test.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tips.casework import answers, lifecycle, rumors
from tips.casework.lifecycle import MOVES, MoveRefused
from tips.models import ReportStatus, Rumor, Sighting, Tip, TipChannel

from .factories import ClarificationFactory, RumorFactory, SightingFactory, TipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("staff_groups", "english")]

STATUSES = [status.value for status in ReportStatus]
OPEN = {"new", "reviewing"}
CLOSED = {"answered", "not_actionable", "duplicate"}
# move -> (the statuses it may start from, the status it leads to, the kinds it applies to)
TABLE = {
    "review": ({"new"}, "reviewing", {"tip", "sighting"}),
    "answer": (OPEN, "answered", {"tip", "sighting"}),
    "close": (OPEN, "not_actionable", {"tip", "sighting"}),
    "mark_duplicate": (OPEN, "duplicate", {"tip"}),
    "reopen": (CLOSED, "reviewing", {"tip", "sighting"}),
}
KINDS = ["web tip", "wechat tip", "sighting"]


def test_the_code_has_exactly_the_table_of_moves():
    assert {name: (set(move.sources), move.target, set(move.kinds)) for name, move in MOVES.items()} == TABLE


def make_report(kind, status, *, rumor=None):
    """A report of ``kind`` already in ``status``, as the site would have left it."""
    rumor = rumor or RumorFactory()
    fields = {"status": status, "rumor": rumor}
    if status in CLOSED:
        fields["closed_at"] = timezone.now()
    if status == "answered":
        fields["clarification"] = ClarificationFactory(title=f"答复{status}")
    if kind == "sighting":
        return SightingFactory(**fields)
    if status == "duplicate":
        fields["duplicate_of"] = TipFactory(rumor=rumor)
    channel = TipChannel.WECHAT if kind == "wechat tip" else TipChannel.WEB
    return TipFactory(channel=channel, with_contact=True, **fields)


@pytest.fixture
def reopener(tip_triager):
    return tip_triager


def arguments(name, report):
    if name == "answer":
        return {"clarification": ClarificationFactory(title="已公开的答复"), "site_url": "https://piyao.example/"}
    if name == "mark_duplicate":
        return {"original": TipFactory(rumor=report.rumor)}
    if name == "reopen":
        return {"reason": "答复的是另一条传言"}
    return {}


# Every kind, status and move; a sighting is never a duplicate (no move leads there).
CASES = [
    (kind, status, name)
    for kind in KINDS
    for status in STATUSES
    for name in TABLE
    if not (kind == "sighting" and status == "duplicate")
]


@pytest.mark.parametrize(("kind", "status", "name"), CASES)
def test_every_move_from_every_status_is_made_or_refused_as_the_table_says(
    client, tip_triager, django_capture_on_commit_callbacks, kind, status, name
):
    sources, target, kinds = TABLE[name]
    report = make_report(kind, status)
    answer_before = report.clarification
    allowed = status in sources and report.kind in kinds
    with django_capture_on_commit_callbacks(execute=True):
        if allowed:
            lifecycle.apply(report, name, user=tip_triager, **arguments(name, report))
        else:
            with pytest.raises(MoveRefused) as refusal:
                lifecycle.apply(report, name, user=tip_triager, **arguments(name, report))
            assert refusal.value.message  # a message, not a bare refusal
    report.refresh_from_db()
    assert report.status == (target if allowed else status)
    if not isinstance(report, Tip):
        return
    # What the citizen sees on the status page afterwards.
    page = client.get(report.get_absolute_url()).text
    if report.status == "answered":
        assert report.clarification.title in page
    if not allowed and answer_before is not None:
        # A refused move never takes an answer away.
        assert report.clarification == answer_before
        assert answer_before.title in page
    if allowed and name == "reopen":
        assert report.clarification is None
        assert report.closed_at is None
    if allowed and name == "answer" and report.contact_consent:
        assert len(mail.outbox) == 1
        assert f"/clarifications/{report.clarification.pk}/" in mail.outbox[0].body


def test_an_answered_tip_cannot_be_closed_or_marked_duplicate_from_the_list(client, triager):
    rumor = RumorFactory()
    first = TipFactory(rumor=rumor)
    answered = make_report("web tip", "answered", rumor=rumor)
    title = answered.clarification.title
    for action in ("close", "mark_duplicate"):
        response = client.post(
            reverse("admin:tips_tip_changelist") + "?queue=all",
            {"action": action, "_selected_action": [answered.pk]},
            follow=True,
        )
        assert "re-open it first" in response.text
    answered.refresh_from_db()
    assert answered.status == "answered"
    assert answered.clarification.title == title
    assert title in client.get(answered.get_absolute_url()).text
    first.refresh_from_db()
    assert first.status == "new"


def test_only_those_with_the_permission_may_move_reports_and_only_reopeners_may_reopen():
    inspector = UserFactory(username="patrol")
    inspector.user_permissions.add(*Permission.objects.filter(codename__in=["change_sighting", "view_sighting"]))
    sighting = make_report("sighting", "new")
    with pytest.raises(MoveRefused):
        lifecycle.apply(sighting, "close", user=inspector)
    triager = UserFactory(username="triage-only")
    triager.user_permissions.add(Permission.objects.get(codename="triage_report"))
    closed = make_report("web tip", "not_actionable")
    with pytest.raises(MoveRefused):
        lifecycle.apply(closed, "reopen", user=triager, reason="看错了")
    closed.refresh_from_db()
    assert closed.status == "not_actionable"
    assert Group.objects.get(name="Tip triage").permissions.filter(codename="reopen_report").exists()


def test_reopening_needs_a_reason_and_leaves_it_in_the_history_and_the_log(tip_triager, caplog):
    caplog.set_level("INFO", logger="tips.casework.lifecycle")
    tip = make_report("web tip", "answered")
    with pytest.raises(MoveRefused):
        lifecycle.apply(tip, "reopen", user=tip_triager, reason="  ")
    tip.refresh_from_db()
    assert tip.status == "answered"
    given = tip.clarification
    lifecycle.apply(tip, "reopen", user=tip_triager, reason="答复的是另一条传言")
    latest, before = tip.history.all()[:2]
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        "reviewing",
        tip_triager,
        "答复的是另一条传言",
    )
    assert before.clarification_id == given.pk  # the answer given stays in the history
    [line] = [record for record in caplog.records if getattr(record, "event", "") == "report.reopen"]
    assert line.fields["reference"] == tip.code
    assert line.fields["reason"] == "答复的是另一条传言"
    assert line.fields["by"] == tip_triager.username


def test_the_reopen_page_asks_for_a_reason_and_keeps_the_answer_until_given(client, triager):
    tip = make_report("web tip", "answered")
    url = reverse("admin:tips_tip_reopen") + f"?ids={tip.pk}"
    assert client.post(url, {"reason": ""}).status_code == 200
    tip.refresh_from_db()
    assert tip.status == "answered"
    client.post(url, {"reason": "答复的是另一条传言"})
    tip.refresh_from_db()
    assert tip.status == "reviewing"


def test_a_move_the_user_may_not_make_is_shown_disabled_with_its_reason(client, triager):
    tip = make_report("web tip", "answered")
    page = client.get(reverse("admin:tips_tip_change", args=[tip.pk])).text
    assert 'aria-disabled="true">Close as not actionable' in page
    assert "re-open it first" in page
    assert reverse("admin:tips_tip_reopen") + f"?ids={tip.pk}" in page


# --- The rumor group is the unit of work ------------------------------------------------------------


def group_of_five():
    """Three web tips (one with e-mail consent), a sighting and a WeChat tip, about one rumor."""
    rumor = RumorFactory(label="全市停水三天")
    web = [TipFactory(rumor=rumor, text="群里说全市停水三天")]
    web += [TipFactory(rumor=rumor, text="停水三天是真的吗", with_contact=True)]
    web += [TipFactory(rumor=rumor, text="明天起停水")]
    sighting = SightingFactory(rumor=rumor)
    wechat = TipFactory(rumor=rumor, channel=TipChannel.WECHAT, text="明天起全市停水三天？")
    return rumor, [*web, sighting, wechat]


def test_answering_the_rumor_answers_every_open_report_of_every_channel_at_once(
    client, triager, django_capture_on_commit_callbacks
):
    rumor, reports = group_of_five()
    clarification = ClarificationFactory(title="“全市停水三天”系谣言")
    page = client.get(reverse("admin:tips_rumor_change", args=[rumor.pk])).text
    assert "not clarified" in page
    assert reverse("admin:tips_rumor_answer", args=[rumor.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:tips_rumor_answer", args=[rumor.pk]), {"clarification": clarification.pk})
    for report in reports:
        report.refresh_from_db()
        assert (report.status, report.clarification) == ("answered", clarification)
    assert len(mail.outbox) == 1  # the one citizen who agreed to be written to
    rumor.refresh_from_db()
    assert (rumor.clarification, rumor.open_reports, rumor.reports) == (clarification, 0, 5)
    page = client.get(reverse("admin:tips_rumor_change", args=[rumor.pk])).text
    assert "clarified" in page
    assert clarification.title in page
    queue = client.get(reverse("admin:tips_rumor_changelist"), {"trend": "all"}).text
    assert clarification.title in queue
    for tip in (reports[0], reports[4]):
        assert clarification.title in client.get(tip.get_absolute_url()).text


def test_a_failure_half_way_through_answering_a_rumor_leaves_no_report_answered(
    monkeypatch, tip_triager, django_capture_on_commit_callbacks
):
    rumor, _reports = group_of_five()
    clarification = ClarificationFactory()
    record, calls = lifecycle._record, []

    def fails_on_the_fourth(report, move, **fields):
        calls.append(report)
        if len(calls) == 4:
            raise RuntimeError("database gone")
        return record(report, move, **fields)

    monkeypatch.setattr(lifecycle, "_record", fails_on_the_fourth)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        answers.answer_rumor(rumor=rumor, clarification=clarification, user=tip_triager, site_url="https://x.example/")
    assert set(Tip.objects.values_list("status", flat=True)) | set(
        Sighting.objects.values_list("status", flat=True)
    ) == {"new"}
    rumor.refresh_from_db()
    assert rumor.clarification is None
    assert mail.outbox == []


def test_a_rumor_is_answered_only_with_a_public_clarification(tip_triager):
    rumor, _reports = group_of_five()
    for hidden in (ClarificationFactory(draft=True), ClarificationFactory(scheduled=True)):
        with pytest.raises(MoveRefused):
            answers.answer_rumor(rumor=rumor, clarification=hidden, user=tip_triager, site_url="")
    assert not Tip.objects.filter(status="answered").exists()


def test_a_late_tip_joining_an_answered_group_is_answered_at_once_and_can_be_detached(
    client, triager, django_capture_on_commit_callbacks
):
    from tips.intake.receive import tip_submit

    rumor, _reports = group_of_five()
    clarification = ClarificationFactory(title="“全市停水三天”系谣言")
    answers.answer_rumor(rumor=rumor, clarification=clarification, user=triager, site_url="")
    with django_capture_on_commit_callbacks(execute=True):
        late = tip_submit(
            text="群里说全市停水三天", platform="wechat_group", contact_email="late@example.com", contact_consent=True
        )
    assert late.rumor_id == rumor.pk
    late.refresh_from_db()
    assert (late.status, late.clarification) == ("answered", clarification)
    assert clarification.title in client.get(late.get_absolute_url()).text
    assert [message.to for message in mail.outbox] == [["late@example.com"]]
    assert late.history.first().history_change_reason == "It joined a rumor group already answered"

    # Staff find it was about something else: detached, it is re-opened in a group of its own.
    url = reverse("admin:tips_tip_detach", args=[late.pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    client.post(url, {"reason": "说的是另一个区的停水"})
    late.refresh_from_db()
    assert late.rumor_id != rumor.pk
    assert late.status == "reviewing"
    assert late.clarification is None
    assert "说的是另一个区的停水" in late.history.first().history_change_reason
    rumor.refresh_from_db()
    assert rumor.reports == 5


def test_a_late_wechat_message_about_an_answered_rumor_is_answered_in_the_reply(client, settings):
    from .wechat_simulator import ACCOUNT, TOKEN, WeChat

    settings.WECHAT_TOKEN, settings.WECHAT_ACCOUNT_ID = TOKEN, ACCOUNT
    rumor, _reports = group_of_five()
    # Answered with a clarification whose own words differ: the match is through the group, not the search.
    clarification = ClarificationFactory(title="供水正常", claim="某区管网检修", truth="全市供水正常。")
    answers.answer_rumor(rumor=rumor, clarification=clarification, user=UserFactory(is_superuser=True), site_url="")
    reply = WeChat(client).text("明天起全市停水三天？群里都在传")
    tip = Tip.objects.get(channel=TipChannel.WECHAT, rumor=rumor, text__startswith="明天起全市停水三天？群")
    assert tip.status == "answered"
    assert tip.code in reply.text
    assert clarification.get_absolute_url() in reply.text


def test_merging_and_splitting_groups_keep_their_history(tip_triager):
    first, second = RumorFactory(label="甲"), RumorFactory(label="乙")
    tips = TipFactory.create_batch(2, rumor=first)
    lone = TipFactory(rumor=second)
    target = rumors.merge(rumors=[first, second], user=tip_triager)
    assert target == first
    assert not Rumor.objects.filter(pk=second.pk).exists()
    moved = lone.history.first()
    assert (moved.rumor_id, moved.history_user) == (first.pk, tip_triager)
    assert f"Merged groups {second.pk} into group {first.pk}" == moved.history_change_reason
    gone = Rumor.history.filter(id=second.pk).first()
    assert gone.history_type == "-"
    assert gone.history_user == tip_triager
    new = rumors.split(reports=[tips[0]], user=tip_triager)
    assert tips[0].history.first().rumor_id == new.pk
    first.refresh_from_db()
    new.refresh_from_db()
    assert (first.reports, new.reports) == (2, 1)


def test_a_draft_started_for_a_group_becomes_its_clarification_in_the_queue(client, triager):
    triager.user_permissions.add(*Permission.objects.filter(codename__in=["add_clarification", "change_clarification"]))
    rumor, reports = group_of_five()
    url = reverse("admin:tips_rumor_start_draft", args=[rumor.pk])
    form = client.get(url).context["form"]
    data = {name: value or "" for name, value in form.initial.items()}
    client.post(url, {**data, "title": "全市停水三天？不实"})
    rumor.refresh_from_db()
    assert rumor.clarification.title == "全市停水三天？不实"
    queue = client.get(reverse("admin:tips_rumor_changelist"), {"clarified": "in_progress"})
    assert [row.pk for row in queue.context["cl"].result_list] == [rumor.pk]
    assert "draft in progress" in queue.text
    assert {report.__class__.objects.get(pk=report.pk).status for report in reports} == {"reviewing"}


def test_the_admin_index_counts_clarified_rumors_whose_reports_still_wait(client, triager):
    rumor, _reports = group_of_five()
    rumor.clarification = ClarificationFactory()
    rumor.save()
    entries = {str(entry.label): entry for entry in client.get(reverse("admin:index")).context["entries"]}
    waiting = entries["clarified rumors with reports waiting"]
    assert waiting.count == 1
    listed = client.get(waiting.url).context["cl"].result_list
    assert [row.pk for row in listed] == [rumor.pk]
    answers.answer_rumor(rumor=rumor, clarification=rumor.clarification, user=triager, site_url="")
    entries = {str(entry.label): entry for entry in client.get(reverse("admin:index")).context["entries"]}
    assert entries["clarified rumors with reports waiting"].count == 0


def test_a_long_reason_is_kept_whole_in_the_history(tip_triager):
    tip = make_report("web tip", "not_actionable")
    reason = "经与市水务局核实，" + "该举报所述情况与原分组的传言并不相同，" * 20
    lifecycle.apply(tip, "reopen", user=tip_triager, reason=reason)
    assert tip.history.first().history_change_reason == reason
