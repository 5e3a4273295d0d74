"""Screenshots are read (OCR) and fingerprinted by the task queue: a tip that only says "see the picture"
finds the clarification its screenshot quotes, copies of one picture join one rumor group, visitors can
check a screenshot instead of typing, and the site keeps working without the OCR engine."""

import io
import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from benchmarks import wechat_screens
from tips.intake import ocr
from tips.intake.checks import remove_read_check_pictures
from tips.intake.receive import tip_submit
from tips.models import ScreenshotCheck, ScreenshotReading, Sighting, Tip

from .factories import ClarificationFactory, UserFactory
from .queue_tasks import DATABASE_QUEUE, run_worker
from .servers import REPO
from .test_sightings import inspection_groups  # noqa: F401 (a fixture)
from .test_sightings import record as record_sighting
from .tips_images import upload
from .wechat_simulator import ACCOUNT, TOKEN, PictureServer, WeChat

SUBWAY = "紧急通知：明天起本市地铁全线停运三天，请大家提前做好出行准备，转发给身边的亲友！"
SUBWAY_CLAIM = "明天起本市地铁全线停运三天，请提前做好出行准备。"


def needs_ocr():
    """The OCR engine is a system package: a newcomer without it skips these tests, CI must have it."""
    engine = ocr.status()
    if not engine.available:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(engine.reason)
        pytest.skip(engine.reason)


def png(image):
    return upload("chat.png", wechat_screens.encoded(image), "image/png")


def jpeg(image, quality=60):
    return upload("chat.jpg", wechat_screens.encoded(image.convert("RGB"), "JPEG", quality=quality), "image/jpeg")


def tip_data(**fields):
    return {"text": "见图，这是真的吗？", "platform": "wechat_group", **fields}


@pytest.fixture
def subway():
    ClarificationFactory(title="网传全市停水三天不实")  # another rumor
    return ClarificationFactory(title="网传本市地铁全线停运三天不实", claim=SUBWAY_CLAIM)


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return admin_user


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_a_chinese_screenshot_is_read_by_the_queue_and_finds_the_clarification_it_quotes(
    client, staff, subway, database_queue
):
    needs_ocr()
    response = client.post(reverse("tips:new"), tip_data(screenshot=png(wechat_screens.chat(SUBWAY))))
    tip = Tip.objects.get()
    assert response.status_code == 302
    # Nothing was read in the request: the tip waits for the queue.
    assert (tip.screenshot_reading, tip.screenshot_text) == (ScreenshotReading.PENDING, "")
    assert DBTaskResult.objects.filter(task_path="tips.intake.tasks.read_tip_screenshot").count() == 1
    run_worker()
    tip.refresh_from_db()
    assert tip.screenshot_reading == ScreenshotReading.READ
    assert "地铁全线停运三天" in "".join(tip.screenshot_text.split())
    with translation.override("en"):
        page = client.get(reverse("admin:tips_tip_change", args=[tip.pk])).text
        answer = client.get(reverse("admin:tips_tip_answer") + f"?ids={tip.pk}").text
    # The triage page shows the text beside the picture, and the clarification it quotes as similar.
    assert "紧急通知: 明天起本市地铁" in page
    similar = page[page.lower().index("similar published clarifications") :]
    # First among them (the other rumor, sharing 全市 and 三天, may follow as "possibly related").
    assert subway.title in similar[similar.index("<li>") : similar.index("</li>")]
    # The answer step offers it.
    assert subway.title in answer
    # And the citizen's receipt suggests it.
    client.logout()
    receipt = client.get(tip.get_absolute_url()).text
    assert subway.title in receipt


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_the_same_picture_recompressed_joins_the_same_group_whatever_the_words(client, database_queue):
    original = wechat_screens.chat(SUBWAY, seed=3)
    client.post(reverse("tips:new"), tip_data(text="大家看看这个", screenshot=png(original)))
    run_worker()
    copy = wechat_screens.without_status_bar(wechat_screens.half(original))
    client.post(reverse("tips:new"), tip_data(text="这条消息靠谱吗", screenshot=jpeg(copy, 50)))
    other = wechat_screens.chat("下周一开始全市中小学放假两周，教育局刚发的通知。", seed=4)
    client.post(reverse("tips:new"), tip_data(text="朋友转发的，求证一下", screenshot=png(other)))
    run_worker()
    first, second, third = Tip.objects.order_by("submitted_at", "pk")
    assert second.screenshot_fingerprint
    assert first.screenshot_fingerprint
    assert second.rumor_id == first.rumor_id
    assert third.rumor_id != first.rumor_id


