"""The site's and the office's names as each page shows them.

The wordmark is Chinese and English at once (``SITE_NAME_ZH`` beside ``SITE_NAME``); the office's name
follows the page's language (``OFFICE_NAME`` in Chinese, ``OFFICE_NAME_EN`` in English), so that an
English reader is not told "Published by the 市互联网信息办公室". Pages, ClaimReview and the share
images all ask here.
"""

from django.conf import settings
from django.utils.translation import get_language


def office_name(language=None):
    """The issuing office's name in ``language`` (default: the active one)."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if language.startswith("en") and settings.OFFICE_NAME_EN:
        return settings.OFFICE_NAME_EN
    return settings.OFFICE_NAME
