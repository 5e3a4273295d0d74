"""Visitors' "check a screenshot": kept only for a day."""

from datetime import timedelta

from django.utils import timezone

from core.storage import private_storage
from tips.models import ScreenshotCheck


def remove_old_screenshot_checks(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete visitors' screenshot checks (their text, and a picture never read) older than ``older_than``.

    Run by the daily purge (``purge_tip_personal_data``). Returns how many checks went."""
    storage = private_storage()
    old = ScreenshotCheck.objects.filter(created_at__lt=timezone.now() - older_than)
    for name in old.exclude(image="").values_list("image", flat=True):
        storage.delete(name)
    return old.delete()[0]
