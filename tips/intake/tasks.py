"""Reading screenshots, run by the task queue's workers (``manage.py run_worker``), never in a request.

- ``read_tip_screenshot(tip_id)``: the text (OCR) and fingerprint of a tip's screenshot, stored with
  the tip, which may then join a better rumor group (``reading.record_reading``). Any channel that
  stores a tip with a screenshot queues it the same way (``receive.queue_screenshot_reading``).
- ``read_sighting_screenshot(sighting_id)``: the same for a screenshot staff recorded on patrol.
- ``read_screenshot_check(check_id)``: a visitor's "check a screenshot"; the picture is deleted once read.

Elsewhere: fetching a WeChat picture (``wechat.tasks``) and the answer e-mail (``tips.casework.tasks``).

Failures the next attempt cannot fix (a picture that does not decode, the OCR engine missing) are
recorded and end the task; anything else (the database) raises, and the queue tries again a bounded
number of times (``core.taskqueue``). Every task may therefore run twice: each one writes the same
result again rather than adding to it.
"""

import logging

from django.utils import timezone
from django_tasks import task

from core.logs import log_event
from core.storage import private_storage
from tips.models import ScreenshotCheck, ScreenshotReading, Sighting, Tip

from .reading import read_picture, record_reading

logger = logging.getLogger(__name__)

# A visitor waits for their check: it goes before the tips, which staff read later.
CHECK_PRIORITY = 10


def read_report_screenshot(report):
    """Read the screenshot of a tip or a sighting and record what was read (``reading.record_reading``)."""
    storage = private_storage()
    if not storage.exists(report.screenshot.name):
        record_reading(report=report, reading=ScreenshotReading.FAILED, text="", fingerprint="")
        return "file missing"
    reading, text, fingerprint = read_picture(storage.path(report.screenshot.name))
    record_reading(report=report, reading=reading, text=text, fingerprint=fingerprint)
    return reading


@task()
def read_tip_screenshot(tip_id):
    tip = Tip.objects.filter(pk=tip_id).exclude(screenshot="").first()
    return "no screenshot" if tip is None else read_report_screenshot(tip)


@task()
def read_sighting_screenshot(sighting_id):
    sighting = Sighting.objects.filter(pk=sighting_id).exclude(screenshot="").first()
    return "no screenshot" if sighting is None else read_report_screenshot(sighting)


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
