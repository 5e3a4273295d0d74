"""What a screenshot says and looks like, and what that changes: the text (OCR, ``ocr``) and the
perceptual fingerprint (``tips.casework.fingerprints``) of a report's screenshot, read by the task
queue (``tasks``), stored with the report, which may then join a better rumor group.

Whatever goes wrong with the picture itself (it does not decode, the engine fails on it, or it passes
the engine's time or memory bounds, ``ocr``) is a result, "could not be read", not an error to try
again: the report is kept and staff see it was not read. The engine missing is "OCR unavailable".
"""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from core.logs import log_event
from core.metrics import timed_screenshot_reading
from tips.casework import answers, fingerprints, grouping, rumors
from tips.models import REPORT_MODELS, Report, Rumor, ScreenshotReading

from . import ocr

logger = logging.getLogger(__name__)


@timed_screenshot_reading
def read_picture(path):
    """(reading, text, fingerprint) of the picture at ``path``; never raises for the picture's sake
    (nothing here touches the database)."""
    try:
        fingerprint = fingerprints.fingerprint(path)
    except Exception:
        logger.warning("A screenshot could not be decoded: %s", path, exc_info=True)
        return ScreenshotReading.FAILED, "", ""
    try:
        text = ocr.read_text(path)
    except ocr.OcrUnavailable as reason:
        logger.warning("Screenshot not read: %s", reason)
        return ScreenshotReading.UNAVAILABLE, "", fingerprint
    except ocr.ReadingFailed as reason:
        logger.warning("A screenshot could not be read (%s): %s", reason, path)
        return ScreenshotReading.FAILED, "", fingerprint
    except Exception:
        logger.warning("OCR failed on a screenshot: %s", path, exc_info=True)
        return ScreenshotReading.FAILED, "", fingerprint
    return ScreenshotReading.READ, text, fingerprint


def record_reading(*, report: Report, reading: str, text: str, fingerprint: str) -> Report:
    """Store what was read from a report's screenshot (a tip's or a sighting's); the report may then
    join a better group.

    A report alone in an unconfirmed group (nothing in its words matched when it arrived, e.g. "see the
    picture") moves to the group of an open report with the same picture, or whose words match its
    words and the screenshot's text together; if that group is answered, so is the report. Groups
    staff confirmed, or shared with other reports, stay as they are.
    """
    report.screenshot_reading, report.screenshot_text, report.screenshot_fingerprint = reading, text, fingerprint
    report.save_without_historical_record(
        update_fields=["screenshot_reading", "screenshot_text", "screenshot_fingerprint"]
    )
    log_event(
        logger,
        "report.screenshot_read",
        kind=report.kind,
        reference=report.reference,
        reading=reading,
        characters=len(text),
    )
    if report.is_closed or reading == ScreenshotReading.FAILED:
        return report
    rumor_id = grouping.candidate_rumor_id(report.matching_text, fingerprint=fingerprint, exclude=report)
    if rumor_id is None or rumor_id == report.rumor_id:
        return report
    with transaction.atomic():
        target = Rumor.objects.filter(pk=rumor_id).first()
        if target is None or not _alone_in_an_unconfirmed_group(report):
            return report
        old_rumor_id = report.rumor_id
        rumors.regroup(report, target, reason=_("Its screenshot matched this group"))
        answers.on_arrival(report, site_url="")
    log_event(
        logger, "report.regrouped", kind=report.kind, reference=report.reference, rumor=rumor_id, was=old_rumor_id
    )
    return report


def _alone_in_an_unconfirmed_group(report):
    if report.rumor_id is None:
        return True
    if not Rumor.objects.filter(pk=report.rumor_id, confirmed=False).exists():
        return False
    others = [model.objects.filter(rumor_id=report.rumor_id) for model in REPORT_MODELS]
    return not any(
        reports.exclude(pk=report.pk).exists() if reports.model is type(report) else reports.exists()
        for reports in others
    )
