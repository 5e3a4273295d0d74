from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("Shared services")

    def ready(self):
        from django.core import checks

        # Connects the retry of failed tasks (task_finished) in every process that runs tasks.
        from . import taskqueue  # noqa: F401
        from .clients import check_proxy_count

        checks.register(check_proxy_count, checks.Tags.security, deploy=True)
