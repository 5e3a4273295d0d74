"""With PostgreSQL unreachable the site says so (503 health check, friendly 500 page), and it recovers by
itself when the database comes back.

This runs the real thing: gunicorn with two workers on a database of its own, which the test creates,
cuts off (no new connections, existing ones terminated), lets back in, and drops. It runs when the
suite runs on PostgreSQL (DATABASE_URL), as a superuser may alter and drop databases.
"""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from .servers import fetch, start_gunicorn, stop_gunicorn

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the outage test needs the suite to run on PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.subprocess,
]

FRIENDLY_500 = "Sorry, something went wrong on our side"


def maintenance_connection():
    """An autocommit connection to the server's ``postgres`` database, as the suite's user."""
    import psycopg

    database = settings.DATABASES["default"]
    return psycopg.connect(
        dbname="postgres",
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        autocommit=True,
    )


def database_url(name):
    database = settings.DATABASES["default"]
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT'] or 5432}/{name}"


def health(site):
    """The status of ``/healthz`` and its database's state."""
    status, body = fetch(f"{site}/healthz")
    return status, json.loads(body)["database"]


def wait_for(url, status, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            if fetch(url)[0] == status:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{url} did not answer {status} within {seconds} s")
        time.sleep(0.2)


@pytest.fixture
def outage_database():
    """A database created for this test alone (named after the test run) and dropped afterwards."""
    name = f"piyao_outage_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with maintenance_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with maintenance_connection() as connection:
            connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cut_off(name):
    with maintenance_connection() as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )


def let_back_in(name):
    with maintenance_connection() as connection:
        connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.fixture
def site(outage_database, tmp_path):
    """gunicorn (the repo's configuration, two workers, DEBUG off) serving the outage database."""
    environment = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "REDIS_URL")}
    environment.update(
        {
            # The test settings serve static files without collectstatic; everything else is production.
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": database_url(outage_database),
            "DATA_DIR": str(tmp_path),
            "DEBUG": "false",
            "SECRET_KEY": "outage-test-key-" + "x" * 40,
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESS_LOG": os.devnull,
        }
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    server, base = start_gunicorn(environment, log_path=tmp_path / "gunicorn.log")
    try:
        yield base
    finally:
        stop_gunicorn(server)


def test_with_the_database_cut_off_the_site_says_so_and_recovers_without_a_restart(site, outage_database):
    # Every worker holds a live connection before the outage.
    for _ in range(4):
        assert health(site) == (200, {"state": "ok"})
        assert fetch(f"{site}/en/")[0] == 200

    cut_off(outage_database)
    for _ in range(4):
        assert health(site) == (503, {"state": "down", "reason": "database unavailable"})
        status, page = fetch(f"{site}/en/")
        assert status == 500
        assert FRIENDLY_500 in page
        assert "Traceback" not in page

    let_back_in(outage_database)
    wait_for(f"{site}/healthz", 200, seconds=15)
    for _ in range(4):
        assert health(site) == (200, {"state": "ok"})
        status, page = fetch(f"{site}/en/")
        assert status == 200
        assert FRIENDLY_500 not in page
