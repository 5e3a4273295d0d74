"""Writes that touch sightings (online inspection): recording one, closing, drafting a clarification.

A sighting is recorded by staff in the admin. Like a tip it joins the rumor group of the most similar
open report (``grouping``), and like a tip it can start a draft clarification. Its screenshot is
decoded and re-encoded by the admin's form (``tips.screenshots``) and stored privately like a tip's.

Reading the screenshot's text (OCR) is not done here: ``request_screenshot_text`` is the one place
where that work is asked for, after the sighting is committed. The OCR task, when it has read the
picture, calls ``sighting_screenshot_read`` with the text, which regroups the sighting.
"""

import logging

from django.db import transaction
from django.utils import timezone

from clarifications.models import Clarification
from config.logs import log_event

from . import grouping
from .models import Rumor, Sighting, SightingStatus
from .services import new_draft, rumor_label
from .storage import private_storage

logger = logging.getLogger(__name__)


def sighting_record(*, sighting: Sighting, recorded_by) -> Sighting:
    """Store a sighting built by the admin's form (not yet saved) and put it in a rumor group.

    The screenshot, if any, is written to private storage before the row (as for tips); if the row
    cannot be written the file is removed again.
    """
    sighting.recorded_by = recorded_by
    rumor_id = grouping.candidate_rumor_id(sighting.matching_text) if sighting.matching_text else None
    sighting.full_clean(exclude=["rumor"])
    if sighting.screenshot and not sighting.screenshot._committed:
        sighting.screenshot.save(sighting.screenshot.name, sighting.screenshot.file, save=False)
    try:
        with transaction.atomic():
            if rumor_id is None or not Rumor.objects.filter(pk=rumor_id).exists():
                label = rumor_label(sighting.matching_text or sighting.link, fallback=sighting.get_platform_display())
                rumor_id = Rumor.objects.create(label=label).pk
            sighting.rumor_id = rumor_id
            sighting.save(force_insert=True)
    except Exception:
        if sighting.screenshot:
            private_storage().delete(sighting.screenshot.name)
        raise
    log_event(logger, "sighting.recorded", id=sighting.pk, rumor=sighting.rumor_id, by=recorded_by.get_username())
    if sighting.screenshot:
        request_screenshot_text(sighting.pk)
    return sighting


def request_screenshot_text(sighting_id: int) -> None:
    """Have a worker read the sighting's screenshot once the sighting is committed (``tips.tasks``).

    Until it is read (or when OCR is unavailable), the sighting is grouped and matched by the text
    staff typed, and the admin shows that the screenshot has not been read.
    """
    from .tasks import read_sighting_screenshot

    log_event(logger, "sighting.screenshot_text_requested", id=sighting_id)
    transaction.on_commit(lambda: read_sighting_screenshot.enqueue(sighting_id), robust=True)


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


def _close(sighting, status, *, clarification=None):
    sighting.status = status
    sighting.closed_at = timezone.now()
    sighting.clarification = clarification
    sighting.full_clean(exclude=["rumor", "clarification", "recorded_by"])
    sighting.save(update_fields=["status", "closed_at", "clarification"])
    log_event(
        logger, "sighting.status_changed", id=sighting.pk, status=status, clarification=getattr(clarification, "pk", "")
    )


def sightings_answer(*, sightings, clarification: Clarification) -> int:
    """Close ``sightings`` as answered by a public clarification, all or none; returns how many."""
    if not clarification.is_public:
        raise ValueError("Sightings are answered with public clarifications only (not scheduled, not withdrawn).")
    sightings = list(sightings)
    with transaction.atomic():
        for sighting in sightings:
            _close(sighting, SightingStatus.ANSWERED, clarification=clarification)
    return len(sightings)


def sightings_mark_not_actionable(*, sightings) -> int:
    sightings = list(sightings)
    with transaction.atomic():
        for sighting in sightings:
            _close(sighting, SightingStatus.NOT_ACTIONABLE)
    return len(sightings)


def sightings_mark_reviewing(*, sightings) -> int:
    """New sightings among ``sightings`` are now being reviewed; returns how many changed."""
    with transaction.atomic():
        ids = list(
            Sighting.objects.select_for_update()
            .filter(pk__in=[sighting.pk for sighting in sightings], status=SightingStatus.NEW)
            .values_list("pk", flat=True)
        )
        Sighting.objects.filter(pk__in=ids).update(status=SightingStatus.REVIEWING)
    for pk in ids:
        log_event(logger, "sighting.status_changed", id=pk, status=SightingStatus.REVIEWING)
    return len(ids)


def language_of(text):
    """``en`` for a text without a single Chinese character, else ``zh-hans`` (the office's language)."""
    if text and not any("\u4e00" <= char <= "\u9fff" for char in text):
        return "en"
    return "zh-hans"


def draft_from_sighting(*, sighting: Sighting, author) -> Clarification:
    """A draft clarification whose claim, platform and date come from the sighting, now under review."""
    with transaction.atomic():
        draft = new_draft(
            claim=sighting.matching_text or sighting.link,
            platform=sighting.platform,
            seen_on=timezone.localdate(sighting.seen_at),
            language=language_of(sighting.matching_text),
            author=author,
        )
        if sighting.status == SightingStatus.NEW:
            sighting.status = SightingStatus.REVIEWING
            sighting.save(update_fields=["status"])
            log_event(logger, "sighting.status_changed", id=sighting.pk, status=SightingStatus.REVIEWING)
    log_event(
        logger, "clarification.drafted_from_sighting", id=draft.pk, sighting=sighting.pk, by=author.get_username()
    )
    return draft
