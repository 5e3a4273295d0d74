"""One lifecycle for every report, whatever channel brought it (web form, WeChat, online inspection,
and any channel added later): the table of moves, and the one function that makes a move.

    new ──review──▶ reviewing
    new, reviewing ──answer──▶ answered            (a public clarification; the citizen is e-mailed if they agreed)
    new, reviewing ──close──▶ not actionable
    new, reviewing ──mark_duplicate──▶ duplicate   (tips: of the first tip of their group)
    answered, not actionable, duplicate ──reopen──▶ reviewing   (with a reason; the answer is taken back)

``MOVES`` is that table: for each move the statuses it may start from, the status it leads to, the
kinds of report it applies to, the permission it needs and what it records. The admin's list actions,
the buttons on a report's page and every service read it; nothing else assigns a report's status.
A move the table does not allow is refused with a message (``MoveRefused``), never applied.

An answer a citizen was given is never erased by another move: only ``reopen`` takes it back, and only
with a reason, which the report's history (who, when, why, the answer before) and a log line keep.

Moves run in a transaction on the report's row, locked, so two staff clicking at once cannot both
move it; each move saves once with the acting user and the reason in the history (system moves, such
as answering a report that joins an already answered group, have no user), logs one line, and
refreshes its rumor group's counts (``rumors.recount``).
"""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification
from core import history
from core.logs import log_event
from tips.models import CLOSED_STATUSES, OPEN_STATUSES, Report, ReportStatus

from . import rumors
from .tasks import send_answer_email

logger = logging.getLogger(__name__)

TRIAGE_PERMISSION = "tips.triage_report"
REOPEN_PERMISSION = "tips.reopen_report"
ALL_KINDS = frozenset({"tip", "sighting"})


class MoveRefused(Exception):
    """A move that may not happen; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Move:
    """One row of the lifecycle table."""

    name: str
    label: str | Promise  # the button and the list action
    sources: frozenset[str]  # the statuses it may start from
    target: str
    permission: str
    records: str | Promise  # what the move writes down, beside who and when (shown in the docs and tests)
    done: str | Promise  # the confirmation, with %(count)d
    kinds: frozenset[str] = ALL_KINDS
    asks: str = ""  # what a form asks first: "clarification" or "reason"; "" for one click

    def applies_to(self, report):
        return report.kind in self.kinds


MOVES = {
    move.name: move
    for move in [
        Move(
            "review",
            _("Mark as being reviewed"),
            frozenset({ReportStatus.NEW}),
            ReportStatus.REVIEWING,
            TRIAGE_PERMISSION,
            records=_("who and when"),
            done=_("%(count)d report(s) marked as being reviewed."),
        ),
        Move(
            "answer",
            _("Answer with a clarification…"),
            frozenset(OPEN_STATUSES),
            ReportStatus.ANSWERED,
            TRIAGE_PERMISSION,
            records=_("the public clarification, the time it was closed; an e-mail to a citizen who agreed"),
            done=_("%(count)d report(s) answered."),
            asks="clarification",
        ),
        Move(
            "close",
            _("Close as not actionable"),
            frozenset(OPEN_STATUSES),
            ReportStatus.NOT_ACTIONABLE,
            TRIAGE_PERMISSION,
            records=_("the time it was closed"),
            done=_("%(count)d report(s) closed as not actionable."),
        ),
        Move(
            "mark_duplicate",
            _("Mark as a duplicate of the first tip of its group"),
            frozenset(OPEN_STATUSES),
            ReportStatus.DUPLICATE,
            TRIAGE_PERMISSION,
            records=_("the original tip, the time it was closed"),
            done=_("%(count)d report(s) marked as duplicates."),
            kinds=frozenset({"tip"}),
        ),
        Move(
            "reopen",
            _("Re-open…"),
            frozenset(CLOSED_STATUSES),
            ReportStatus.REVIEWING,
            REOPEN_PERMISSION,
            records=_("the reason; the answer it had stays in its history"),
            done=_("%(count)d report(s) re-opened."),
            asks="reason",
        ),
    ]
}


def why_not(report: Report, move: Move, user=None, *, system=False) -> str | None:
    """Why ``user`` may not make ``move`` on ``report`` now, or None when they may.

    A system move (``system``, or no ``user``: the site itself, e.g. answering a report that joins an
    answered group) skips the permission; the table's statuses and kinds always apply.
    """
    if not move.applies_to(report):
        return str(_("This move does not apply to a %(kind)s.") % {"kind": report._meta.verbose_name})
    if not system and user is not None and not (user.is_active and user.has_perm(move.permission)):
        return str(_("You do not have permission to do this."))
    if report.status not in move.sources:
        status = report.get_status_display()
        if report.is_closed and move.name != "reopen":
            return str(_("It is %(status)s: re-open it first, with a reason.") % {"status": status})
        return str(_("It is %(status)s.") % {"status": status})
    return None


def allowed_moves(report: Report, user) -> list[tuple[Move, str | None]]:
    """Every move of the table for this kind of report, each with why this user may not make it now
    (None when they may): what a report's page shows as buttons, enabled or not."""
    return [(move, why_not(report, move, user)) for move in MOVES.values() if move.applies_to(report)]


