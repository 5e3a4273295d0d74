"""What is not kept: citizens' personal data after a while, and screenshot files no report refers to."""

import time
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from core.storage import private_storage
from tips.models import Sighting, Tip


def purge_personal_data(*, older_than_days: int) -> int:
    """Remove contact e-mail and address hash of tips closed more than ``older_than_days`` ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return (
        Tip.objects.closed()
        .filter(closed_at__lt=cutoff)
        .exclude(contact_email="", client_hash="")
        .update(contact_email="", contact_consent=False, client_hash="", personal_data_purged_at=timezone.now())
    )


def remove_orphan_screenshots(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete screenshot files that no tip refers to, left by a failed or killed submission.

    Only files older than ``older_than`` go, so an upload still between its file and its database row
    is never taken. Returns how many files were removed.
    """
    storage = private_storage()
    root = Path(storage.location)
    cutoff = time.time() - older_than.total_seconds()
    referenced = set(Tip.objects.exclude(screenshot="").values_list("screenshot", flat=True))
    referenced |= set(Sighting.objects.exclude(screenshot="").values_list("screenshot", flat=True))
    removed = 0
    for folder in (root / "tips", root / "sightings"):
        for path in folder.rglob("*") if folder.is_dir() else ():
            if not path.is_file() or path.stat().st_mtime > cutoff:
                continue
            if path.relative_to(root).as_posix() not in referenced:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
