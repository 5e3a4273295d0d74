"""Throwaway databases for the benchmarks that load data through Django.

``databases()`` configures Django outside the test runner: the ``default`` database is a SQLite file
in a temporary folder (migrated, deleted at the end) and, given a PostgreSQL URL, a second alias ``postgres``
whose connections use only ``schema`` (through ``search_path``). ``fresh_schema()`` creates that
schema empty and drops it at the end, so nothing else in the named database is touched. Use a
database you own, never a shared test database.
"""

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def databases(postgres_url=None, *, schema, prefix="piyao-bench-"):
    """Set up Django with a fresh SQLite ``default`` (and ``postgres`` in ``schema`` when a URL is given)."""
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="benchmark-only",  # noqa: S106 (a throwaway database, no sessions)
        DATA_DIR=str(workdir),
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
    )
    import dj_database_url
    import django
    from django.conf import settings

    if postgres_url:
        database = dj_database_url.parse(postgres_url)
        database["OPTIONS"] = {"options": f"{settings.POSTGRES_SESSION_OPTIONS} -c search_path={schema}"}
        settings.DATABASES["postgres"] = database
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        # Always migrated, even when only PostgreSQL is measured: a data migration
        # (0003_content_version) writes its row through the default connection.
        call_command("migrate", database="default", verbosity=0)
        yield workdir
    finally:
        connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def fresh_schema(alias, schema):
    """An empty ``schema`` for the connection ``alias`` while the block runs, dropped at the end."""
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    try:
        yield
    finally:
        with connections[alias].cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
