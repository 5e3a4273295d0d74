"""Storage for files the public must never reach (tip screenshots).

The folder is ``settings.PRIVATE_ROOT``, outside ``MEDIA_ROOT``; nothing serves it except the
permission-checked view in the tip admin. It is read at each use so tests can point it elsewhere.

A file is written under a temporary name (``.partial-…``) beside its final one, flushed to disk and
only then linked to its name: a full disk or a worker killed mid-write leaves no truncated screenshot
under a name a tip could refer to. What such a failure leaves behind (a partial file, or a whole one
whose tip was never committed) is removed by ``remove_orphan_screenshots``.
"""

import os
import tempfile

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages

PARTIAL_PREFIX = ".partial-"


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return settings.PRIVATE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # noqa: ARG002 (Storage.url's signature)
        raise ValueError("Private files have no public URL; staff open them through the tip admin.")

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=PARTIAL_PREFIX, dir=directory)
        try:
            with os.fdopen(descriptor, "wb") as file:
                content.seek(0)
                for chunk in content.chunks():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
            while True:
                try:
                    # A hard link never replaces an existing file (unlike rename): two uploads that
                    # drew the same name cannot overwrite each other.
                    os.link(partial, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            os.unlink(partial)
        return str(name).replace("\\", "/")


def private_storage():
    return storages["private"]
