from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site, for every app at once: health, errors, backups, translations, the worker.

    This app may import every other; none imports it, except the root URLconf (``config/urls.py``).
    """

    name = "ops"
    verbose_name = _("Site operation")

    def ready(self):
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        from .health import close_if_database_file_gone, remember_database_file

        connection_created.connect(remember_database_file, dispatch_uid="piyao-sqlite-file")
        request_started.connect(close_if_database_file_gone, dispatch_uid="piyao-sqlite-file-guard")
