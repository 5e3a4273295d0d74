from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClarificationsConfig(AppConfig):
    name = "clarifications"
    verbose_name = _("Clarifications")

    def ready(self):
        from django.core import checks
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from config.clients import check_proxy_count

        from .health import close_if_database_file_gone, remember_database_file

        checks.register(check_proxy_count, checks.Tags.security, deploy=True)
        connection_created.connect(remember_database_file, dispatch_uid="piyao-sqlite-file")
        request_started.connect(close_if_database_file_gone, dispatch_uid="piyao-sqlite-file-guard")
