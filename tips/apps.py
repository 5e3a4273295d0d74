from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tips"
    verbose_name = _("Citizen tips")
