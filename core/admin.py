"""What the apps' admins share."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """History (who changed what, when and why) to read, never to revert: reverting would rewrite a
    status behind the back of the rules that move it (a clarification's transitions, a report's
    lifecycle), and skip their checks."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def admin_page(self, request, template, title, **context):
        """One of the admin's own pages (a confirmation, a small form), in the admin's frame."""
        context = {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **context}
        return TemplateResponse(request, template, context)
