"""The OCR engine is a setting (``OCR_ENGINE``): tesseract by default, RapidOCR (PP-OCR on onnxruntime)
for offices with the memory. The site works, and is tested, without RapidOCR; with it installed
(requirements-rapidocr.txt, as CI does), a real reading of a generated screenshot finds the
clarification it quotes, with no network at all, within the engine's own bounds."""

import importlib.util
import os
import shutil
import subprocess
import sys

import numpy
import pytest
from django.conf import settings as django_settings
from PIL import Image, ImageDraw

from benchmarks import wechat_screens
from tips.intake import ocr, ocr_engine
from tips.models import ScreenshotCheck

from .factories import ClarificationFactory
from .queue_tasks import run_worker
from .servers import REPO
from .test_screenshots import SUBWAY, SUBWAY_CLAIM, png
from .test_settings import run_settings


@pytest.fixture
def rapidocr(settings):
    """The RapidOCR engine with its own default bounds; skipped where it is not installed, but CI must
    have it (.ci/run installs requirements-rapidocr.txt)."""
    settings.OCR_ENGINE = "rapidocr"
    for name, value in django_settings.OCR_BOUNDS_BY_ENGINE["rapidocr"].items():
        setattr(settings, name, value)
    engine = ocr.status()
    if not engine.available:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(engine.reason)
        pytest.skip(f"{engine.reason} The rapidocr tests need it.")
    yield
    ocr.stop_engine()  # its process holds most of a gigabyte


@pytest.mark.subprocess
def test_tesseract_is_the_default_engine_with_its_own_bounds():
    code = "import config.settings as s; print(s.OCR_ENGINE, s.OCR_MEMORY_MB, s.OCR_CPU_SECONDS)"
    result = run_settings(code, DEBUG="true", OCR_ENGINE="")
    assert result.stdout.split() == ["tesseract", "1024", "30"]


@pytest.mark.subprocess
def test_rapidocr_has_larger_bounds_and_an_operators_own_bound_wins():
    code = "import config.settings as s; print(s.OCR_MEMORY_MB, s.OCR_CPU_SECONDS, s.OCR_TIMEOUT_SECONDS)"
    assert run_settings(code, DEBUG="true", OCR_ENGINE="rapidocr").stdout.split() == ["3072", "60", "120"]
    chosen = run_settings(code, DEBUG="true", OCR_ENGINE="rapidocr", OCR_MEMORY_MB="2048")
    assert chosen.stdout.split() == ["2048", "60", "120"]


@pytest.mark.subprocess
def test_an_unknown_engine_stops_start_up_naming_the_setting():
    refused = run_settings(DEBUG="true", OCR_ENGINE="paddle")
    assert refused.returncode != 0
    assert "OCR_ENGINE must be tesseract or rapidocr, not 'paddle'" in refused.stderr


def test_without_the_rapidocr_package_staff_and_healthz_are_told_what_to_install(client, db, settings, monkeypatch):
    settings.OCR_ENGINE = "rapidocr"
    found = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "rapidocr_onnxruntime" else found(name, *args)
    )
    engine = ocr.status()
    assert not engine.available
    assert "rapidocr_onnxruntime" in engine.reason
    assert "requirements-rapidocr.txt" in engine.reason
    with pytest.raises(ocr.OcrUnavailable):
        ocr.read_text(wechat_screens.chat(SUBWAY))
    health = client.get("/healthz").json()
    assert health["ocr"]["state"] == "down"
    assert health["ocr"]["engine"] == "rapidocr"
    assert "requirements-rapidocr.txt" in health["ocr"]["reason"]
    assert health["status"] == "degraded"


def test_healthz_names_the_engine(client, db, settings):
    settings.OCR_ENABLED = True
    assert client.get("/healthz").json()["ocr"]["engine"] == "tesseract"


def quiet_rows(image):
    return numpy.asarray(image.convert("L"), dtype=numpy.float32).std(axis=1) == 0


def test_a_long_capture_is_cut_into_strips_between_lines_of_text():
    capture = Image.new("RGB", (1080, 9000), "white")
    pen = ImageDraw.Draw(capture)
    for top in range(40, 9000 - 40, 70):  # lines of "text" 40 px tall, 30 px apart
        pen.rectangle((60, top, 1000, top + 40), fill="black")
    pieces = ocr_engine.strips(capture)
    assert len(pieces) == 5
    assert sum(piece.height for piece in pieces) == 9000
    assert all(piece.height <= 2000 and piece.width == 1080 for piece in pieces)
    # Each cut falls in a gap between lines: the rows either side of it are plain background.
    for piece in pieces[:-1]:
        assert quiet_rows(piece)[-1]
    for piece in pieces[1:]:
        assert quiet_rows(piece)[0]
    # A phone's screenshot, however tall its screen, is read whole.
    assert len(ocr_engine.strips(Image.new("RGB", (1080, 2400)))) == 1


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_rapidocr_reads_a_visitors_screenshot_and_finds_the_clarification_it_quotes(
    client, rapidocr, database_queue, private_root
):
    ClarificationFactory(title="网传全市停水三天不实")  # another rumor
    subway = ClarificationFactory(title="网传本市地铁全线停运三天不实", claim=SUBWAY_CLAIM)
    response = client.post("/en/check/", {"screenshot": png(wechat_screens.chat(SUBWAY, dark=True))})
    run_worker()
    check = ScreenshotCheck.objects.get()
    assert "明天起本市地铁全线停运三天" in "".join(check.text.split())
    result = client.get(response["Location"]).text
    assert "This message matches the clarification below." in result
    assert subway.title in result
    reading = ocr.last_reading()
    assert reading["engine"] == "rapidocr"
    assert reading["peak_mb"] < django_settings.OCR_BOUNDS_BY_ENGINE["rapidocr"]["OCR_MEMORY_MB"]


READ_OFFLINE = """
import django
django.setup()
from benchmarks import wechat_screens
from tips.intake import ocr
print(ocr.read_text(wechat_screens.chat("明天起本市地铁全线停运三天", width=375, height=667)))
"""


@pytest.mark.subprocess
def test_rapidocr_reads_with_no_network_at_all(rapidocr):
    """Its models are inside its wheel: a version that fetched them at run time would fail here."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "PYTHONPATH": str(REPO),
        "OCR_ENGINE": "rapidocr",
    }
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
