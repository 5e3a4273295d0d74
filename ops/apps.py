from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site, for every app at once: health, errors, backups, translations, the staff dashboard.

    Site-wide pieces live here (or, when they only guard requests and read settings, in ``config/``), so
    that the content app holds content and the tips app tips; this app may import both, they never
    import it.
    """

    name = "ops"
    verbose_name = _("Site operation")

    def ready(self):
        from django.core import checks
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created

        # Connects the retry of failed tasks (task_finished) in every process that runs tasks.
        from config import taskqueue  # noqa: F401
        from config.clients import check_proxy_count

        from .health import close_if_database_file_gone, remember_database_file

        checks.register(check_proxy_count, checks.Tags.security, deploy=True)
        connection_created.connect(remember_database_file, dispatch_uid="piyao-sqlite-file")
        request_started.connect(close_if_database_file_gone, dispatch_uid="piyao-sqlite-file-guard")
