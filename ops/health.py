"""What ``/healthz`` checks: that the site can answer readers and take tips, cheaply (no write, no lock).

- the database answers and has our schema (a query on the clarifications table): SQLite silently
  creates an empty file where its database was removed, which answers ``SELECT 1`` but nothing else;
- on SQLite, the file is still at its path (a worker's open connection keeps reading a removed file)
  and it and its folder may be written (a read-only file or file system: tips would fail);
- on PostgreSQL, the server accepts writes (not a read-only standby or session);
- the data folder, where SQLite, uploads and screenshots live, has room for at least a few uploads.

Each check returns a short reason when it fails; the view answers 503 with the reasons.

``close_if_database_file_gone`` runs at the start of every request: a worker whose SQLite file was
removed (or replaced, by a restore) closes its connection instead of writing tips into a file nobody
will ever read again.
"""

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

SCHEMA_PROBE = "SELECT 1 FROM clarifications_clarification LIMIT 1"


def problems():
    """Reasons the site is not healthy; empty when it is."""
    found = []
    try:
        with connection.cursor() as cursor:
            cursor.execute(SCHEMA_PROBE)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT current_setting('transaction_read_only'), pg_is_in_recovery()")
                read_only, in_recovery = cursor.fetchone()
                if read_only == "on" or in_recovery:
                    found.append("database is read-only")
    except DatabaseError as error:
        missing_table = "no such table" in str(error) or "does not exist" in str(error)
        found.append("database schema missing" if missing_table else "database unavailable")
        if connection.vendor != "sqlite":
            return found
    path = sqlite_file(connection.settings_dict)
    if path is not None:
        found += sqlite_file_problems(path)
    found += disk_space_problems(Path(settings.DATA_DIR))
    return found


def sqlite_file_problems(path):
    if not path.exists():
        return ["database file missing"]
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return ["database is read-only"]
    return []


def disk_space_problems(data_dir):
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:
        return ["data folder missing"]
    if free < settings.HEALTHZ_MIN_FREE_BYTES:
        return ["disk full"]
    return []


def sqlite_file(settings_dict):
    """The SQLite database's path, or None for another database or an in-memory one."""
    name = str(settings_dict["NAME"])
    if settings_dict["ENGINE"] != "django.db.backends.sqlite3" or name.startswith("file:") or name == ":memory:":
        return None
    return Path(name)


def file_identity(path):
    return _identity(path)


def _identity(path):
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def remember_database_file(sender, connection, **kwargs):
    """On each new SQLite connection: which file it opened (see ``close_if_database_file_gone``)."""
    path = sqlite_file(connection.settings_dict)
    if path is not None:
        connection.piyao_file = file_identity(path)


def close_if_database_file_gone(**kwargs):
    """Close a kept SQLite connection whose file was removed or replaced since it was opened.

    It runs before every request, cached pages included: so it looks the connection up once, stops
    at once for any other database, and asks the file system with a plain string (2 microseconds
    where the path objects took 9, of a cached page's 90 or so).
    """
    database = connections[DEFAULT_DB_ALIAS]
    if database.connection is None or not hasattr(database, "piyao_file"):
        return  # not connected, or not a SQLite file (remember_database_file sets it for those only)
    if database.piyao_file != _identity(database.settings_dict["NAME"]):
        database.close()
