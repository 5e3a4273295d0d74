"""Online backups of the embedded SQLite database, and their restore.

Both directions use SQLite's backup API (``sqlite3.Connection.backup``) in a single step: it copies
the pages of a consistent snapshot, so a backup taken while gunicorn workers write is never torn
(in WAL mode the writers are not even blocked), and a restore replaces the live database atomically
under the connections of running workers, which see the restored content at their next query.

On PostgreSQL these functions are not used: ``pg_dump -Fc`` and ``pg_restore`` do the same job.
"""

import sqlite3
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.utils import timezone

from clarifications.models import ContentVersion

SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_database_path():
    """The file of the configured database, or a CommandError that explains the PostgreSQL way."""
    database = settings.DATABASES["default"]
    if connections["default"].vendor != "sqlite":
        raise CommandError(
            "The database is not SQLite. Back up PostgreSQL with its own tools: "
            "pg_dump -Fc -f piyao.dump DATABASE_URL, and restore with "
            "pg_restore --clean --if-exists -d DATABASE_URL piyao.dump (see docs/operations.md, Backups)."
        )
    return Path(database["NAME"])


def default_backup_path(prefix=""):
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return settings.DATA_DIR / "backups" / f"{prefix}{stamp}.sqlite3"


def copy_database(source, destination):
    """Copy the SQLite database at ``source`` into a new file at ``destination``.

    The copy is written beside its final name and renamed into place, so a crash never leaves a
    half-written backup under a real name; it is switched to a rollback journal so that it is one
    self-contained file.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    reader = sqlite3.connect(source, timeout=30)
    writer = sqlite3.connect(partial)
    try:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()
    partial.replace(destination)
    return destination


def project_tables():
    """The tables of this project's own apps (not Django's or libraries'), which a backup must hold."""
    # The project's apps sit at the top of the repository (a virtualenv inside it does not count).
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if Path(model._meta.app_config.path).parent == Path(settings.BASE_DIR) and model._meta.managed
    )


def _content_version(connection):
    try:
        row = connection.execute(f"SELECT number FROM {ContentVersion._meta.db_table}").fetchone()  # noqa: S608
    except sqlite3.OperationalError:
        return 0
    return row[0] if row else 0


def check_backup(path):
    """Refuse anything that is not an intact SQLite database with this project's tables."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path} is not a file.")
    with path.open("rb") as stream:
        if stream.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise CommandError(f"{path} is not a SQLite database.")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (verdict,) = connection.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise CommandError(f"{path} is damaged: {verdict}")
        present = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise CommandError(f"{path} cannot be read as a SQLite database: {error}") from None
    finally:
        connection.close()
    missing = [table for table in ["django_migrations", *project_tables()] if table not in present]
    if missing:
        raise CommandError(f"{path} is not a backup of this site: it lacks the tables {', '.join(missing)}.")


def restore_database(backup, target):
    """Replace the database at ``target`` with the content of ``backup`` (checked first)."""
    check_backup(backup)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        version = _content_version(destination)
        source.backup(destination)
        # The restored content version is older than pages the workers may have cached since: move it
        # past every number used before, so that no cached page of the replaced database is served.
        now = timezone.now().replace(tzinfo=None).isoformat(sep=" ")
        table = ContentVersion._meta.db_table
        with destination:
            moved = destination.execute(
                f"UPDATE {table} SET number = MAX(number, ?) + 1, changed_at = ?",  # noqa: S608
                [version, now],
            ).rowcount
            if not moved:
                destination.execute(
                    f"INSERT INTO {table} (id, number, changed_at) VALUES (1, ?, ?)",  # noqa: S608
                    [version + 1, now],
                )
    finally:
        destination.close()
        source.close()