@pytest.mark.django_db
def test_without_the_ocr_engine_tips_are_accepted_and_staff_are_told(
    client, settings, tmp_path, admin_user, django_capture_on_commit_callbacks
):
    settings.OCR_TESSDATA = str(tmp_path / "no-model-here")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/tips/new/", tip_data(screenshot=png(wechat_screens.chat(SUBWAY))), follow=True)
    assert response.status_code == 200
    assert "Thank you: your report has been received." in response.text
    tip = Tip.objects.get()
    assert tip.screenshot_reading == ScreenshotReading.UNAVAILABLE
    assert tip.screenshot_fingerprint  # the picture is still compared with others
    client.force_login(admin_user)
    with translation.override("en"):
        changelist = client.get("/en/admin/tips/tip/").text
        change = client.get(f"/en/admin/tips/tip/{tip.pk}/change/").text
    assert "OCR is unavailable" in changelist
    assert "tesseract-ocr-chi-sim" in changelist
    assert "Not read: OCR is unavailable" in change
    client.logout()
    check_page = client.get("/en/check/").text
    assert "Reading screenshots is not available on this site at the moment" in check_page


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_a_visitor_checks_a_screenshot_and_sees_what_was_read_and_the_match(
    client, subway, database_queue, private_root
):
    needs_ocr()
    response = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY, dark=True))})
    check = ScreenshotCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/check/{check.pk}/")
    progress = client.get(response["Location"])
    assert 'http-equiv="refresh"' in progress.text
    assert client.get(response["Location"] + "?progress").json() == {"done": False}
    assert list((private_root / "checks").iterdir())
    run_worker()
    assert client.get(response["Location"] + "?progress").json() == {"done": True}
    result = client.get(response["Location"]).text
    assert "What we read in it" in result
    assert "明天起本市地铁" in result
    assert "This message matches the clarification below." in result
    assert subway.title in result
    assert "Your picture is deleted within an hour" in result
    # The picture stays an hour, for "report this rumor", and is then gone from the disk.
    assert list((private_root / "checks").iterdir())
    assert remove_read_check_pictures(older_than=timedelta(0)) == 1
    assert not list((private_root / "checks").iterdir())
    assert ScreenshotCheck.objects.get().image == ""


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_a_screenshot_that_matches_nothing_offers_to_report_it(client, database_queue):
    needs_ocr()
    picture = wechat_screens.chat("下周一开始全市中小学放假两周，教育局刚发的通知。")
    client.post("/en/check/", {"screenshot": png(picture)})
    run_worker()
    result = client.get(f"/en/check/{ScreenshotCheck.objects.get().pk}/").text
    assert "No clarification of this claim was found" in result
    assert "放假两周" in result[result.index('name="text"') :]


@pytest.mark.django_db
def test_a_long_queue_is_said_honestly_and_the_picture_is_not_kept(client, settings, private_root):
    settings.TASKS = DATABASE_QUEUE
    settings.SCREENSHOT_CHECK_MAX_WAITING = 1
    client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    assert ScreenshotCheck.objects.count() == 1
    response = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Too many screenshots waiting" in response.text
    assert ScreenshotCheck.objects.count() == 1
    assert len(list((private_root / "checks").iterdir())) == 1


@pytest.mark.django_db
def test_checks_are_rate_limited_and_bad_files_refused(client, settings):
    settings.SCREENSHOT_CHECK_RATE = "2/10m"
    refused = client.post("/en/check/", {"screenshot": upload("notes.png", b"not a picture")})
    assert refused.status_code == 200
    assert "This file is not a picture we can read." in refused.text
    assert client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))}).status_code == 302
    limited = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    assert limited.status_code == 429
    assert "Too many screenshots" in limited.text
    assert ScreenshotCheck.objects.count() == 1


@pytest.mark.django_db
def test_a_check_without_its_csrf_token_is_refused(settings):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    assert response.status_code == 403
    assert ScreenshotCheck.objects.count() == 0


def test_the_search_pages_offer_to_check_a_screenshot(client, db):
    assert reverse("tips:check") in client.get("/en/").text
    assert reverse("tips:check") in client.get("/en/clarifications/").text


@pytest.mark.django_db
def test_a_picture_bigger_than_allowed_is_refused_with_the_limit(client, settings):
    settings.TIPS_MAX_UPLOAD_BYTES = 1000
    buffer = io.BytesIO()
    wechat_screens.chat(SUBWAY).save(buffer, "PNG")
    response = client.post("/en/check/", {"screenshot": upload("big.png", buffer.getvalue())})
    assert "The screenshot is too large" in response.text
    assert ScreenshotCheck.objects.count() == 0
    # A body beyond what any form may carry is refused unread, in the same words.
    settings.MAX_REQUEST_BYTES = 2000
    response = client.post("/en/check/", {"screenshot": upload("big.png", buffer.getvalue())})
    assert response.status_code == 413
    assert "The screenshot is too large" in response.text
    # Only a picture too large: the notice about reading screenshots shows only when it is true.
    assert ("Reading screenshots is not available" in response.text) == (not ocr.status().available)


READ_OFFLINE = """
import django
django.setup()
from benchmarks import wechat_screens
from tips.intake import ocr
from tips.intake.checks import remove_read_check_pictures
print(ocr.read_text(wechat_screens.chat("明天起本市地铁全线停运三天", width=375, height=667)))
"""


