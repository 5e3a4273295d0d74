"""Online inspection: staff record sightings, which join the tips' rumor groups and triage queue."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from clarifications.models import Clarification, Status
from tips.casework import purge, rumors
from tips.intake import reading
from tips.intake.receive import tip_submit
from tips.models import ReportStatus, Rumor, ScreenshotReading, Sighting

from .factories import ClarificationFactory, RumorFactory, SightingFactory, TipFactory, UserFactory
from .tips_images import image_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "inspection_groups")]

WATER = "紧急通知！明天起全市停水三天，请大家转发给家人。"


@pytest.fixture
def inspection_groups(staff_groups):
    """The groups as the sightings migration leaves them (run again when a flush removed them)."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    if not Group.objects.filter(name="Online inspection").exists():
        graph = MigrationLoader(None, ignore_no_migrations=True).graph
        migration = graph.nodes[("tips", "0002_sightings_and_wechat_messages")]
        migration.operations[-1].code(apps, None)


@pytest.fixture
def inspector(client):
    user = UserFactory(username="inspector")
    user.groups.add(Group.objects.get(name="Online inspection"))
    client.force_login(user)
    return user


def record(client, **fields):
    now = timezone.localtime()
    data = {
        "platform": "wechat_group",
        "link": "",
        "text": WATER,
        "seen_at_0": now.strftime("%Y-%m-%d"),
        "seen_at_1": (now - timedelta(minutes=5)).strftime("%H:%M:%S"),
        "reach": "3",
        "reach_details": "群成员 487",
        "staff_notes": "",
        "_save": "Save",
        **fields,
    }
    return client.post(reverse("admin:tips_sighting_add"), data)


def codenames(name):
    return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))


def test_the_inspection_role_records_sightings_and_sees_groups_but_no_contact_data():
    inspection = codenames("Online inspection")
    assert inspection == {"add_sighting", "change_sighting", "view_sighting", "view_rumor", "view_tip"}
    assert {"view_sighting", "change_sighting"} <= codenames("Tip triage")
    assert "add_sighting" not in codenames("Tip triage")


