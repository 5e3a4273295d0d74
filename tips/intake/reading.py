"""What a screenshot says and looks like, and what that changes: the text (OCR, ``ocr``) and the
perceptual fingerprint (``tips.casework.fingerprints``) of a report's screenshot, read by the task
queue (``tasks``), stored with the report, which may then join a better rumor group.

Whatever goes wrong with the picture itself (it does not decode, the engine fails on it, or it passes
the engine's time or memory bounds, ``ocr``) is a result, "could not be read", not an error to try
again: the report is kept and staff see it was not read. The engine missing is "OCR unavailable".
"""

import logging

from django.db import transaction

from core.logs import log_event
from tips.casework import fingerprints, grouping
from tips.models import Rumor, ScreenshotReading, Sighting, Tip

from . import ocr

logger = logging.getLogger(__name__)


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


def tip_record_reading(*, tip: Tip, reading: str, text: str, fingerprint: str) -> Tip:
    """Store what was read from the tip's screenshot; the tip may then join a better group.

    A tip that is alone in an unconfirmed group (nothing in its words matched when it arrived, e.g.
    "see the picture") moves to the group of a tip with the same picture, or whose words match its
    words and the screenshot's text together. Groups staff confirmed, or shared with other reports
    (tips or sightings), stay.
    """
    tip.screenshot_reading, tip.screenshot_text, tip.screenshot_fingerprint = reading, text, fingerprint
    tip.save(update_fields=["screenshot_reading", "screenshot_text", "screenshot_fingerprint"])
    log_event(logger, "tip.screenshot_read", code=tip.code, reading=reading, characters=len(text))
    if tip.is_closed or reading == ScreenshotReading.FAILED:
        return tip
    rumor_id = grouping.candidate_rumor_id(tip.matching_text, fingerprint=fingerprint, exclude_pk=tip.pk)
    if rumor_id is None or rumor_id == tip.rumor_id:
        return tip
    with transaction.atomic():
        alone = (
            tip.rumor_id is None
            or Rumor.objects.filter(pk=tip.rumor_id, confirmed=False).exists()
            and not Tip.objects.filter(rumor_id=tip.rumor_id).exclude(pk=tip.pk).exists()
            and not Sighting.objects.filter(rumor_id=tip.rumor_id).exists()
        )
        if not alone or not Rumor.objects.filter(pk=rumor_id).exists():
            return tip
        old_rumor_id, tip.rumor_id = tip.rumor_id, rumor_id
        tip.save(update_fields=["rumor"])
        if old_rumor_id is not None:
            Rumor.objects.filter(pk=old_rumor_id).empty().delete()
    log_event(logger, "tip.regrouped", code=tip.code, rumor=rumor_id, was=old_rumor_id)
    return tip


def sighting_screenshot_read(*, sighting: Sighting, text: str) -> Sighting:
    """Keep the text read from the screenshot; an unconfirmed group is chosen again with it."""
    sighting.screenshot_text = text.strip()
    fields = ["screenshot_text"]
    rumor = sighting.rumor
    if rumor is None or not rumor.confirmed:
        found = grouping.candidate_rumor_id(sighting.matching_text, exclude_sighting=sighting.pk)
        if found is not None and found != sighting.rumor_id:
            sighting.rumor_id = found
            fields.append("rumor")
    with transaction.atomic():
        sighting.save(update_fields=fields)
        Rumor.objects.empty().delete()
    return sighting
