"""The editorial workflow: one small function per status transition.

    draft --submit_for_review--> in review --publish--> published (now, or scheduled at a future time)
    in review --return_to_draft--> draft
    published, still scheduled --unpublish--> in review
    published and public --withdraw--> withdrawn (kept at its URL with a public note)

Each transition asks its ``why_not_<transition>`` function (the user's permission, the current status,
the four-eyes rule and the publish checklist) and raises ``TransitionRefused`` with its reasons, meant
for the person who asked. The change page's buttons ask the same functions before anyone clicks: a
move blocked by the four-eyes rule or the checklist is shown disabled with those reasons
(``transition_buttons``), so a rule and its wording live here once. ``TRANSITIONS`` at the end is the
one list of them as staff see them (label, confirmation, permission, whether a page asks something
first): the admin's list actions, the change page's buttons and its template all loop over it, so a
transition is named here alone. Editors hold ``change_clarification``;
making anything public needs ``publish_clarification`` (the Publisher group). The four-eyes rule
(``PIYAO_FOUR_EYES``) keeps authors, and whoever last changed the content, from publishing it. Every
transition saves once, inside a transaction, with the acting user and a change reason in the history.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from core.logs import log_event

from .history import content_editors
from .models import Clarification, Status

logger = logging.getLogger(__name__)

EDIT_PERMISSION = "clarifications.change_clarification"
PUBLISH_PERMISSION = "clarifications.publish_clarification"


class TransitionRefused(Exception):
    """A transition that may not happen; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def missing_for_publication(clarification):
    """The publish checklist: the names of the parts still missing (empty when ready)."""
    missing = []
    if not clarification.claim.strip():
        missing.append(_("the claim"))
    if not clarification.verdict:
        missing.append(_("a verdict"))
    if not clarification.truth.strip():
        missing.append(_("the truth"))
    if not clarification.sources.exists():
        missing.append(_("at least one evidence source"))
    return missing


# --- Why not: the rules, asked by the buttons before and by the transitions themselves ------------


@dataclass(frozen=True)
class Refusal:
    """Why a transition may not happen now: one or more reasons, in the user's language.

    ``offered`` tells a button what to do with it. A move that is the user's to make from this state
    but blocked by something else (the four-eyes rule, a gap in the publish checklist) is shown
    disabled, with the reasons; a move the user may never make (no permission) or that does not
    start from this state is not shown at all.
    """

    reasons: tuple[str | Promise, ...]
    offered: bool = False

    @property
    def message(self):
        return format_lazy("{}" + " {}" * (len(self.reasons) - 1), *self.reasons)


def _refusal(*reasons, offered=False):
    return Refusal(reasons=tuple(reasons), offered=offered)


def _lacking(user, permission, message):
    if not (user.is_active and user.has_perm(permission)):
        return _refusal(message)
    return None


def why_not_submit_for_review(*, clarification: Clarification, user) -> Refusal | None:
    return _lacking(user, EDIT_PERMISSION, _("You do not have permission to submit clarifications for review.")) or (
        None if clarification.status == Status.DRAFT else _refusal(_("Only a draft can be submitted for review."))
    )


def why_not_return_to_draft(*, clarification: Clarification, user) -> Refusal | None:
    return _lacking(user, EDIT_PERMISSION, _("You do not have permission to edit clarifications.")) or (
        None
        if clarification.status == Status.IN_REVIEW
        else _refusal(_("Only a clarification in review can go back to draft."))
    )


def why_not_publish(*, clarification: Clarification, user) -> Refusal | None:
    """Publishing now or at a time: the permission, the state, then the four-eyes rule and the checklist.

    The last two are the reasons a publisher sees on a disabled button, all of them at once.
    """
    lacking = _lacking(user, PUBLISH_PERMISSION, _("You do not have permission to publish clarifications."))
    if lacking:
        return lacking
    if not (clarification.status == Status.IN_REVIEW or clarification.is_scheduled):
        return _refusal(
            _("Only a clarification in review (or one still scheduled) can be published; it is %(status)s.")
            % {"status": _status_label(clarification)}
        )
    reasons = []
    if getattr(settings, "PIYAO_FOUR_EYES", True) and (four_eyes := why_not_four_eyes(clarification, user)):
        reasons.append(four_eyes)
    if missing := missing_for_publication(clarification):
        reasons.append(format_lazy(_("It cannot be published yet. Missing: {}."), _join(missing)))
    return _refusal(*reasons, offered=True) if reasons else None


def why_not_unpublish(*, clarification: Clarification, user) -> Refusal | None:
    lacking = _lacking(user, PUBLISH_PERMISSION, _("You do not have permission to unpublish clarifications."))
    if lacking or clarification.is_scheduled:
        return lacking
    if clarification.status == Status.PUBLISHED:
        return _refusal(_("It is already public, so it cannot be unpublished: withdraw it with a public note instead."))
    return _refusal(_("Only a scheduled clarification can be unpublished."))


