"""Who made a change and why, for the history records (django-simple-history), and the admin that
shows them.

simple-history reads two attributes of the instance being saved or deleted: the user and the reason.
``record`` sets them, so that every service says both the same way; the reason is a text field
(``SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD``): a staff member's reason is kept whole.
"""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin


def record(instance, *, user, reason) -> None:
    """The next save or delete of ``instance`` is recorded as made by ``user`` (None: the site) for ``reason``."""
    instance._history_user = user
    instance._change_reason = str(reason)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History (who changed what, when and why) to read, never to revert: reverting would rewrite a
    status behind the back of the rules that move it (a clarification's transitions, a report's
    lifecycle), and skip their checks."""

    def revert_disabled(self, request, obj=None):  # noqa: ARG002 (simple-history's hook signature)
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def admin_page(self, request, template, title, **context):
        """One of the admin's own pages (a confirmation, a small form), in the admin's frame."""
        context = {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **context}
        return TemplateResponse(request, template, context)
