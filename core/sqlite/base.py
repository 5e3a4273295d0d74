"""Django's SQLite backend, opening only an existing file (see this package's docstring)."""

import sqlite3
from pathlib import Path
from urllib.parse import quote

from django.db.backends.sqlite3 import base


def database_path(settings_dict):
    """The database file's path, or None for an in-memory database or a name that is already a URI."""
    name = str(settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def file_identity(path):
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


class DatabaseWrapper(base.DatabaseWrapper):
    opened_file = None

    @property
    def database_path(self):
        return database_path(self.settings_dict)

    def get_connection_params(self):
        params = super().get_connection_params()
        path = self.database_path
        if path is not None:
            # "rw": open for reading and writing, never create (SQLite's URI filenames).
            params["database"] = f"file:{quote(str(path.resolve()))}?mode=rw"
        return params

    def get_new_connection(self, conn_params):
        path = self.database_path
        try:
            connection = super().get_new_connection(conn_params)
        except sqlite3.OperationalError:
            if path is not None and not path.exists():
                raise sqlite3.OperationalError(
                    f"database file missing: {path} does not exist (manage.py migrate creates it)"
                ) from None
            raise
        self.opened_file = file_identity(path) if path is not None else None
        return connection

    def file_replaced(self):
        """Whether the file at the path is no longer the one this connection opened."""
        path = self.database_path
        return path is not None and self.connection is not None and file_identity(path) != self.opened_file

    def close_if_unusable_or_obsolete(self):
        if self.file_replaced():
            self.close()
            return
        super().close_if_unusable_or_obsolete()

    def create_database_file(self):
        """Create the database file if there is none (``manage.py migrate``); True when it did."""
        path = self.database_path
        if path is None or path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
        return True
