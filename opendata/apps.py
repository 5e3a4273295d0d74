from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """Open data: monthly statistics and downloads of every public clarification (see ``statistics.py``).

    It reads the content and tips apps and is imported by neither.
    """

    name = "opendata"
    verbose_name = _("Open data")