def why_not_withdraw(*, clarification: Clarification, user) -> Refusal | None:
    lacking = _lacking(user, PUBLISH_PERMISSION, _("You do not have permission to withdraw clarifications."))
    if lacking:
        return lacking
    if clarification.status != Status.PUBLISHED:
        return _refusal(
            _("Only a published clarification can be withdrawn; it is %(status)s.")
            % {"status": _status_label(clarification)}
        )
    if clarification.is_scheduled:
        return _refusal(_("It is not public yet: unpublish it instead of withdrawing it."))
    return None


def why_not_four_eyes(clarification, user):
    """The four-eyes rule's reason against ``user`` publishing, or None: the publisher is neither the
    author, nor the last person who changed the content, nor its only editor.

    Taken from the history records (``history.content_editors``), not from the author field alone: a
    publisher who rewrites someone else's draft becomes its last editor, and an imported draft without
    an author that one publisher edits has had no other eyes on it.
    """
    if clarification.author_id and clarification.author_id == user.pk:
        return _("Four-eyes rule: you wrote this clarification, so another publisher must publish it.")
    changes = content_editors(clarification)
    editors = {user_id for _date, user_id in changes if user_id is not None}
    if (changes and changes[-1][1] == user.pk) or editors == {user.pk}:
        return _(
            "Four-eyes rule: you made the last change to its content, so someone else must review it and "
            "another publisher must publish it."
        )
    return None


def transition_buttons(*, clarification, user) -> list[tuple["Transition", Refusal | None]]:
    """The change page's buttons, in the registry's order: each transition this user may make from the
    clarification's state, with None (ready) or the refusal that disables it (``Refusal.offered``)."""
    answers: dict[Callable, Refusal | None] = {}  # publish and schedule ask the same question once
    buttons = []
    for transition in TRANSITIONS.values():
        if transition.why_not not in answers:
            answers[transition.why_not] = transition.why_not(clarification=clarification, user=user)
        refusal = answers[transition.why_not]
        if refusal is None or refusal.offered:
            buttons.append((transition, refusal))
    return buttons


# --- The transitions -----------------------------------------------------------------------------


def submit_for_review(*, clarification: Clarification, user) -> Clarification:
    with transaction.atomic():
        current = _lock(clarification)
        _refuse(why_not_submit_for_review(clarification=current, user=user))
        current.status = Status.IN_REVIEW
        _save(current, user=user, reason=_("Submitted for review"), fields=["status"], event="submitted_for_review")
    return _refreshed(clarification)


def return_to_draft(*, clarification: Clarification, user) -> Clarification:
    with transaction.atomic():
        current = _lock(clarification)
        _refuse(why_not_return_to_draft(clarification=current, user=user))
        current.status = Status.DRAFT
        _save(current, user=user, reason=_("Returned to draft"), fields=["status"], event="returned_to_draft")
    return _refreshed(clarification)


def publish(*, clarification: Clarification, user, at: datetime | None = None) -> Clarification:
    """Publish now (``at`` is None) or schedule for a future time; the publisher becomes the reviewer.

    A scheduled clarification may be published again: now, or at another time.
    """
    now = timezone.now()
    if at is not None and at <= now:
        raise TransitionRefused(_("A scheduled time must be in the future; to publish at once, publish now."))
    with transaction.atomic():
        current = _lock(clarification)
        _refuse(why_not_publish(clarification=current, user=user))
        current.status = Status.PUBLISHED
        current.published_at = at or now
        current.reviewer = user
        reason = _("Scheduled") if at else _("Published")
        event = "scheduled" if at else "published"
        _save(current, user=user, reason=reason, fields=["status", "published_at", "reviewer"], event=event)
    return _refreshed(clarification)


def schedule(*, clarification: Clarification, user, at: datetime) -> Clarification:
    """Publish at a future time (or move a scheduled clarification to another time)."""
    return publish(clarification=clarification, user=user, at=at)


def unpublish(*, clarification: Clarification, user) -> Clarification:
    """Take a scheduled clarification back to review before anyone has seen it.

    Once public, a clarification is withdrawn with a note instead: it stays at its URL, never vanishes.
    """
    with transaction.atomic():
        current = _lock(clarification)
        _refuse(why_not_unpublish(clarification=current, user=user))
        current.status = Status.IN_REVIEW
        current.published_at = None
        _save(
            current,
            user=user,
            reason=_("Unpublished (schedule cancelled)"),
            fields=["status", "published_at"],
            event="unpublished",
        )
    return _refreshed(clarification)


