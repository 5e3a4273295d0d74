from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the site, for every app at once: health, errors, backups, translations, the worker.

    This app may import every other; none imports it, except the root URLconf (``config/urls.py``).
    """

    name = "ops"
    verbose_name = _("Site operation")
