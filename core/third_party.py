"""Third-party apps in the staff's language: django-axes (login protection) and django-tasks-db (the
task queue's table) ship no Chinese, and Django 5.2's own Chinese lacks a few admin strings.

- Each app is installed through an ``AppConfig`` subclass here (``INSTALLED_APPS`` names them), whose
  ``verbose_name`` is ours and translated: django-tasks-db's is a plain English string, and "Axes" means
  nothing to staff. The apps' ``name`` and ``label`` stay theirs, so their tables and URLs do not move.
- Their models' and admins' strings are ``gettext_lazy`` msgids; ``MESSAGES`` below repeats them so
  that ``make messages`` keeps them in ``locale/zh_Hans/LC_MESSAGES/django.po`` with our translations
  (translations in ``LOCALE_PATHS`` win over any app's and Django's). Nothing reads ``MESSAGES``.
- Columns and labels those admins give as plain strings are translated in ``core/admin.py``, which
  registers the same admins with translated descriptions.

``tests/test_admin_language.py`` renders the Chinese admin as a superuser and fails on a heading or
column left in English: upgrading either app and finding a new string starts there.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class LoginProtectionConfig(AxesAppConfig):
    verbose_name = _("Login protection")


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Task queue")


MESSAGES = (
    # django-axes: models, fields and admin (axes/models.py, axes/admin.py).
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
    # django-tasks-db and django-tasks: the task result's model, fields and states.
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
    # Django 5.2's admin: strings its Chinese catalogue does not have yet.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("This object doesn’t have a change history. It probably wasn’t added via this admin site."),
)
