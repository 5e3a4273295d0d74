"""The tips' slow work, run by the task queue's workers (``manage.py run_worker``), never in a request.

- ``read_tip_screenshot(tip_id)``: the text (OCR) and fingerprint of a tip's screenshot, stored with
  the tip, which may then join a better rumor group (``services.tip_record_reading``). Any channel that
  stores a tip with a screenshot queues it the same way (``services.tip_submit`` does on commit).
- ``read_sighting_screenshot(sighting_id)``: the same for a screenshot staff recorded on patrol
  (``sightings.sighting_screenshot_read``).
- ``fetch_wechat_picture(tip_id)``: a picture sent to the official account, fetched after the reply
  (``wechat.pictures``); once stored it is read like any tip's screenshot.
- ``read_screenshot_check(check_id)``: a visitor's "check a screenshot"; the picture is deleted once read.
- ``send_answer_email(...)``: the citizen's e-mail when their tip is answered.

Failures the next attempt cannot fix (a picture that does not decode, the OCR engine missing) are
recorded and end the task; anything else (the database, the mail server) raises, and the queue tries
again a bounded number of times (``config.taskqueue``). Every task may therefore run twice: each one
writes the same result again rather than adding to it.
"""

import logging

from django.utils import timezone
from django_tasks import task
from PIL import UnidentifiedImageError

from config.logs import log_event

from . import fingerprints, ocr, services, sightings
from .models import ScreenshotCheck, ScreenshotReading, Sighting, Tip
from .storage import private_storage

logger = logging.getLogger(__name__)

# A visitor waits for their check: it goes before the tips, which staff read later.
CHECK_PRIORITY = 10
UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError)


def read_picture(path):
    """(reading, text, fingerprint) of the picture at ``path``; the engine missing is not an error."""
    try:
        fingerprint = fingerprints.fingerprint(path)
    except UNREADABLE:
        logger.warning("A screenshot could not be decoded: %s", path, exc_info=True)
        return ScreenshotReading.FAILED, "", ""
    try:
        text = ocr.read_text(path)
    except ocr.OcrUnavailable as reason:
        logger.warning("Screenshot not read: %s", reason)
        return ScreenshotReading.UNAVAILABLE, "", fingerprint
    except UNREADABLE:
        logger.warning("OCR could not read a screenshot: %s", path, exc_info=True)
        return ScreenshotReading.FAILED, "", fingerprint
    return ScreenshotReading.READ, text, fingerprint


@task()
def read_tip_screenshot(tip_id):
    tip = Tip.objects.filter(pk=tip_id).exclude(screenshot="").first()
    if tip is None:
        return "no screenshot"
    storage = private_storage()
    if not storage.exists(tip.screenshot.name):
        services.tip_record_reading(tip=tip, reading=ScreenshotReading.FAILED, text="", fingerprint="")
        return "file missing"
    reading, text, fingerprint = read_picture(storage.path(tip.screenshot.name))
    services.tip_record_reading(tip=tip, reading=reading, text=text, fingerprint=fingerprint)
    return reading


@task()
def read_sighting_screenshot(sighting_id):
    sighting = Sighting.objects.filter(pk=sighting_id).exclude(screenshot="").first()
    if sighting is None:
        return "no screenshot"
    storage = private_storage()
    if not storage.exists(sighting.screenshot.name):
        return "file missing"
    reading, text, _fingerprint = read_picture(storage.path(sighting.screenshot.name))
    if reading == ScreenshotReading.READ:
        sightings.sighting_screenshot_read(sighting=sighting, text=text)
    return reading


@task()
def fetch_wechat_picture(tip_id):
    """A failure that may pass (timeout, server error) raises FetchFailed: the queue tries again."""
    from .wechat import pictures

    return "stored" if pictures.fetch(tip_id) else "not stored"


@task(queue_name="checks", priority=CHECK_PRIORITY)
def read_screenshot_check(check_id):
    check = ScreenshotCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "gone"
    if check.reading != ScreenshotReading.PENDING:
        return "read already"  # a run again (a retry) must not overwrite the result with "failed"
    storage = private_storage()
    if check.image and storage.exists(check.image):
        reading, text, _fingerprint = read_picture(storage.path(check.image))
    else:
        reading, text = ScreenshotReading.FAILED, ""
    ScreenshotCheck.objects.filter(pk=check.pk).update(reading=reading, text=text, image="", read_at=timezone.now())
    # The picture is not kept (the page says so): deleted once read, whatever the outcome.
    if check.image:
        storage.delete(check.image)
    log_event(logger, "screenshot_check.read", reading=reading)
    return reading


@task()
def send_answer_email(tip_id, clarification_id, site_url):
    services.send_answer_email(tip_id, clarification_id, site_url)
