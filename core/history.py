"""Who made a change and why, for the history records (django-simple-history).

simple-history reads two attributes of the instance being saved or deleted: the user and the reason.
``record`` sets them, so that every service says both the same way; the reason is a text field
(``SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD``): a staff member's reason is kept whole.
"""


def record(instance, *, user, reason) -> None:
    """The next save or delete of ``instance`` is recorded as made by ``user`` (None: the site) for ``reason``."""
    instance._history_user = user
    instance._change_reason = str(reason)