def test_an_inspector_records_a_sighting_with_a_screenshot_stored_privately(client, inspector, private_root):
    response = record(client, screenshot=upload(content=image_bytes("JPEG", gps=True), name="patrol.jpg"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    sighting = Sighting.objects.get()
    assert sighting.recorded_by == inspector
    assert sighting.reach == 3
    assert sighting.reach_details == "群成员 487"
    assert sighting.status == ReportStatus.NEW
    assert sighting.rumor is not None
    stored = private_root / sighting.screenshot.name
    assert sighting.screenshot.name.startswith("sightings/")
    with Image.open(stored) as image:
        assert not image.getexif()
    # Staff see it through the admin only.
    assert client.get(reverse("admin:tips_sighting_screenshot", args=[sighting.pk])).status_code == 200
    client.logout()
    assert client.get(reverse("admin:tips_sighting_screenshot", args=[sighting.pk])).status_code == 302


def test_a_sighting_without_text_or_screenshot_is_refused_and_nothing_is_stored(client, inspector):
    response = record(client, text="  ")
    assert response.status_code == 200
    assert "Give the text of the message, or a screenshot of it, or both." in response.text
    assert Sighting.objects.count() == 0


def test_a_screenshot_that_is_not_a_picture_is_refused(client, inspector):
    response = record(client, screenshot=upload(name="x.png", content=b"not a picture at all"))
    assert "This file is not a picture we can read." in response.text
    assert Sighting.objects.count() == 0


def test_a_sighting_in_the_future_is_refused(client, inspector):
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = record(client, seen_at_0=tomorrow.strftime("%Y-%m-%d"))
    assert "This time is in the future." in response.text
    assert Sighting.objects.count() == 0


def test_a_sighting_joins_the_group_of_tips_about_the_same_rumor_and_later_tips_join_it(client, inspector):
    tip = tip_submit(text="明天起全市停水三天，请大家转发给家人！！", platform="weibo")
    record(client)
    sighting = Sighting.objects.get()
    assert sighting.rumor_id == tip.rumor_id
    other = SightingFactory(text="地铁二号线下周停运一周", rumor=RumorFactory())
    later = tip_submit(text="网传地铁二号线下周停运一周，是真的吗", platform="wechat_group")
    assert later.rumor_id == other.rumor_id
    unrelated = tip_submit(text="公园下月闭园整修", platform="douyin")
    assert unrelated.rumor_id not in (tip.rumor_id, other.rumor_id)


def test_the_tip_queue_counts_open_sightings_with_open_tips(client, triager):
    lonely = TipFactory(text="网传公园闭园", rumor=RumorFactory(label="公园"))
    lonely_twin = TipFactory(text="网传公园闭园", rumor=lonely.rumor)
    found_on_patrol = RumorFactory(label="停水")
    patrolled = TipFactory(text=WATER, rumor=found_on_patrol)
    SightingFactory.create_batch(2, rumor=found_on_patrol)
    SightingFactory(rumor=found_on_patrol, status=ReportStatus.NOT_ACTIONABLE)
    response = client.get(reverse("admin:tips_tip_changelist"))
    codes = [tip.code for tip in response.context["cl"].result_list]
    assert codes[0] == patrolled.code
    assert set(codes[1:]) == {lonely.code, lonely_twin.code}
    assert "(3 / 4)" in response.text  # open / all reports of the group, both channels


def test_the_group_page_and_list_show_both_channels(client, triager):
    rumor = RumorFactory(label="停水")
    tip = TipFactory(rumor=rumor)
    TipFactory(rumor=rumor, status=ReportStatus.NOT_ACTIONABLE)
    sighting = SightingFactory(rumor=rumor, text="截图：全市停水三天")
    page = client.get(reverse("admin:tips_rumor_change", args=[rumor.pk])).text
    assert tip.code in page
    assert "截图：全市停水三天" in page
    assert reverse("admin:tips_sighting_change", args=[sighting.pk]) in page
    listing = client.get(reverse("admin:tips_rumor_changelist"))
    row = listing.context["cl"].result_list[0]
    # Its reports of both channels (its heat counts them all), and how many are still open.
    assert (row.reports, row.open_reports) == (3, 2)
    assert "open reports" in listing.text.lower()


def test_the_sighting_list_keeps_its_query_count_flat(client, triager, django_assert_max_num_queries):
    for index in range(30):
        SightingFactory(text=f"传言{index}：明天停水", recorded_by=triager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:tips_sighting_changelist"))
    assert len(response.context["cl"].result_list) == 30


def test_the_admin_index_counts_new_sightings_for_those_who_may_see_them(client, inspector):
    SightingFactory.create_batch(2)
    SightingFactory(status=ReportStatus.REVIEWING)
    entries = {str(entry.label): entry.count for entry in client.get(reverse("admin:index")).context["entries"]}
    assert entries["new sightings (online inspection)"] == 2
    client.force_login(UserFactory(username="nobody"))
    entries = {str(entry.label): entry.count for entry in client.get(reverse("admin:index")).context["entries"]}
    assert "new sightings (online inspection)" not in entries


def test_a_sighting_starts_a_draft_like_a_tip(client, inspector):
    inspector.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_clarification", "change_clarification"])
    )
    seen = timezone.now() - timedelta(days=2)
    sighting = SightingFactory(text="网传明天全市停水三天", platform="weibo", seen_at=seen)
    url = reverse("admin:tips_rumor_start_draft", args=[sighting.rumor_id]) + f"?report={sighting.pk}&kind=sighting"
    form = client.get(url).context["form"]
    data = {name: value or "" for name, value in form.initial.items()}
    response = client.post(url, {**data, "title": "全市停水三天？不实"})
    draft = Clarification.objects.get()
    assert response["Location"] == reverse("admin:clarifications_clarification_change", args=[draft.pk])
    assert (draft.status, draft.claim, draft.claim_platform) == (Status.DRAFT, "网传明天全市停水三天", "weibo")
    assert draft.claim_seen_on == timezone.localdate(seen)
    assert draft.author == inspector
    sighting.refresh_from_db()
    assert sighting.status == ReportStatus.REVIEWING


def test_starting_a_draft_from_a_sighting_needs_the_permission_to_add_clarifications(client, inspector):
    sighting = SightingFactory()
    url = reverse("admin:tips_rumor_start_draft", args=[sighting.rumor_id]) + f"?report={sighting.pk}&kind=sighting"
    assert client.post(url, {"title": "x", "claim": "y"}).status_code == 403
    assert (
        "Start a draft clarification" not in client.get(reverse("admin:tips_sighting_change", args=[sighting.pk])).text
    )
    assert Clarification.objects.count() == 0


def test_sightings_are_answered_with_a_published_clarification(client, triager):
    clarification = ClarificationFactory(title="停水传言不实", claim="明天起全市停水三天")
    sighting = SightingFactory(text=WATER)
    page = client.get(reverse("admin:tips_sighting_answer") + f"?ids={sighting.pk}")
    assert "停水传言不实" in page.text
    client.post(reverse("admin:tips_sighting_answer") + f"?ids={sighting.pk}", {"clarification": clarification.pk})
    sighting.refresh_from_db()
    assert (sighting.status, sighting.clarification) == (ReportStatus.ANSWERED, clarification)
    assert sighting.closed_at is not None


def test_what_was_found_stays_as_recorded_but_the_reach_may_change(client, inspector):
    sighting = SightingFactory(text=WATER, reach=1)
    url = reverse("admin:tips_sighting_change", args=[sighting.pk])
    client.post(
        url, {"text": "改过的内容", "reach": "4", "reach_details": "转发 3000+", "staff_notes": "", "rumor": ""}
    )
    sighting.refresh_from_db()
    assert (sighting.text, sighting.reach, sighting.reach_details) == (WATER, 4, "转发 3000+")


def test_merging_groups_moves_sightings_and_a_group_of_sightings_only_survives_a_split():
    first, second = RumorFactory(), RumorFactory()
    tip = TipFactory(rumor=first)
    sighting = SightingFactory(rumor=second)
    target = rumors.merge(rumors=[first, second], user=None)
    sighting.refresh_from_db()
    assert sighting.rumor == target
    rumors.split(reports=[tip], user=None)
    sighting.refresh_from_db()
    assert sighting.rumor == target
    assert Rumor.objects.filter(pk=target.pk).exists()


def test_staff_may_type_what_a_screenshot_says_while_nothing_was_read_from_it(client, inspector):
    record(client, text="", screenshot=upload())
    sighting = Sighting.objects.get()
    url = reverse("admin:tips_sighting_change", args=[sighting.pk])
    assert 'name="text"' in client.get(url).text
    fields = {
        "text": "网传明天全市停水三天",
        "reach": "3",
        "reach_details": "",
        "staff_notes": "",
        "rumor": sighting.rumor_id,
    }
    assert client.post(url, fields).status_code == 302
    sighting.refresh_from_db()
    assert sighting.text == "网传明天全市停水三天"
    # Once it has words, they are evidence, kept as recorded.
    assert 'name="text"' not in client.get(url).text


def test_text_read_from_the_screenshot_regroups_an_unconfirmed_sighting():
    tip = tip_submit(text=WATER, platform="wechat_group")
    sighting = SightingFactory(text="", screenshot="sightings/2026/12/x.png", rumor=RumorFactory(label="截图"))
    alone = sighting.rumor_id
    reading.record_reading(
        report=sighting, reading=ScreenshotReading.READ, text="明天起全市停水三天，请大家转发给家人", fingerprint=""
    )
    sighting.refresh_from_db()
    assert sighting.rumor_id == tip.rumor_id
    assert sighting.screenshot_text.startswith("明天起")
    assert not Rumor.objects.filter(pk=alone).exists()


def test_a_tip_read_later_stays_in_the_group_it_shares_with_a_sighting():
    water = tip_submit(text=WATER, platform="wechat_group")
    tip = tip_submit(text="见图", platform="wechat_group")
    sighting = SightingFactory(text="", screenshot="sightings/2026/12/y.png", rumor=tip.rumor)
    shared = tip.rumor_id
    reading.record_reading(
        report=tip, reading=ScreenshotReading.READ, text="明天起全市停水三天，请大家转发给家人", fingerprint=""
    )
    tip.refresh_from_db()
    sighting.refresh_from_db()
    assert tip.rumor_id == sighting.rumor_id == shared != water.rumor_id


def test_recording_a_screenshot_asks_for_its_text_once_committed(client, inspector, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record(client, text="", screenshot=upload())
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record(client)
    assert callbacks == []


def test_orphan_clean_up_keeps_the_screenshots_of_sightings(client, inspector, private_root):
    record(client, screenshot=upload())
    sighting = Sighting.objects.get()
    orphan = private_root / "sightings" / "2020" / "01" / "left.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(image_bytes())
    removed = purge.remove_orphan_screenshots(older_than=timedelta(seconds=-60))
    assert removed == 1
    assert (private_root / sighting.screenshot.name).exists()
    assert not orphan.exists()


def test_a_sighting_with_an_unread_screenshot_only_starts_a_draft_whose_claim_staff_type(client, inspector):
    inspector.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_clarification", "change_clarification"])
    )
    sighting = SightingFactory(text="", screenshot="sightings/2026/12/x.png")
    url = reverse("admin:tips_rumor_start_draft", args=[sighting.rumor_id]) + f"?report={sighting.pk}&kind=sighting"
    response = client.get(url)
    # The form opens with the claim left for staff to type from the screenshot; nothing is saved.
    assert response.status_code == 200
    assert response.context["form"].initial["claim"] == ""
    assert Clarification.objects.count() == 0