def withdraw(*, clarification: Clarification, user, note: str) -> Clarification:
    """Withdraw a public clarification; it stays at its URL with the note, listed nowhere."""
    note = (note or "").strip()
    with transaction.atomic():
        current = _lock(clarification)
        _refuse(why_not_withdraw(clarification=current, user=user))
        if not note:
            raise TransitionRefused(_("A withdrawal needs a public note saying why."))
        current.status = Status.WITHDRAWN
        current.withdrawal_note = note
        current.withdrawn_at = timezone.now()
        _save(
            current,
            user=user,
            reason=_("Withdrawn"),
            fields=["status", "withdrawal_note", "withdrawn_at"],
            event="withdrawn",
        )
    return _refreshed(clarification)


@dataclass(frozen=True)
class Transition:
    """One transition as staff meet it: a list action, a button on the change page, a confirmation."""

    name: str
    function: Callable[..., Clarification]
    label: str | Promise  # the button (lazy translations are Promises)
    done: str | Promise  # the confirmation, with %(title)s and %(time)s (the publish time)
    permission: str
    why_not: Callable[..., Refusal | None]  # the rules, asked by the button before the transition asks them
    asks: str | None = None  # the argument a form page asks for first ("at", "note"); None: one click
    list_label: str | Promise | None = None  # the list action's wording, when it needs more than the button's
    primary: bool = False  # the button that moves the clarification forward
    makes_public: bool = False  # its page says what readers will see, and publishing now asks to confirm

    @property
    def action_label(self):
        return self.list_label or self.label

    @property
    def has_page(self):
        """Whether it goes through a page first (a time, a note, or the confirmation of publishing)."""
        return self.asks is not None or self.makes_public


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "submit_for_review",
            submit_for_review,
            _("Submit for review"),
            _("“%(title)s” was submitted for review."),
            EDIT_PERMISSION,
            why_not_submit_for_review,
            primary=True,
        ),
        Transition(
            "return_to_draft",
            return_to_draft,
            _("Return to draft"),
            _("“%(title)s” was returned to draft."),
            EDIT_PERMISSION,
            why_not_return_to_draft,
        ),
        Transition(
            "publish",
            publish,
            _("Publish now"),
            _("“%(title)s” is published."),
            PUBLISH_PERMISSION,
            why_not_publish,
            primary=True,
            makes_public=True,
        ),
        Transition(
            "schedule",
            schedule,
            _("Schedule…"),
            _("“%(title)s” is scheduled for %(time)s."),
            PUBLISH_PERMISSION,
            why_not_publish,
            asks="at",
            makes_public=True,
        ),
        Transition(
            "unpublish",
            unpublish,
            _("Unpublish"),
            _("“%(title)s” was unpublished and is back in review."),
            PUBLISH_PERMISSION,
            why_not_unpublish,
            list_label=_("Unpublish (scheduled only)"),
        ),
        Transition(
            "withdraw",
            withdraw,
            _("Withdraw…"),
            _("“%(title)s” was withdrawn; its page now shows the note."),
            PUBLISH_PERMISSION,
            why_not_withdraw,
            asks="note",
            list_label=_("Withdraw with a public note…"),
        ),
    ]
}


def _lock(clarification):
    # Re-read the row under a lock: two publishers clicking at once must not both succeed.
    return Clarification.objects.select_for_update().get(pk=clarification.pk)


def _refreshed(clarification):
    clarification.refresh_from_db()
    return clarification


def _refuse(refusal):
    if refusal is not None:
        raise TransitionRefused(refusal.message)


def _status_label(clarification):
    return _("scheduled") if clarification.is_scheduled else clarification.get_status_display().lower()


def named_errors(instance, error):
    """A model's validation errors, each led by its field's name as the form labels it ("The truth: …")."""
    named = []
    for name, messages in error.message_dict.items():
        for message in messages:
            if name == NON_FIELD_ERRORS:
                named.append(message)
            else:
                field = capfirst(instance._meta.get_field(name).verbose_name)
                named.append(_("%(field)s: %(message)s") % {"field": field, "message": message})
    return named


def _join(parts):
    return format_lazy("{}" + ", {}" * (len(parts) - 1), *parts)


def _save(clarification, *, user, reason, fields, event):
    try:
        clarification.full_clean()
    except ValidationError as error:
        raise TransitionRefused(" ".join(named_errors(clarification, error))) from error
    # simple_history reads these to record who made the change and why.
    clarification._history_user = user
    clarification._change_reason = str(reason)
    clarification.save(update_fields=[*fields, "modified_at"])
    log_event(
        logger,
        f"clarification.{event}",
        id=clarification.pk,
        status=clarification.status,
        published_at=clarification.published_at.isoformat() if clarification.published_at else None,
        by=user.get_username(),
    )
