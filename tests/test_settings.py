"""The settings refuse what they do not understand, and production refuses to start without a key."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings_from_url, env_bool


def run_settings(**env):
    environment = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=environment, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_starts_without_a_secret_key():
    assert run_settings(DEBUG="true").returncode == 0


def test_an_unknown_log_format_is_refused_and_json_is_accepted():
    result = run_settings(DEBUG="true", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be text or json" in result.stderr
    assert run_settings(DEBUG="true", LOG_FORMAT="json").returncode == 0


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

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the suite runs on PostgreSQL")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_property_based_tests_are_derandomised_so_a_failure_reproduces():
    from hypothesis import settings

    from tests.test_fuzz import FUZZ

    assert settings.default.derandomize is True
    assert FUZZ.derandomize is True
