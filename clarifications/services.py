"""The editorial workflow: one small function per status transition.

    draft --submit_for_review--> in review --publish--> published (now, or scheduled at a future time)
    in review --return_to_draft--> draft
    published, still scheduled --unpublish--> in review
    published and public --withdraw--> withdrawn (kept at its URL with a public note)

Each function checks the user's permission, the current status and the content, and raises
``TransitionRefused`` with a message meant for the person who asked. ``TRANSITIONS`` at the end is the
one list of them as staff see them (label, confirmation, permission, whether a form asks something
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
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
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


def available_transitions(*, clarification, user) -> list["Transition"]:
    """The transitions this user may try from the current status (for showing buttons), in order.

    The content checks (checklist, four-eyes) are left to the transition itself, which explains a
    refusal; offering the button and then saying why is clearer than hiding it.
    """
    if not user.has_perm(EDIT_PERMISSION):
        return []
    status = clarification.status
    if status == Status.DRAFT:
        names = ["submit_for_review"]
    elif status == Status.IN_REVIEW:
        names = ["return_to_draft", "publish", "schedule"]
    elif clarification.is_scheduled:
        names = ["publish", "schedule", "unpublish"]
    elif status == Status.PUBLISHED:
        names = ["withdraw"]
    else:
        names = []
    return [TRANSITIONS[name] for name in names if user.has_perm(TRANSITIONS[name].permission)]


def submit_for_review(*, clarification: Clarification, user) -> Clarification:
    with transaction.atomic():
        current = _lock(clarification)
        _require(user, EDIT_PERMISSION, _("You do not have permission to submit clarifications for review."))
        _require_status(current, [Status.DRAFT], _("Only a draft can be submitted for review."))
        current.status = Status.IN_REVIEW
        _save(current, user=user, reason=_("Submitted for review"), fields=["status"], event="submitted_for_review")
    return _refreshed(clarification)


def return_to_draft(*, clarification: Clarification, user) -> Clarification:
    with transaction.atomic():
        current = _lock(clarification)
        _require(user, EDIT_PERMISSION, _("You do not have permission to edit clarifications."))
        _require_status(current, [Status.IN_REVIEW], _("Only a clarification in review can go back to draft."))
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
        _require(user, PUBLISH_PERMISSION, _("You do not have permission to publish clarifications."))
        if not (current.status == Status.IN_REVIEW or current.is_scheduled):
            raise TransitionRefused(
                _("Only a clarification in review (or one still scheduled) can be published; it is %(status)s.")
                % {"status": _status_label(current)}
            )
        if getattr(settings, "PIYAO_FOUR_EYES", True):
            _require_four_eyes(current, user)
        missing = missing_for_publication(current)
        if missing:
            raise TransitionRefused(
                format_lazy(_("It cannot be published yet. Missing: {}."), _join(missing)),
            )
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
        _require(user, PUBLISH_PERMISSION, _("You do not have permission to unpublish clarifications."))
        if not current.is_scheduled:
            if current.status == Status.PUBLISHED:
                raise TransitionRefused(
                    _("It is already public, so it cannot be unpublished: withdraw it with a public note instead.")
                )
            raise TransitionRefused(_("Only a scheduled clarification can be unpublished."))
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
        _require(user, PUBLISH_PERMISSION, _("You do not have permission to withdraw clarifications."))
        if current.status != Status.PUBLISHED:
            raise TransitionRefused(
                _("Only a published clarification can be withdrawn; it is %(status)s.")
                % {"status": _status_label(current)}
            )
        if current.is_scheduled:
            raise TransitionRefused(_("It is not public yet: unpublish it instead of withdrawing it."))
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
    asks: str | None = None  # the argument a form page asks for first ("at", "note"); None: one click
    list_label: str | Promise | None = None  # the list action's wording, when it needs more than the button's
    primary: bool = False  # the button that moves the clarification forward

    @property
    def action_label(self):
        return self.list_label or self.label


TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            "submit_for_review",
            submit_for_review,
            _("Submit for review"),
            _("“%(title)s” was submitted for review."),
            EDIT_PERMISSION,
            primary=True,
        ),
        Transition(
            "return_to_draft",
            return_to_draft,
            _("Return to draft"),
            _("“%(title)s” was returned to draft."),
            EDIT_PERMISSION,
        ),
        Transition(
            "publish", publish, _("Publish now"), _("“%(title)s” is published."), PUBLISH_PERMISSION, primary=True
        ),
        Transition(
            "schedule",
            schedule,
            _("Schedule…"),
            _("“%(title)s” is scheduled for %(time)s."),
            PUBLISH_PERMISSION,
            asks="at",
        ),
        Transition(
            "unpublish",
            unpublish,
            _("Unpublish"),
            _("“%(title)s” was unpublished and is back in review."),
            PUBLISH_PERMISSION,
            list_label=_("Unpublish (scheduled only)"),
        ),
        Transition(
            "withdraw",
            withdraw,
            _("Withdraw…"),
            _("“%(title)s” was withdrawn; its page now shows the note."),
            PUBLISH_PERMISSION,
            asks="note",
            list_label=_("Withdraw with a public note…"),
        ),
    ]
}


def _require_four_eyes(clarification, user):
    """The publisher is neither the author, nor the last person who changed the content, nor its only editor.

    Taken from the history records (``history.content_editors``), not from the author field alone: a
    publisher who rewrites someone else's draft becomes its last editor, and an imported draft without
    an author that one publisher edits has had no other eyes on it.
    """
    if clarification.author_id and clarification.author_id == user.pk:
        raise TransitionRefused(
            _("Four-eyes rule: you wrote this clarification, so another publisher must publish it.")
        )
    changes = content_editors(clarification)
    editors = {user_id for _date, user_id in changes if user_id is not None}
    if (changes and changes[-1][1] == user.pk) or editors == {user.pk}:
        raise TransitionRefused(
            _(
                "Four-eyes rule: you made the last change to its content, so someone else must review it and "
                "another publisher must publish it."
            )
        )


def _lock(clarification):
    # Re-read the row under a lock: two publishers clicking at once must not both succeed.
    return Clarification.objects.select_for_update().get(pk=clarification.pk)


def _refreshed(clarification):
    clarification.refresh_from_db()
    return clarification


def _require(user, permission, message):
    if not (user.is_active and user.has_perm(permission)):
        raise TransitionRefused(message)


def _require_status(clarification, statuses, message):
    if clarification.status not in statuses:
        raise TransitionRefused(message)


def _status_label(clarification):
    return _("scheduled") if clarification.is_scheduled else clarification.get_status_display().lower()


def _join(parts):
    return format_lazy("{}" + ", {}" * (len(parts) - 1), *parts)


def _save(clarification, *, user, reason, fields, event):
    try:
        clarification.full_clean()
    except ValidationError as error:
        messages = [message for messages in error.message_dict.values() for message in messages]
        raise TransitionRefused(" ".join(messages)) from error
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
