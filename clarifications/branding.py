"""The site's and the office's names as each page shows them.

The wordmark is Chinese and English at once (``SITE_NAME_ZH`` beside ``SITE_NAME``); the office's name
follows the page's language (``OFFICE_NAME`` in Chinese, ``OFFICE_NAME_EN`` in English), so that an
English reader is not told "Published by the 市互联网信息办公室". Pages, ClaimReview and the share
images all ask here.
"""

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def office_name(language=None):
    """The issuing office's name in ``language`` (default: the active one)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and settings.OFFICE_NAME_EN:
        return settings.OFFICE_NAME_EN
    return settings.OFFICE_NAME


def _admin_header():
    names = " ".join(name for name in (settings.SITE_NAME_ZH, settings.SITE_NAME) if name)
    return _("%(site)s · staff") % {"site": names}


# Lazy: the admin site is set up at import time, before settings overrides and the request's language.
admin_header = lazy(_admin_header, str)
admin_title = lazy(lambda: settings.SITE_NAME, str)
