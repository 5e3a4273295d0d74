"""Storing a report as it arrives, from any channel: a citizen's tip (web form, WeChat) or a sighting
staff recorded on patrol. Each joins a rumor group at once and has its screenshot read afterwards.

A submitted tip must never be lost, so the tip's transaction does nothing that can fail for reasons
other than the database: the screenshot is written to storage before it, and slow work is queued
after commit (``transaction.on_commit``) for the task queue's workers (``tasks``): reading the
screenshot (OCR and fingerprint, then ``reading.record_reading``).
"""

import logging
from typing import Literal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import history
from core.logs import log_event
from core.storage import private_storage
from tips.casework import answers, grouping, rumors
from tips.models import Rumor, ScreenshotReading, Sighting, Tip, TipChannel, new_tip_code

from .tasks import read_sighting_screenshot, read_tip_screenshot

logger = logging.getLogger(__name__)

CODE_ATTEMPTS = 5


def tip_submit(
    *,
    text: str,
    platform: str,
    seen_on=None,
    link: str = "",
    screenshot=None,
    contact_email: str = "",
    contact_consent: bool = False,
    client_hash: str = "",
    language: str = "zh-hans",
    channel: str = TipChannel.WEB,
    pending_picture_url: str = "",
    rumor_id: int | Literal["choose"] | None = "choose",
    site_url: str = "",
    code: str = "",
) -> Tip:
    """Store a citizen's tip in its own short transaction and put it in a rumor group; when that group
    is already answered by a public clarification, the tip is answered at once (``answers.on_arrival``:
    the receipt then shows the answer, and a citizen who agreed is e-mailed a link built on ``site_url``).

    ``pending_picture_url`` is a picture still to be fetched (one sent through WeChat, see
    ``tips.intake.wechat.pictures``); such a tip may have no text. ``rumor_id`` is the group a caller chose
    beforehand with ``grouping.candidate_rumor_id`` (None: a group of its own), because it calls this
    inside a transaction of its own and must not read the candidates while holding the write lock.
    ``code`` is one drawn beforehand (a WeChat message kept while the database was locked was given it
    in its reply, ``tips.intake.wechat.storing``); another is drawn if it is taken.
    """
    screenshot_name = ""
    if screenshot is not None:
        # upload_to is a pattern, not a function of the instance: there is no tip yet, and none is needed.
        upload_to = Tip._meta.get_field("screenshot").generate_filename(None, screenshot.name)  # type: ignore[arg-type]
        screenshot_name = private_storage().save(upload_to, screenshot)
    # Reading the candidates is slow-ish and needs no lock: do it before taking the write lock.
    if rumor_id == "choose":
        rumor_id = grouping.candidate_rumor_id(text)
    tip = Tip(
        text=text,
        platform=platform,
        seen_on=seen_on,
        link=link,
        screenshot=screenshot_name,
        contact_email=contact_email if contact_consent else "",
        contact_consent=bool(contact_email and contact_consent),
        client_hash=client_hash,
        language=language,
        channel=channel,
        pending_picture_url=pending_picture_url,
        screenshot_reading=ScreenshotReading.PENDING if screenshot_name else ScreenshotReading.NONE,
    )
    tip.full_clean(exclude=["code", "rumor"])
    try:
        attempt = 0
        while True:  # left by returning the tip, or by raising (the last attempt's error is raised)
            try:
                with transaction.atomic():
                    tip.code = code if code and attempt == 0 else new_tip_code()
                    if rumor_id is None or not Rumor.objects.filter(pk=rumor_id).exists():
                        rumor_id = Rumor.objects.create(label=grouping.rumor_label(text, fallback=tip.code)).pk
                    tip.rumor_id = rumor_id
                    tip.save(force_insert=True)
                    rumors.add(tip)
                    answers.on_arrival(tip, site_url=site_url)
                    if screenshot_name:
                        queue_screenshot_reading(tip.pk)
                log_event(logger, "tip.received", code=tip.code, rumor=tip.rumor_id, status=tip.status)
                return tip
            except IntegrityError:
                # 40 random bits make a repeated code rare; draw another rather than fail the citizen.
                if attempt == CODE_ATTEMPTS - 1 or Tip.objects.filter(code=tip.code).count() == 0:
                    raise
                tip.pk = None
                attempt += 1
    except Exception:
        if screenshot_name:
            private_storage().delete(screenshot_name)
        raise


def queue_screenshot_reading(tip_id):
    """Have a worker read the tip's screenshot once the tip is committed (a rollback queues nothing).

    If the queue cannot take it, the tip stays "waiting to be read" and is not lost:
    ``manage.py read_tip_screenshots`` queues such tips again."""
    transaction.on_commit(lambda: read_tip_screenshot.enqueue(tip_id), robust=True)


def sighting_record(*, sighting: Sighting, recorded_by) -> Sighting:
    """Store a sighting built by the admin's form (not yet saved) and put it in a rumor group (answered
    at once when that group is, like a tip).

    The screenshot, if any, is written to private storage before the row (as for tips); if the row
    cannot be written the file is removed again.
    """
    sighting.recorded_by = recorded_by
    rumor_id = grouping.candidate_rumor_id(sighting.matching_text) if sighting.matching_text else None
    if sighting.screenshot:
        sighting.screenshot_reading = ScreenshotReading.PENDING
    sighting.full_clean(exclude=["rumor"])
    if sighting.screenshot and not sighting.screenshot._committed:
        sighting.screenshot.save(sighting.screenshot.name, sighting.screenshot.file, save=False)
    try:
        with transaction.atomic():
            if rumor_id is None or not Rumor.objects.filter(pk=rumor_id).exists():
                text = sighting.matching_text or sighting.link
                label = grouping.rumor_label(text, fallback=sighting.get_platform_display())
                rumor_id = Rumor.objects.create(label=label).pk
            sighting.rumor_id = rumor_id
            history.record(sighting, user=recorded_by, reason=_("Recorded on patrol"))
            sighting.save(force_insert=True)
            rumors.add(sighting)
            answers.on_arrival(sighting, site_url="")
    except Exception:
        if sighting.screenshot:
            private_storage().delete(sighting.screenshot.name)
        raise
    log_event(logger, "sighting.recorded", id=sighting.pk, rumor=sighting.rumor_id, by=recorded_by.get_username())
    if sighting.screenshot:
        request_screenshot_text(sighting.pk)
    return sighting


def request_screenshot_text(sighting_id: int) -> None:
    """Have a worker read the sighting's screenshot once the sighting is committed (``tips.intake.tasks``).

    Until it is read (or when OCR is unavailable), the sighting is grouped and matched by the text
    staff typed, and the admin shows that the screenshot has not been read.
    """
    log_event(logger, "sighting.screenshot_text_requested", id=sighting_id)
    transaction.on_commit(lambda: read_sighting_screenshot.enqueue(sighting_id), robust=True)