def apply(
    report: Report,
    name: str,
    *,
    user=None,
    system: bool = False,
    clarification: Clarification | None = None,
    original: Report | None = None,
    reason: str = "",
    site_url: str = "",
) -> Report:
    """Make the move ``name`` on ``report`` (see the module docstring); MoveRefused when it may not.

    ``clarification`` for an answer (public only), ``original`` for a duplicate, ``reason`` for a
    re-opening; ``site_url`` (``https://host/``) for the link in the answer's e-mail. ``system``: a move
    the site makes on its own account (``user``, if given, is recorded as who caused it).
    """
    move = MOVES[name]
    with transaction.atomic():
        current = type(report).objects.select_for_update().get(pk=report.pk)
        refusal = why_not(current, move, user, system=system)
        if refusal:
            raise MoveRefused(refusal)
        previous = current.status
        fields = _record(current, move, clarification=clarification, original=original, reason=reason)
        current.status = move.target
        _save(current, fields=["status", *fields], user=user, reason=reason or move.label)
        rumors.recount([current.rumor_id])
        if move.name == "answer":
            _mail_answer(current, site_url)
    log_event(
        logger,
        f"report.{move.name}",
        kind=current.kind,
        reference=current.reference,
        was=previous,
        status=current.status,
        clarification=current.clarification_id or "",
        by=user.get_username() if user is not None else "system",
        reason=reason,
    )
    for name_ in ("status", "closed_at", "clarification_id", "duplicate_of_id"):
        if hasattr(current, name_):
            setattr(report, name_, getattr(current, name_))
    return report


def apply_many(reports, name: str, **kwargs) -> tuple[list[Report], list[tuple[Report, str]]]:
    """The move on each report that may make it, all in one transaction (a failure half-way changes
    nothing); returns (moved, refused with why). A refused report is left exactly as it was."""
    moved, refused = [], []
    with transaction.atomic():
        for report in reports:
            try:
                moved.append(apply(report, name, **kwargs))
            except MoveRefused as refusal:
                refused.append((report, refusal.message))
    return moved, refused


def _record(report, move, *, clarification, original, reason):
    """Write what the move records on ``report``; returns the fields it set."""
    if move.name == "answer":
        if clarification is None or not clarification.is_public:
            raise MoveRefused(_("A report is answered with a public clarification (not a draft, not scheduled)."))
        report.clarification = clarification
        return [*_closed(report), "clarification", *_no_original(report)]
    if move.name == "close":
        report.clarification = None
        return [*_closed(report), "clarification", *_no_original(report)]
    if move.name == "mark_duplicate":
        if original is None or original.pk == report.pk or type(original) is not type(report):
            raise MoveRefused(_("A duplicate needs another report of the same kind as its original."))
        report.duplicate_of = original
        report.clarification = None
        return [*_closed(report), "clarification", "duplicate_of"]
    if move.name == "reopen":
        if not reason.strip():
            raise MoveRefused(_("Say why it is re-opened: the citizen's answer is taken back."))
        report.closed_at = None
        report.clarification = None
        return ["closed_at", "clarification", *_no_original(report)]
    return []


def _closed(report):
    report.closed_at = timezone.now()
    return ["closed_at"]


def _no_original(report):
    if hasattr(report, "duplicate_of_id"):
        report.duplicate_of = None
        return ["duplicate_of"]
    return []


def _save(report, *, fields, user, reason):
    try:
        report.full_clean(exclude=["rumor", "clarification", "duplicate_of", "recorded_by"])
    except ValidationError as error:
        raise MoveRefused(" ".join(error.messages)) from error
    # simple_history reads these to record who made the change and why.
    history.record(report, user=user, reason=reason)
    report.save(update_fields=fields)


def _mail_answer(report, site_url):
    """The citizen who left an address and agreed hears of the answer, after commit (a mail server
    error is the queue's to retry and can never take the answer back)."""
    if getattr(report, "contact_email", "") and getattr(report, "contact_consent", False):
        report_id, clarification_id = report.pk, report.clarification_id
        transaction.on_commit(lambda: send_answer_email.enqueue(report_id, clarification_id, site_url), robust=True)
