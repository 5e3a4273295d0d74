"""Answering a rumor once for all its reports, and the reports that arrive after it was answered.

``answer_rumor`` is "answer this rumor": the group takes the clarification as its answer and every
open report in it (citizens' tips from the web and WeChat, staff's sightings) is answered in the same
transaction, all or none; the citizens who agreed are e-mailed after commit. ``on_arrival`` answers a
report at once when the group it joins is already answered by a public clarification, so that the
citizen's receipt and WeChat reply carry the answer. Both go through the lifecycle's ``answer`` move.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from clarifications.models import Clarification
from core import history
from tips.models import REPORT_MODELS, Report, Rumor

from . import lifecycle, rumors


def answer_rumor(*, rumor: Rumor, clarification: Clarification, user, site_url: str) -> tuple[int, int]:
    """Answer every open report of ``rumor`` with ``clarification``; returns (answered, e-mails to send).

    Refused (``MoveRefused``) and nothing changed when the clarification is not public or the user may
    not answer reports; any failure half-way leaves no report answered and no e-mail queued.
    """
    if not clarification.is_public:
        raise lifecycle.MoveRefused(_("A rumor is answered with a public clarification (not a draft, not scheduled)."))
    if not (user.is_active and user.has_perm(lifecycle.TRIAGE_PERMISSION)):
        raise lifecycle.MoveRefused(_("You do not have permission to do this."))
    answered = mailed = 0
    with transaction.atomic():
        rumor = Rumor.objects.select_for_update().get(pk=rumor.pk)
        if rumor.clarification_id != clarification.pk:
            rumor.clarification = clarification
            history.record(rumor, user=user, reason=_("Answered with “%(title)s”") % {"title": clarification.title})
            rumor.save(update_fields=["clarification"])
        for model in REPORT_MODELS:
            for report in model.objects.filter(rumor=rumor).open().order_by("pk"):
                lifecycle.apply(report, "answer", user=user, clarification=clarification, site_url=site_url)
                answered += 1
                mailed += bool(getattr(report, "contact_email", "") and getattr(report, "contact_consent", False))
    return answered, mailed


def answer_reports(*, reports, clarification: Clarification, user, site_url: str):
    """Answer these reports (a list action); their groups without an answer take this one.

    Returns (answered, refused with why); reports that may not be answered are left as they were.
    """
    with transaction.atomic():
        answered, refused = lifecycle.apply_many(
            reports, "answer", user=user, clarification=clarification, site_url=site_url
        )
        for rumor in Rumor.objects.filter(pk__in={report.rumor_id for report in answered}, clarification=None):
            rumor.clarification = clarification
            history.record(rumor, user=user, reason=_("Answered with “%(title)s”") % {"title": clarification.title})
            rumor.save(update_fields=["clarification"])
    return answered, refused


def public_answer_of(rumor_id) -> Clarification | None:
    """The group's clarification when the public can read it (not a draft, scheduled or withdrawn)."""
    if rumor_id is None:
        return None
    return Clarification.objects.published().filter(rumors__pk=rumor_id).first()


def on_arrival(report: Report, *, site_url: str) -> bool:
    """Answer a report that just joined a group already answered by a public clarification (in the
    caller's transaction); True when it was."""
    answer = public_answer_of(report.rumor_id)
    if answer is None:
        return False
    lifecycle.apply(
        report,
        "answer",
        system=True,
        clarification=answer,
        site_url=site_url,
        reason=_("It joined a rumor group already answered"),
    )
    return True


def detach(*, report: Report, user, reason: str) -> Rumor:
    """Take a report out of a group it was wrongly put in, into a group of its own; a report closed
    with the group (answered at once on arrival, or with the rest) is re-opened, with the reason.

    Needs the permission to move reports, and to re-open them when the report is closed.
    """
    if not reason.strip():
        raise lifecycle.MoveRefused(_("Say why the report does not belong to this group."))
    if not (user.is_active and user.has_perm(lifecycle.TRIAGE_PERMISSION)):
        raise lifecycle.MoveRefused(_("You do not have permission to do this."))
    with transaction.atomic():
        old = report.rumor_id
        why = _("Detached from group %(group)s: %(reason)s") % {"group": old, "reason": reason}
        if report.is_closed:
            lifecycle.apply(report, "reopen", user=user, reason=why)
        return rumors.split(reports=[report], user=user, reason=why)
