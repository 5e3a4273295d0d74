"""Writes that touch tips: submitting, answering, closing, grouping, drafting a clarification.

A submitted tip must never be lost, so the tip's transaction does nothing that can fail for reasons
other than the database: the screenshot is written to storage before it, and slow work is queued
after commit (``transaction.on_commit``) for the task queue's workers (``tips.tasks``): reading the
screenshot (OCR and fingerprint, then ``tip_record_reading``) and the answer e-mail, whose mail
server errors are retried by the queue and can never roll anything back.
"""

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from clarifications.models import Clarification, Status, Verdict
from config.logs import log_event

from . import grouping
from .models import Rumor, ScreenshotCheck, ScreenshotReading, Sighting, Tip, TipChannel, TipStatus, new_tip_code
from .storage import private_storage

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
    rumor_id: int | None | Literal["choose"] = "choose",
) -> Tip:
    """Store a citizen's tip in its own short transaction and put it in a rumor group.

    ``pending_picture_url`` is a picture still to be fetched (one sent through WeChat, see
    ``tips.wechat.pictures``); such a tip may have no text. ``rumor_id`` is the group a caller chose
    beforehand with ``grouping.candidate_rumor_id`` (None: a group of its own), because it calls this
    inside a transaction of its own and must not read the candidates while holding the write lock.
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
        for attempt in range(CODE_ATTEMPTS):
            try:
                with transaction.atomic():
                    tip.code = new_tip_code()
                    if rumor_id is None or not Rumor.objects.filter(pk=rumor_id).exists():
                        rumor_id = Rumor.objects.create(label=rumor_label(text, fallback=tip.code)).pk
                    tip.rumor_id = rumor_id
                    tip.save(force_insert=True)
                    if screenshot_name:
                        queue_screenshot_reading(tip.pk)
                log_event(logger, "tip.received", code=tip.code, rumor=tip.rumor_id)
                return tip
            except IntegrityError:
                # 40 random bits make a repeated code rare; draw another rather than fail the citizen.
                if attempt == CODE_ATTEMPTS - 1 or Tip.objects.filter(code=tip.code).count() == 0:
                    raise
                tip.pk = None
    except Exception:
        if screenshot_name:
            private_storage().delete(screenshot_name)
        raise
    return tip


def rumor_label(text, *, fallback):
    """A new group's label: the start of its first report, or ``fallback`` for a report without words."""
    return Truncator(" ".join(text.split())).chars(80) or str(fallback)


def queue_screenshot_reading(tip_id):
    """Have a worker read the tip's screenshot once the tip is committed (a rollback queues nothing).

    If the queue cannot take it, the tip stays "waiting to be read" and is not lost:
    ``manage.py read_tip_screenshots`` queues such tips again."""
    from .tasks import read_tip_screenshot

    transaction.on_commit(lambda: read_tip_screenshot.enqueue(tip_id), robust=True)


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
            from .tasks import send_answer_email as send_answer_email_task

            tip_id, clarification_id = tip.pk, clarification.pk
            transaction.on_commit(
                lambda: send_answer_email_task.enqueue(tip_id, clarification_id, site_url), robust=True
            )
    return will_mail


def send_answer_email(tip_id, clarification_id, site_url):
    """Tell the citizen, in the language of their form, where the answer is (run by the task queue).

    A mail server error is logged and raised, so that the queue tries again later; the answer itself
    was committed before and stays."""
    try:
        tip = Tip.objects.get(pk=tip_id)
        clarification = Clarification.objects.get(pk=clarification_id)
        if not (tip.contact_email and tip.contact_consent):
            return
        with translation.override(tip.language):
            context = {
                "tip": tip,
                "clarification": clarification,
                "clarification_url": site_url.rstrip("/") + clarification.get_absolute_url(),
                "status_url": site_url.rstrip("/") + tip.get_absolute_url(),
                "site_name": settings.SITE_NAME,
            }
            subject = _("Your report %(code)s has been answered") % {"code": tip.code}
            body = render_to_string("tips/answer_email.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [tip.contact_email])
    except Exception:
        # The answer is saved whatever the mail server says; the citizen can still check the code.
        logger.exception("Could not send the answer e-mail for tip %s; the queue will try again", tip_id)
        raise


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
            target = Rumor.objects.create(label=rumor_label(tips[0].matching_text, fallback=tips[0].code))
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
        target = Rumor.objects.create(label=rumor_label(tips[0].text, fallback=tips[0].code), confirmed=True)
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


def purge_personal_data(*, older_than_days: int) -> int:
    """Remove contact e-mail and address hash of tips closed more than ``older_than_days`` ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        Tip.objects.closed()
        .filter(closed_at__lt=cutoff)
        .exclude(contact_email="", client_hash="")
        .update(contact_email="", contact_consent=False, client_hash="", personal_data_purged_at=timezone.now())
    )


def remove_orphan_screenshots(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete screenshot files that no tip refers to, left by a failed or killed submission.

    Only files older than ``older_than`` go, so an upload still between its file and its database row
    is never taken. Returns how many files were removed.
    """
    storage = private_storage()
    root = Path(storage.location)
    cutoff = time.time() - older_than.total_seconds()
    referenced = set(Tip.objects.exclude(screenshot="").values_list("screenshot", flat=True))
    referenced |= set(Sighting.objects.exclude(screenshot="").values_list("screenshot", flat=True))
    removed = 0
    for folder in (root / "tips", root / "sightings"):
        for path in folder.rglob("*") if folder.is_dir() else ():
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.relative_to(root).as_posix() not in referenced:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def remove_old_screenshot_checks(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete visitors' screenshot checks (their text, and a picture never read) older than ``older_than``.

    Run by the daily purge (``purge_tip_personal_data``). Returns how many checks went."""
    storage = private_storage()
    old = ScreenshotCheck.objects.filter(created_at__lt=timezone.now() - older_than)
    for name in old.exclude(image="").values_list("image", flat=True):
        storage.delete(name)
    return old.delete()[0]
