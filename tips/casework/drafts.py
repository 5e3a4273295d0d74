"""Starting a draft clarification for a rumor group, from what its reports said.

Staff see a short form first, filled in from the report (the claim as it circulated, where and when it
was seen, its language) with the title left for them to write; nothing is saved until they send it
(``tips.admin.forms.DraftForm``). The draft becomes the group's clarification (when it has none yet),
so the rumor queue shows the group as being clarified, and the group's new reports are marked as
being reviewed.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clarifications.models import Clarification, Status, Verdict
from core import history
from core.logs import log_event
from tips.models import REPORT_MODELS, Report, ReportStatus, Rumor

from . import lifecycle

logger = logging.getLogger(__name__)


def language_of(text):
    """``en`` for a text without a single Chinese character, else ``zh-hans`` (the office's language)."""
    if text and not any("\u4e00" <= char <= "\u9fff" for char in text):
        return "en"
    return "zh-hans"


def initial_from(report: Report) -> dict:
    """What a draft's form starts with, from a report: the claim, where and when, its language."""
    seen_on, seen_at = getattr(report, "seen_on", None), getattr(report, "seen_at", None)
    if seen_on is None and seen_at is not None:
        seen_on = timezone.localdate(seen_at)
    claim = report.matching_text or report.link
    language = getattr(report, "language", "") or language_of(claim)
    return {
        "claim": claim,
        "claim_platform": report.platform,
        "claim_seen_on": seen_on,
        "claim_url": report.link,
        "language": language if language in ("zh-hans", "en") else "zh-hans",
    }


def start_draft(*, rumor: Rumor, draft: Clarification, user) -> Clarification:
    """Save ``draft`` (built by the form, not saved) as a draft by ``user`` for ``rumor``.

    The editor writes the truth later: a draft is saved without it on purpose. The verdict starts as
    "unproven", the honest one until the editor decides.
    """
    draft.status = Status.DRAFT
    draft.verdict = draft.verdict or Verdict.UNPROVEN
    draft.authority_name = draft.authority_name or settings.OFFICE_NAME
    draft.authority_url = draft.authority_url or settings.OFFICE_URL
    draft.author = user
    draft.full_clean(exclude=["truth"])
    with transaction.atomic():
        history.record(draft, user=user, reason=_("Started from rumor group %(group)s") % {"group": rumor.pk})
        draft.save()
        rumor = Rumor.objects.select_for_update().get(pk=rumor.pk)
        if rumor.clarification_id is None:
            rumor.clarification = draft
            history.record(rumor, user=user, reason=_("Draft started: “%(title)s”") % {"title": draft.title})
            rumor.save(update_fields=["clarification"])
        for model in REPORT_MODELS:
            for report in model.objects.filter(rumor=rumor, status=ReportStatus.NEW):
                lifecycle.apply(report, "review", user=user, system=True, reason=_("A draft clarification was started"))
    log_event(logger, "clarification.drafted_for_rumor", id=draft.pk, rumor=rumor.pk, by=user.get_username())
    return draft
