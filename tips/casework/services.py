"""Writes that touch tips: submitting, answering, closing, grouping, drafting a clarification.

A submitted tip must never be lost, so the tip's transaction does nothing that can fail for reasons
other than the database: the screenshot is written to storage before it, and slow work is queued
after commit (``transaction.on_commit``) for the task queue's workers (``tips.intake.tasks``): reading the
screenshot (OCR and fingerprint, then ``tip_record_reading``) and the answer e-mail, whose mail
server errors are retried by the queue and can never roll anything back.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from clarifications.models import Clarification, Status, Verdict
from core.logs import log_event
from tips.models import Rumor, Sighting, Tip, TipStatus

from . import grouping
from .tasks import send_answer_email

logger = logging.getLogger(__name__)

CODE_ATTEMPTS = 5


def _close(tip, status, **fields):
    tip.status = status
    tip.closed_at = timezone.now()
    for name, value in fields.items():
        setattr(tip, name, value)
    tip.full_clean(exclude=["rumor", "duplicate_of", "clarification"])
    tip.save(update_fields=["status", "closed_at", *fields])
    links = {name: getattr(value, "pk", value) for name, value in fields.items()}
    log_event(logger, "tip.status_changed", code=tip.code, status=status, **links)


def tip_answer(*, tip: Tip, clarification: Clarification, site_url: str) -> bool:
    """Answer a tip with a published clarification; e-mail the citizen after commit if they agreed.

    ``site_url`` is the site's root (``https://host/``), for the absolute link in the e-mail.
    Returns whether an e-mail will be sent.
    """
    if not clarification.is_public:
        raise ValueError("Tips are answered with public clarifications only (not scheduled, not withdrawn).")
    with transaction.atomic():
        _close(tip, TipStatus.ANSWERED, clarification=clarification, duplicate_of=None)
        will_mail = bool(tip.contact_email and tip.contact_consent)
        if will_mail:
            tip_id, clarification_id = tip.pk, clarification.pk
            transaction.on_commit(lambda: send_answer_email.enqueue(tip_id, clarification_id, site_url), robust=True)
    return will_mail


def tips_answer(*, tips, clarification: Clarification, site_url: str) -> int:
    """Answer several tips with one clarification, all or none; returns how many e-mails will go out.

    One transaction: a failure half-way leaves no tip answered (and no e-mail queued), rather than some.
    """
    with transaction.atomic():
        return sum(tip_answer(tip=tip, clarification=clarification, site_url=site_url) for tip in tips)


def tips_mark_reviewing(*, tips) -> int:
    """New tips among ``tips`` are now being reviewed; returns how many changed (closed ones stay)."""
    with transaction.atomic():
        changing = Tip.objects.select_for_update().filter(pk__in=[tip.pk for tip in tips], status=TipStatus.NEW)
        codes = list(changing.values_list("code", flat=True))
        Tip.objects.filter(code__in=codes).update(status=TipStatus.REVIEWING)
    for code in codes:
        log_event(logger, "tip.status_changed", code=code, status=TipStatus.REVIEWING)
    return len(codes)


def first_report_of_group(tip: Tip) -> Tip | None:
    """The earliest other tip of ``tip``'s group, when ``tip`` came after it (else None: it is the first)."""
    if not tip.rumor_id:
        return None
    original = Tip.objects.filter(rumor_id=tip.rumor_id).exclude(pk=tip.pk).order_by("submitted_at", "pk").first()
    if original is None or original.submitted_at > tip.submitted_at:
        return None
    return original


def tips_mark_duplicates(*, tips) -> tuple[int, int]:
    """Each tip becomes a duplicate of the first report of its group, all or none.

    The first report itself is left alone. Returns (marked, skipped).
    """
    marked, skipped = 0, 0
    with transaction.atomic():
        for tip in tips:
            original = first_report_of_group(tip)
            if original is None:
                skipped += 1
                continue
            tip_mark_duplicate(tip=tip, original=original)
            marked += 1
    return marked, skipped


def tip_mark_duplicate(*, tip: Tip, original: Tip) -> None:
    if original.pk == tip.pk:
        raise ValueError("A tip cannot be a duplicate of itself.")
    _close(tip, TipStatus.DUPLICATE, duplicate_of=original, clarification=None)