@pytest.mark.subprocess
def test_the_engine_reads_with_no_network_at_all(tmp_path):
    """A new version of the engine that fetched models at run time would fail here (CI has unshare)."""
    needs_ocr()
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", READ_OFFLINE],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
    )
    if completed.returncode and "unshare" in completed.stderr:
        pytest.skip(f"no network namespace here: {completed.stderr.strip()}")
    assert completed.returncode == 0, completed.stderr
    assert "地铁" in completed.stdout


@pytest.mark.django_db
def test_the_daily_purge_removes_checks_older_than_a_day(private_root):
    from django.utils import timezone

    old, recent = ScreenshotCheck.objects.create(text="旧的"), ScreenshotCheck.objects.create(text="新的")
    ScreenshotCheck.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    output = io.StringIO()
    call_command("purge_tip_personal_data", stdout=output)
    assert "Removed 1 screenshot check(s) older than a day." in output.getvalue()
    assert list(ScreenshotCheck.objects.values_list("pk", flat=True)) == [recent.pk]


@pytest.mark.django_db
def test_a_check_nobody_read_in_minutes_stops_the_waiting_and_says_so(client):
    from django.utils import timezone

    check = ScreenshotCheck.objects.create(image="checks/lost.png")
    url = reverse("tips:check_result", args=[check.pk])
    assert "http-equiv" in client.get(url).text
    ScreenshotCheck.objects.filter(pk=check.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    assert client.get(url + "?progress").json() == {"done": True}
    with translation.override("en"):
        page = client.get("/en" + url).text
    assert "taking far longer than it should" in page
    assert "http-equiv" not in page
    assert "Your picture has been deleted" not in page


@pytest.mark.django_db
def test_a_check_read_again_by_a_retry_keeps_its_result():
    from tips.intake.tasks import read_screenshot_check

    check = ScreenshotCheck.objects.create(reading=ScreenshotReading.READ, text="明天起本市地铁全线停运三天")
    assert read_screenshot_check.call(check.pk) == "read already"
    check.refresh_from_db()
    assert (check.reading, check.text) == (ScreenshotReading.READ, "明天起本市地铁全线停运三天")


@pytest.mark.django_db
def test_the_result_page_lists_its_matches_in_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    for number in range(8):
        ClarificationFactory(title=f"网传地铁停运{number}不实", claim=SUBWAY_CLAIM)
    check = ScreenshotCheck.objects.create(reading="read", text=SUBWAY)
    with django_assert_max_num_queries(8):
        page = client.get(f"/en/check/{check.pk}/").text
    # Every match is shown, the first as the answer card (whose title is also in its share kit).
    assert page.count('class="answer-title"') + page.count('class="card-title"') == 8


@pytest.mark.django_db
def test_a_check_that_cannot_be_stored_says_so_and_leaves_nothing(client, monkeypatch):
    from tips.intake import views

    def full_disk(picture, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(views, "check_submit", full_disk)
    response = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    assert response.status_code == 503
    assert "A problem on our side kept us from reading your screenshot" in response.text
    assert ScreenshotCheck.objects.count() == 0


# --- The other channels' pictures go through the same queue ------------------------------------


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("inspection_groups")
def test_a_sighting_screenshot_is_read_by_the_queue_and_joins_the_citizens_group(client, database_queue):
    needs_ocr()
    tip = tip_submit(text=SUBWAY, platform="wechat_group")
    staff = UserFactory(username="inspector")
    staff.groups.add(Group.objects.get(name="Online inspection"))
    client.force_login(staff)
    response = record_sighting(client, text="", screenshot=png(wechat_screens.chat(SUBWAY)))
    assert response.status_code == 302
    sighting = Sighting.objects.get()
    assert sighting.screenshot_text == ""
    assert sighting.rumor_id != tip.rumor_id
    run_worker()
    sighting.refresh_from_db()
    assert "地铁全线停运三天" in "".join(sighting.screenshot_text.split())
    assert sighting.rumor_id == tip.rumor_id


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_a_picture_sent_to_the_official_account_is_fetched_and_read_by_the_queue(client, settings, database_queue):
    needs_ocr()
    settings.WECHAT_TOKEN, settings.WECHAT_ACCOUNT_ID = TOKEN, ACCOUNT
    settings.WECHAT_PICTURE_HOSTS = ["127.0.0.1"]
    picture = wechat_screens.encoded(wechat_screens.chat(SUBWAY))
    with PictureServer(picture) as server:
        reply = WeChat(client).image(server.url)
        tip = Tip.objects.get()
        assert tip.code in reply.text
        assert not tip.screenshot
        run_worker()  # fetches the picture, which queues its reading
        run_worker()
    tip.refresh_from_db()
    assert tip.screenshot
    assert tip.pending_picture_url == ""
    assert tip.screenshot_reading == ScreenshotReading.READ
    assert "地铁全线停运三天" in "".join(tip.screenshot_text.split())
