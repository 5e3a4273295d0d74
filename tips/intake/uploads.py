"""What happens to a citizen's chosen screenshot between the browser and a stored tip, so that no
mistake costs them the picture or what they typed.

- **A file over the limit is counted, not kept** (``ScreenshotSizeGuard``). The tip form's body is
  read up to ``READ_AT_MOST_BYTES`` (a phone's photo is 3 to 12 MB): the screenshot's bytes beyond
  ``TIPS_MAX_UPLOAD_BYTES`` are dropped as they arrive, the file reaches the form as a
  ``RefusedUpload`` of its true size, and the form is refused with that size and everything typed
  (also the e-mail address, which comes after the file in the body). Only a body larger still is
  refused unread (``views.tip_new``).
- **A screenshot survives a form sent back** (``keep``). When the form is refused for another field
  (a text too short, a link that is not one), the screenshot has already been checked and re-encoded:
  it is written to private storage under ``kept/`` and the form carries a signed token naming it
  (the hidden field ``kept_screenshot``); the next submit uses it unless another file is chosen or
  the citizen ticks "remove it". The page says "your screenshot is kept: name, size".
- **A screenshot check's picture** goes into the tip form the same way ("report this rumor" on a
  check's result, ``views.tip_prefill``), lent rather than copied: the token names the check's own
  file, which goes with the tip when it is sent, or an hour after its reading (``checks``).
- **Bound to one browser.** The token is signed with the site's key and names a hash of the browser's
  CSRF secret: copied into another browser's form it attaches nothing. It is valid for ``KEPT_FOR``;
  the file goes when the tip is stored or the citizen removes it, and otherwise by
  ``remove_old_kept_screenshots``, run whenever another screenshot is kept and by the daily purge
  (``manage.py purge_tip_personal_data``).
"""

import io
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac

from core.storage import PARTIAL_PREFIX, private_storage

READ_AT_MOST_BYTES = 32 * 1024 * 1024
KEPT_FOR = timedelta(hours=1)
KEPT_FOLDER = "kept"
TOKEN_SALT = "tips.intake.uploads.kept-screenshot"  # noqa: S105 (a signing salt, not a secret)
# Longer names are shortened when shown: the page only needs to recognise the file.
NAME_SHOWN_CHARS = 80


# --- Reading a body whose file is too large ---------------------------------------------------------


class RefusedUpload(UploadedFile):
    """A file whose bytes beyond the limit were dropped: its name and true size, no content."""

    def __init__(self, name, size):
        super().__init__(file=io.BytesIO(), name=name, size=size)


class ScreenshotSizeGuard(FileUploadHandler):
    """The first upload handler of the tip form: passes files' bytes on to Django's handlers up to
    ``max_bytes`` in all (so that a body of many files costs no more disk than one screenshot), and
    only counts the rest; a file not passed whole reaches the form as a ``RefusedUpload`` of its size."""

    def __init__(self, request=None, *, max_bytes):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.passed = 0
        self.received = 0
        self.refused = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):  # noqa: ARG002 (Django's upload handler signature)
        self.received += len(raw_data)
        if self.refused or self.passed + len(raw_data) > self.max_bytes:
            self.refused = True
            return None  # stops the chunk here: Django's handlers behind this one never hold it
        self.passed += len(raw_data)
        return raw_data

    def file_complete(self, file_size):  # noqa: ARG002 (Django's upload handler signature)
        if not self.refused:
            return None  # the next handler returns the file it wrote
        return RefusedUpload(self.file_name, self.received)


# --- Keeping a screenshot for a form sent back ---------------------------------------------------------


@dataclass(frozen=True)
class KeptScreenshot:
    """A re-encoded screenshot in private storage, named by ``token`` in the form that keeps it."""

    name: str  # in private storage
    shown_name: str  # the name of the file the citizen chose
    size: int
    token: str

    def open(self):
        """The picture as a file for ``tip_submit`` (already re-encoded: no second decoding), or None
        when it went meanwhile (a purge between ``kept_from`` and now)."""
        try:
            with private_storage().open(self.name) as file:
                return ContentFile(file.read(), name=Path(self.name).name)
        except FileNotFoundError:
            return None

    def discard(self):
        private_storage().delete(self.name)


def _owner(request):
    """A hash of the browser's CSRF secret (drawn now if it has none yet: the response then sets it)."""
    get_token(request)
    return salted_hmac(TOKEN_SALT, request.META["CSRF_COOKIE"]).hexdigest()[:32]


def keep(request, picture, *, shown_name):
    """Write the re-encoded ``picture`` under ``kept/`` for this browser; returns its KeptScreenshot."""
    remove_old_kept_screenshots()
    return lend(request, private_storage().save(f"{KEPT_FOLDER}/{picture.name}", picture), shown_name=shown_name)


def lend(request, name, *, shown_name):
    """A KeptScreenshot for this browser of a re-encoded picture already in private storage, not copied
    (a screenshot check's: a visitor posting "report this rumor" again and again writes nothing)."""
    shown_name = Path(shown_name or "").name[:NAME_SHOWN_CHARS]
    size = private_storage().size(name)
    token = signing.dumps({"name": name, "shown": shown_name, "size": size, "owner": _owner(request)}, salt=TOKEN_SALT)
    return KeptScreenshot(name=name, shown_name=shown_name, size=size, token=token)


def kept_from(request, token):
    """The screenshot ``token`` names when it is this browser's, recent, and still there; else None."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=TOKEN_SALT, max_age=KEPT_FOR)
    except signing.BadSignature:
        return None
    if value.get("owner") != _owner(request) or not private_storage().exists(value["name"]):
        return None
    return KeptScreenshot(name=value["name"], shown_name=value["shown"], size=value["size"], token=token)


def remove_old_kept_screenshots(*, older_than: timedelta = KEPT_FOR) -> int:
    """Delete kept screenshots older than ``older_than`` (their tokens have expired); returns how many."""
    folder = Path(private_storage().location) / KEPT_FOLDER
    if not folder.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += not path.name.startswith(PARTIAL_PREFIX)
    return removed
