"""Visitors' "check a screenshot": the picture kept an hour after it was read, the text a day.

The picture outlives its reading by ``CHECK_PICTURE_KEPT`` only so that a visitor whose message
matched nothing can report it with the picture ("report this rumor" on the result page carries the
check's id; ``views.tip_prefill`` keeps a copy for the tip form, ``uploads``). Nothing links a read
check to a person: the address hash is dropped when it is read.
"""

from datetime import timedelta

from django.utils import timezone

from core.storage import private_storage
from tips.models import ScreenshotCheck

CHECK_PICTURE_KEPT = timedelta(hours=1)


def remove_old_screenshot_checks(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete visitors' screenshot checks (their text, and a picture never read) older than ``older_than``.

    Run by the daily purge (``purge_tip_personal_data``). Returns how many checks went."""
    storage = private_storage()
    old = ScreenshotCheck.objects.filter(created_at__lt=timezone.now() - older_than)
    for name in old.exclude(image="").values_list("image", flat=True):
        storage.delete(name)
    return old.delete()[0]


def remove_read_check_pictures(*, older_than: timedelta = CHECK_PICTURE_KEPT) -> int:
    """Delete the pictures of checks read more than ``older_than`` ago; returns how many.

    Run whenever a visitor sends a check (``views.check_submit``) and by the daily purge."""
    storage = private_storage()
    read = ScreenshotCheck.objects.exclude(image="").filter(read_at__lt=timezone.now() - older_than)
    names = list(read.values_list("image", flat=True))
    for name in names:
        storage.delete(name)
    ScreenshotCheck.objects.filter(image__in=names).update(image="")
    return len(names)
