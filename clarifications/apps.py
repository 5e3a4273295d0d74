from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from .share_font import check_share_font


class ClarificationsConfig(AppConfig):
    name = "clarifications"
    verbose_name = _("Clarifications")

    def ready(self):
        checks.register(check_share_font)
