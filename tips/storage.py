"""Storage for files the public must never reach (tip screenshots).

The folder is ``settings.PRIVATE_ROOT``, outside ``MEDIA_ROOT``; nothing serves it except the
permission-checked view in the tip admin. It is read at each use so tests can point it elsewhere.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return settings.PRIVATE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; staff open them through the tip admin.")


def private_storage():
    return storages["private"]