def tips_mark_not_actionable(*, tips) -> int:
    """Close ``tips`` as not actionable, all or none; returns how many."""
    tips = list(tips)
    with transaction.atomic():
        for tip in tips:
            tip_mark_not_actionable(tip=tip)
    return len(tips)


def tip_mark_not_actionable(*, tip: Tip) -> None:
    _close(tip, TipStatus.NOT_ACTIONABLE, clarification=None, duplicate_of=None)


def rumors_confirm(*, rumors) -> int:
    """Staff agree that each group's tips report one rumor; returns how many groups."""
    return Rumor.objects.filter(pk__in=[rumor.pk for rumor in rumors]).update(confirmed=True)


def rumors_merge(*, rumors) -> Rumor:
    """Move every report of ``rumors`` into the group with the most tips; the emptied groups go."""
    rumors = sorted(rumors, key=lambda rumor: (-rumor.tips.count(), -rumor.sightings.count(), rumor.pk))
    target, others = rumors[0], rumors[1:]
    merged = ",".join(str(rumor.pk) for rumor in others)
    with transaction.atomic():
        Tip.objects.filter(rumor__in=others).update(rumor=target)
        Sighting.objects.filter(rumor__in=others).update(rumor=target)
        Rumor.objects.filter(pk__in=[rumor.pk for rumor in others]).delete()
        target.confirmed = True
        target.save(update_fields=["confirmed"])
    log_event(logger, "rumors.merged", into=target.pk, merged=merged)
    return target


def tips_group(*, tips) -> Rumor:
    """Put ``tips`` into one group: the largest group among theirs (split off from their old groups)."""
    tips = list(tips)
    rumors = Rumor.objects.filter(tips__in=tips).distinct()
    with transaction.atomic():
        target = max(rumors, key=lambda rumor: (rumor.tips.count(), -rumor.pk), default=None)
        if target is None:
            target = Rumor.objects.create(label=grouping.rumor_label(tips[0].matching_text, fallback=tips[0].code))
        Tip.objects.filter(pk__in=[tip.pk for tip in tips]).update(rumor=target)
        target.confirmed = True
        target.save(update_fields=["confirmed"])
        # A group left with sightings only stays: it still reports a rumor.
        Rumor.objects.empty().delete()
    return target


def tips_split(*, tips) -> Rumor:
    """Move ``tips`` out of their groups into a new, confirmed group of their own."""
    tips = list(tips)
    with transaction.atomic():
        target = Rumor.objects.create(label=grouping.rumor_label(tips[0].text, fallback=tips[0].code), confirmed=True)
        Tip.objects.filter(pk__in=[tip.pk for tip in tips]).update(rumor=target)
        Rumor.objects.empty().delete()
    return target


def new_draft(*, claim: str, platform: str, seen_on, language: str, author) -> Clarification:
    """A draft clarification of ``claim``, as a report (tip or sighting) gives it; the caller's transaction."""
    draft = Clarification(
        title=Truncator(" ".join(claim.split())).chars(60),
        claim=claim,
        claim_platform=platform,
        claim_seen_on=seen_on,
        # The database insists on a valid verdict; "unproven" is the honest one until the editor decides.
        verdict=Verdict.UNPROVEN,
        truth="",
        status=Status.DRAFT,
        language=language if language in ("zh-hans", "en") else "zh-hans",
        authority_name=settings.OFFICE_NAME,
        authority_url=settings.OFFICE_URL,
        author=author,
    )
    # The truth is for the editor to write: a draft is saved without it on purpose.
    draft.full_clean(exclude=["truth"])
    draft.save()
    return draft


def draft_from_tip(*, tip: Tip, author) -> Clarification:
    """A draft clarification whose claim, platform and date come from the tip; the tip is under review."""
    with transaction.atomic():
        draft = new_draft(
            claim=tip.text, platform=tip.platform, seen_on=tip.seen_on, language=tip.language, author=author
        )
        if tip.status == TipStatus.NEW:
            tip.status = TipStatus.REVIEWING
            tip.save(update_fields=["status"])
            log_event(logger, "tip.status_changed", code=tip.code, status=TipStatus.REVIEWING)
    log_event(logger, "clarification.drafted_from_tip", id=draft.pk, tip=tip.code, by=author.get_username())
    return draft
