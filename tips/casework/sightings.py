"""Writes that touch sightings (online inspection): recording one, closing, drafting a clarification.

A sighting is recorded by staff in the admin. Like a tip it joins the rumor group of the most similar
open report (``grouping``), and like a tip it can start a draft clarification. Its screenshot is
decoded and re-encoded by the admin's form (``core.images``) and stored privately like a tip's.

Reading the screenshot's text (OCR) is not done here: ``request_screenshot_text`` is the one place
where that work is asked for, after the sighting is committed. The OCR task, when it has read the
picture, calls ``sighting_screenshot_read`` with the text, which regroups the sighting.
"""

import logging

from django.db import transaction
from django.utils import timezone

from clarifications.models import Clarification
from core.logs import log_event
from tips.models import Sighting, SightingStatus

from .services import new_draft

logger = logging.getLogger(__name__)


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
