"""A picture nobody can read never stays "waiting to be read": absurd shapes are refused at upload, any
failure of a reading (the engine's error, its time, CPU or memory bound, the queue giving up) ends as
"could not be read", the status command says which, and a visitor's check has its picture deleted."""

import io
from pathlib import Path

import numpy
import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import translation
from PIL import Image

from benchmarks import wechat_screens
from tips.intake import ocr, tasks
from tips.intake.reading import read_picture
from tips.models import ScreenshotCheck, ScreenshotReading, Tip

from .factories import TipFactory
from .queue_tasks import run_worker
from .test_screenshots import SUBWAY, needs_ocr, png
from .tips_images import upload

pytestmark = pytest.mark.django_db


def png_bytes(image, **options):
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def random_dots(width=3000, height=3300, share=0.08, seed=1):
    """The picture that held a worker for 714 s: black dots on white, within every upload limit."""
    pixels = numpy.full((height, width), 255, numpy.uint8)
    pixels[numpy.random.default_rng(seed).random((height, width)) < share] = 0
    return Image.fromarray(pixels, "L")


# --- Refused at upload ---------------------------------------------------------------------------


def test_a_picture_of_an_absurd_shape_is_refused_at_upload_in_both_languages(client):
    poison = png_bytes(Image.new("1", (1, 19_000_000)), optimize=True)
    assert len(poison) < 100_000  # a few KB that claim 19 million pixels
    tip = {"text": "见图，这是真的吗？", "platform": "wechat_group"}
    english = client.post("/en/tips/new/", {**tip, "screenshot": upload("long.png", poison)})
    assert "This picture is 1 × 19000000 pixels: far too long and narrow for a screenshot." in english.text
    assert "at most 40 times as long as it is wide" in english.text
    chinese = client.post("/tips/new/", {**tip, "screenshot": upload("long.png", poison)})
    assert "这张图片为 1 × 19000000 像素" in chinese.text
    check = client.post("/en/check/", {"screenshot": upload("long.png", poison)})
    assert "far too long and narrow for a screenshot" in check.text
    assert not Tip.objects.exists()
    assert not ScreenshotCheck.objects.exists()
    # A long scroll capture is a screenshot like any other.
    long_capture = png_bytes(Image.new("L", (720, 20_000), 255), optimize=True)
    assert client.post("/en/check/", {"screenshot": upload("scroll.png", long_capture)}).status_code == 302


# --- Any failure of a reading is "could not be read" ---------------------------------------------


@pytest.fixture
def engine_error(monkeypatch):
    """The engine fails as tesserocr did on the 1 x 9,500,000 picture it was given."""

    def fail(image):
        raise RuntimeError("Error reading image")

    monkeypatch.setattr(ocr, "read_text", fail)


def stored_tip(private_root, picture_bytes):
    folder = Path(private_root) / "tips"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "poison.png").write_bytes(picture_bytes)
    return TipFactory(screenshot="tips/poison.png", screenshot_reading=ScreenshotReading.PENDING)


@pytest.mark.django_db(transaction=True)  # the worker closes a connection left in a transaction
def test_an_engine_error_ends_a_tips_reading_as_could_not_be_read_at_once(
    private_root, engine_error, database_queue, settings
):
    tip = stored_tip(private_root, png_bytes(wechat_screens.chat(SUBWAY)))
    tasks.read_tip_screenshot.enqueue(tip.pk)
    run_worker()
    tip.refresh_from_db()
    assert tip.screenshot_reading == ScreenshotReading.FAILED
    assert tip.screenshot_fingerprint  # still compared with other pictures


@pytest.mark.django_db(transaction=True)  # the worker closes a connection left in a transaction
def test_an_engine_error_ends_a_check_as_could_not_be_read_and_deletes_its_picture(
    client, private_root, engine_error, database_queue
):
    response = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    run_worker()
    check = ScreenshotCheck.objects.get()
    assert check.reading == ScreenshotReading.FAILED
    assert not list((private_root / "checks").iterdir())
    page = client.get(response["Location"]).text
    assert "This picture could not be read." in page
    assert "Your picture has been deleted" in page


@pytest.mark.django_db(transaction=True)  # the worker closes a connection left in a transaction
def test_when_the_queue_gives_up_the_reading_ends_as_could_not_be_read_and_the_check_is_deleted(
    client, private_root, database_queue, settings, monkeypatch
):
    """A failure the task cannot turn into a result (here the database, every time): after the last
    attempt the tip and the check no longer say "waiting to be read"."""
    settings.TASK_MAX_ATTEMPTS = 2

    def database_gone(path):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(tasks, "read_picture", database_gone)
    tip = stored_tip(private_root, png_bytes(wechat_screens.chat(SUBWAY)))
    tasks.read_tip_screenshot.enqueue(tip.pk)
    client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))})
    run_worker()
    tip.refresh_from_db()
    assert tip.screenshot_reading == ScreenshotReading.FAILED
    check = ScreenshotCheck.objects.get()
    assert (check.reading, check.image, check.client_hash) == (ScreenshotReading.FAILED, "", "")
    assert not list((private_root / "checks").iterdir())


def test_the_status_command_says_which_screenshots_could_not_be_read(settings):
    settings.OCR_ENABLED = False
    TipFactory(code="T-AAAA-BBBB", screenshot="tips/a.png", screenshot_reading=ScreenshotReading.FAILED)
    TipFactory(screenshot="tips/b.png", screenshot_reading=ScreenshotReading.PENDING)
    TipFactory(screenshot="tips/c.png", screenshot_reading=ScreenshotReading.READ)
    output = io.StringIO()
    call_command("read_tip_screenshots", "--status", stdout=output)
    assert "Tips' screenshots: 1 read, 1 waiting to be read, 1 could not be read, 0 waiting for OCR" in (
        output.getvalue()
    )
    assert "Could not be read: T-AAAA-BBBB." in output.getvalue()


