"""The settings refuse what they do not understand, and production refuses to start without a key."""

import os
import sqlite3
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings_from_url, env_bool


def run_settings(code="import config.settings", **env):
    """``code`` run in a process of its own, with the settings of ``env`` (and no key, no DEBUG unless given)."""
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True)


@pytest.mark.subprocess
def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.subprocess
def test_debug_starts_without_a_secret_key():
    assert run_settings(DEBUG="true").returncode == 0


@pytest.mark.subprocess
def test_an_unknown_log_format_is_refused_and_json_is_accepted():
    result = run_settings(DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr
    assert run_settings(DEBUG="true", LOG_FORMAT="json").returncode == 0


@pytest.mark.subprocess
def test_a_mistyped_rate_is_refused_at_start_up_naming_its_setting():
    result = run_settings(DEBUG="true", VIEWS_RATE="120 per hour")
    assert result.returncode != 0
    assert "VIEWS_RATE must look like 5/10m" in result.stderr
    assert run_settings(DEBUG="true", VIEWS_RATE="120/h").returncode == 0


def test_unclear_booleans_are_refused(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG")


def test_email_url_is_parsed():
    parsed = email_settings_from_url("smtp+tls://user:p%40ss@mail.example.org:587?from=piyao@example.org")
    assert parsed["EMAIL_HOST"] == "mail.example.org"
    assert parsed["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert parsed["EMAIL_USE_TLS"] is True
    assert parsed["DEFAULT_FROM_EMAIL"] == "piyao@example.org"


def test_sqlite_default_uses_wal_and_immediate_transactions():
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the suite runs on PostgreSQL")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.subprocess
def test_sqlite_memory_mapping_is_256_mb_by_default_and_can_be_switched_off(tmp_path):
    def mmap_size(**env):
        command = (
            "import django; django.setup(); from django.db import connection; "
            "print(connection.cursor().execute('PRAGMA mmap_size').fetchone()[0])"
        )
        return run_settings(command, DEBUG="true", DATA_DIR=str(tmp_path), DATABASE_URL="", **env)

    sqlite3.connect(tmp_path / "db.sqlite3").close()  # the site opens an existing database only
    assert mmap_size().stdout.strip() == str(256 * 2**20)
    assert mmap_size(SQLITE_MMAP_MB="0").stdout.strip() == "0"
    refused = mmap_size(SQLITE_MMAP_MB="-1")
    assert refused.returncode != 0
    assert "SQLITE_MMAP_MB must be 0 (off) or a number of MB, not -1" in refused.stderr


def test_property_based_tests_are_derandomised_so_a_failure_reproduces():
    from hypothesis import settings

    from tests.test_fuzz import FUZZ

    assert settings.default.derandomize is True
    assert FUZZ.derandomize is True


@pytest.mark.subprocess
def test_postgresql_connections_start_without_parallel_workers_or_jit_unless_the_url_says_so():
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"

    def options(url):
        return run_settings(f"import django; django.setup(); {show}", DEBUG="true", DATABASE_URL=url).stdout.strip()

    assert options("postgres://piyao@db.example.org/piyao") == "-c max_parallel_workers_per_gather=0 -c jit=off"
    # An operator's own options come last, so they win.
    assert options("postgres://piyao@db.example.org/piyao?options=-c%20max_parallel_workers_per_gather%3D2").endswith(
        "max_parallel_workers_per_gather=2"
    )


@pytest.mark.django_db
def test_the_suites_postgresql_connection_runs_without_parallel_workers():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.subprocess
def test_the_log_level_is_read_in_any_case_and_a_wrong_one_is_refused_by_name():
    code = "import config.settings as s; print(s.LOGGING['root']['level'])"
    assert run_settings(code, DEBUG="true", LOG_LEVEL="info").stdout.strip() == "INFO"
    refused = run_settings(code, DEBUG="true", LOG_LEVEL="loud")
    assert refused.returncode != 0
    assert "LOG_LEVEL must be one of" in refused.stderr


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "name", ["OCR_TIMEOUT_SECONDS", "OCR_CPU_SECONDS", "OCR_MEMORY_MB", "SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT"]
)
def test_the_bounds_of_screenshot_reading_are_whole_numbers_above_zero(name):
    for wrong, message in (("ten", "must be a whole number, not 'ten'"), ("0", "must be a whole number above 0")):
        result = run_settings(DEBUG="true", **{name: wrong})
        assert result.returncode != 0
        assert f"{name} {message}" in result.stderr
    assert run_settings(DEBUG="true", **{name: "5"}).returncode == 0


@pytest.mark.subprocess
def test_a_missing_sqlite_file_is_an_error_and_migrate_creates_it(tmp_path):
    """The site's connections never create a database (core/sqlite); manage.py migrate does."""
    query = "import django; django.setup(); from django.db import connection; connection.cursor().execute('SELECT 1')"
    missing = run_settings(query, DEBUG="true", DATA_DIR=str(tmp_path), DATABASE_URL="")
    assert missing.returncode != 0
    assert "database file missing" in missing.stderr
    assert "manage.py migrate creates it" in missing.stderr
    assert not (tmp_path / "db.sqlite3").exists()
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env={
            **os.environ,
            "DEBUG": "true",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": "",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
    assert migrate.returncode == 0, migrate.stderr
    assert f"Created the database file {tmp_path / 'db.sqlite3'}." in migrate.stdout
    assert run_settings(query, DEBUG="true", DATA_DIR=str(tmp_path), DATABASE_URL="").returncode == 0
