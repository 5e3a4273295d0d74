"""The admin pages of the third-party apps (see ``core/third_party.py``), with the column names their
authors gave as plain English strings made translatable. Registered again over the apps' own, which
run first (they come before ``core`` in ``INSTALLED_APPS``); nothing else about them changes."""

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)


class TaskResultAdmin(DBTaskResultAdmin):
    @admin.display(description=_("task"))
    def task_name(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)


for model, model_admin in [(AccessAttempt, AccessAttemptAdmin), (DBTaskResult, TaskResultAdmin)]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