@pytest.mark.subprocess
def test_the_real_engine_fails_on_a_picture_of_one_pixel_by_nine_million_and_says_so(tmp_path):
    """What was stored of the 1 x 19,000,000 upload before shapes were checked: the engine's error is a
    reading that failed (and so "could not be read", above), not an error the queue tries again."""
    needs_ocr()
    path = tmp_path / "poison.png"
    path.write_bytes(png_bytes(Image.new("1", (1, 9_500_000)), optimize=True))
    with pytest.raises(ocr.ReadingFailed, match="Error reading image"):
        ocr.read_text(path)


# --- The engine's bounds ---------------------------------------------------------------------------


@pytest.fixture
def dots_path(tmp_path):
    """A quarter of the picture that held a worker for minutes: about 5 s of the engine's CPU, more than
    twice the bounds here."""
    path = tmp_path / "dots.png"
    random_dots(1500, 1650).save(path, "PNG", optimize=True)
    return path


@pytest.fixture
def engine_stopped():
    ocr.stop_engine()
    yield
    ocr.stop_engine()


@pytest.mark.subprocess
@pytest.mark.usefixtures("engine_stopped")
@pytest.mark.parametrize(
    ("bounds", "reason"),
    [
        ({"OCR_TIMEOUT_SECONDS": 2, "OCR_CPU_SECONDS": 600}, "took longer than 2 s"),
        # However busy the machine, the CPU bound comes first.
        ({"OCR_CPU_SECONDS": 2, "OCR_TIMEOUT_SECONDS": 600}, "used more than its 2 s of CPU time"),
    ],
)
def test_a_reading_past_its_bound_could_not_be_read_and_the_next_picture_is_read(
    settings, dots_path, tmp_path, bounds, reason, caplog
):
    needs_ocr()
    for name, value in bounds.items():
        setattr(settings, name, value)
    assert read_picture(dots_path)[0] == ScreenshotReading.FAILED
    assert reason in caplog.text
    # The next picture, with the usual bounds (a busy machine may take more than 2 s for any picture).
    settings.OCR_TIMEOUT_SECONDS, settings.OCR_CPU_SECONDS = 60, 30
    chat = tmp_path / "chat.png"
    wechat_screens.chat(SUBWAY).save(chat)
    reading, text, _fingerprint = read_picture(chat)
    assert reading == ScreenshotReading.READ
    assert "地铁" in text


@pytest.mark.subprocess
@pytest.mark.usefixtures("engine_stopped")
def test_a_reading_past_its_memory_bound_could_not_be_read(settings, tmp_path):
    needs_ocr()
    settings.OCR_MEMORY_MB = 64
    chat = tmp_path / "chat.png"
    wechat_screens.chat(SUBWAY).save(chat)
    with pytest.raises(ocr.ReadingFailed):
        ocr.read_text(chat)
    settings.OCR_MEMORY_MB = 1024
    assert "地铁" in ocr.read_text(chat)


# --- Checks: per address, and the tips do not starve ------------------------------------------


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)  # the worker closes a connection left in a transaction
def test_one_address_cannot_fill_the_queue_of_checks(client, settings, database_queue):
    settings.SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT = 2
    settings.SCREENSHOT_CHECK_MAX_WAITING = 3
    settings.SCREENSHOT_CHECK_RATE = "100/10m"
    picture = wechat_screens.chat(SUBWAY)

    def check(address):
        return client.post("/en/check/", {"screenshot": png(picture)}, REMOTE_ADDR=address)

    assert [check("203.0.113.1").status_code for _ in range(2)] == [302, 302]
    refused = check("203.0.113.1")
    assert refused.status_code == 429
    assert "You already have 2 screenshots waiting to be read." in refused.text
    with translation.override("zh-hans"):
        assert (
            "您已有 2 张截图正在等待识别"
            in client.post("/check/", {"screenshot": png(picture)}, REMOTE_ADDR="203.0.113.1").text
        )
    # Someone else still gets in, up to the queue's own bound.
    assert check("203.0.113.2").status_code == 302
    assert check("203.0.113.3").status_code == 503
    assert ScreenshotCheck.objects.count() == 3
    run_worker()
    assert check("203.0.113.1").status_code == 302
    # Once read, nothing links a check to its address.
    assert ScreenshotCheck.objects.exclude(reading=ScreenshotReading.PENDING).filter(client_hash="").count() == 3


@pytest.mark.django_db(transaction=True)  # the worker closes a connection left in a transaction
def test_a_tips_reading_that_waited_goes_before_checks_sent_after_it(client, database_queue, private_root, settings):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from core import taskqueue

    settings.SCREENSHOT_CHECK_RATE = "100/10m"
    settings.OCR_ENABLED = False  # what is read does not matter here, only the order
    tip = stored_tip(private_root, png_bytes(wechat_screens.chat(SUBWAY)))
    tasks.read_tip_screenshot.enqueue(tip.pk)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=2))
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY))}, REMOTE_ADDR=address)
    assert taskqueue.promote_waiting() == 1
    call_command("run_worker", batch=True, max_tasks=1, verbosity=0)
    tip.refresh_from_db()
    assert tip.screenshot_reading == ScreenshotReading.UNAVAILABLE  # it ran first
    assert ScreenshotCheck.objects.filter(reading=ScreenshotReading.PENDING).count() == 3
    # A tip that has not waited long does not jump the queue.
    fresh = stored_tip(private_root, png_bytes(wechat_screens.chat(SUBWAY)))
    tasks.read_tip_screenshot.enqueue(fresh.pk)
    assert taskqueue.promote_waiting() == 0
