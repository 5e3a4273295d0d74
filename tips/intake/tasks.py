"""Reading screenshots, run by the task queue's workers (``manage.py run_worker``), never in a request.

- ``read_tip_screenshot(tip_id)``: the text (OCR) and fingerprint of a tip's screenshot, stored with
  the tip, which may then join a better rumor group (``reading.record_reading``). Any channel that
  stores a tip with a screenshot queues it the same way (``receive.queue_screenshot_reading``).
- ``read_sighting_screenshot(sighting_id)``: the same for a screenshot staff recorded on patrol.
- ``read_screenshot_check(check_id)``: a visitor's "check a screenshot"; the picture is deleted within
  the hour after it was read (``checks``).

Elsewhere: fetching a WeChat picture (``wechat.tasks``) and the answer e-mail (``tips.casework.tasks``).

A picture's own failures (it does not decode, the engine fails on it or passes its time or memory
bound, ``ocr``) are results: "could not be read", recorded, and the task ends. Anything else (the
database) raises, and the queue tries again a bounded number of times (``core.taskqueue``); when it
gives up, the reading ends as "could not be read" too (``when_given_up``), and a check's picture is
deleted within the hour as the page promises: nothing stays "waiting to be read" for ever. Every task may run twice:
each one writes the same result again rather than adding to it.

**Who goes first.** One worker reads pictures for two kinds of people: visitors waiting on the "check
a screenshot" page, who give up within minutes, and citizens whose tips staff read later. So:

- a check has the priority of a task a person waits for (``taskqueue.SOMEONE_WAITS``) and goes before
  the tips' readings;
- a tip's reading that has waited a minute is raised to the same priority (``taskqueue``'s ageing)
  and from then on goes before every check sent after it. Strict priority alone let a steady stream
  of checks hold citizens' tips back for as long as it lasted; alternating the two would make every
  visitor wait behind tips nobody is watching. With ageing, a visitor's check waits for the tips only
  when they have waited a minute, and a tip waits at most a minute plus the checks queued before it;
- the checks themselves are bounded: ``SCREENSHOT_CHECK_MAX_WAITING`` in all and
  ``SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT`` from one address (``views.check_form``), so that two
  addresses cannot fill the queue and turn every other visitor away; each reading is bounded in time
  (``OCR_TIMEOUT_SECONDS``), so the wait behind a full queue is bounded too.
"""

import logging

from django.utils import timezone
from django_tasks import task

from core import taskqueue
from core.logs import log_event
from core.storage import private_storage
from tips.models import ScreenshotCheck, ScreenshotReading, Sighting, Tip

from .reading import read_picture, record_reading

logger = logging.getLogger(__name__)

# A visitor waits for their check: it goes before the tips, which staff read later (see above).
CHECK_PRIORITY = taskqueue.SOMEONE_WAITS


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


@taskqueue.when_given_up(read_tip_screenshot)
def tip_screenshot_given_up(tip_id):
    tip = Tip.objects.filter(pk=tip_id, screenshot_reading=ScreenshotReading.PENDING).first()
    if tip is not None:
        record_reading(report=tip, reading=ScreenshotReading.FAILED, text="", fingerprint="")


@taskqueue.when_given_up(read_sighting_screenshot)
def sighting_screenshot_given_up(sighting_id):
    sighting = Sighting.objects.filter(pk=sighting_id, screenshot_reading=ScreenshotReading.PENDING).first()
    if sighting is not None:
        record_reading(report=sighting, reading=ScreenshotReading.FAILED, text="", fingerprint="")


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
    check_finished(check, reading=reading, text=text)
    return reading


@taskqueue.when_given_up(read_screenshot_check)
def screenshot_check_given_up(check_id):
    check = ScreenshotCheck.objects.filter(pk=check_id, reading=ScreenshotReading.PENDING).first()
    if check is not None:
        check_finished(check, reading=ScreenshotReading.FAILED, text="")


def check_finished(check, *, reading, text):
    """Record a check's result and forget the address it came from. A picture whose text was read stays
    for ``checks.CHECK_PICTURE_KEPT`` only, so that "report this rumor" can send it with the text (the
    pages say so; ``checks.remove_read_check_pictures`` deletes it then); any other is deleted now."""
    offered = reading == ScreenshotReading.READ and bool(text.strip())
    ScreenshotCheck.objects.filter(pk=check.pk).update(
        reading=reading, text=text, client_hash="", read_at=timezone.now(), image=check.image if offered else ""
    )
    if check.image and not offered:
        private_storage().delete(check.image)
    log_event(logger, "screenshot_check.read", reading=reading)
