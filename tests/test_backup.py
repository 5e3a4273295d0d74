"""backup_database copies a SQLite site while it writes; restore_database brings every row back.

The site runs in separate processes on a throwaway SQLite DATA_DIR (whatever database the suite
itself uses), since a backup is of a real database file.
"""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.conf import settings as django_settings


def site_environment(data_dir, **extra):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "REDIS_URL")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATA_DIR": str(data_dir),
            "SECRET_KEY": "backup-test-key-" + "x" * 40,
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return environment


def run(arguments, data_dir, check=True, input=None, **extra):
    result = subprocess.run(
        [sys.executable, *arguments],
        env=site_environment(data_dir, **extra),
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        input=input,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{arguments} failed:\n{result.stdout}\n{result.stderr}")
    return result


def manage(data_dir, *arguments, **kwargs):
    return run(["manage.py", *arguments], data_dir, **kwargs)


@pytest.fixture
def live_site(tmp_path):
    data_dir = tmp_path / "live"
    manage(data_dir, "migrate", "--noinput")
    return data_dir


def test_a_backup_taken_while_the_site_writes_restores_every_row_elsewhere(live_site, tmp_path):
    backup = tmp_path / "piyao-backup.sqlite3"
    scenario = json.loads(run(["-m", "tests.backup_scenario", "fill_and_back_up", str(backup)], live_site).stdout)
    assert scenario["written_before_backup_ended"] >= 5, "the backup did not overlap any write"

    fresh = tmp_path / "fresh"
    result = manage(fresh, "restore_database", str(backup), "--no-input")
    assert "Restored" in result.stdout
    restored = json.loads(run(["-m", "tests.backup_scenario", "dump"], fresh).stdout)["rows"]

    before = scenario["before"]
    assert set(restored) == set(before)
    for model, keys in before.items():
        assert keys, f"{model} had no rows: give it some in tests/backup_scenario.make_rows()"
        assert set(keys) <= set(restored[model]), f"rows of {model} are missing from the restored database"
    # The snapshot is consistent: every clarification it holds, including those written during the
    # backup, has the history row written in the same transaction.
    clarifications = set(restored["clarifications.Clarification"])
    history = sqlite3.connect(fresh / "db.sqlite3").execute(
        "SELECT DISTINCT id FROM clarifications_historicalclarification"
    )
    assert clarifications <= {row[0] for row in history}
    # The restored site serves its pages.
    assert manage(fresh, "check").returncode == 0


def test_backup_goes_to_the_backups_folder_by_default(live_site):
    result = manage(live_site, "backup_database")
    backups = list((live_site / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    assert str(backups[0]) in result.stdout
    # One self-contained file, not a WAL database that needs its side files.
    assert sqlite3.connect(backups[0]).execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_restore_keeps_a_safety_copy_of_the_current_database(live_site, tmp_path):
    backup = tmp_path / "empty-site.sqlite3"
    manage(live_site, "backup_database", "--output", str(backup))
    database = live_site / "db.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE marker (x)").connection.commit()

    result = manage(live_site, "restore_database", str(backup), "--no-input")

    safety_copies = list((live_site / "backups").glob("before-restore-*.sqlite3"))
    assert len(safety_copies) == 1
    assert str(safety_copies[0]) in result.stdout
    tables = {row[0] for row in sqlite3.connect(safety_copies[0]).execute("SELECT name FROM sqlite_master")}
    assert "marker" in tables
    restored = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert "marker" not in restored


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is a text file, not a database\n" * 10, "is not a SQLite database"),
        (None, "is not a backup of this site: it lacks the tables"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_backup_of_this_site_and_changes_nothing(
    live_site, tmp_path, content, message
):
    candidate = tmp_path / "candidate.sqlite3"
    if content is None:
        sqlite3.connect(candidate).execute("CREATE TABLE unrelated (x)").connection.commit()
    else:
        candidate.write_bytes(content)
    database = live_site / "db.sqlite3"
    before = database.read_bytes()

    result = manage(live_site, "restore_database", str(candidate), "--no-input", check=False)

    assert result.returncode != 0
    assert message in result.stderr
    assert database.read_bytes() == before
    assert not (live_site / "backups").exists()


def test_restore_asks_before_replacing_and_stops_unless_told_yes(live_site, tmp_path):
    backup = tmp_path / "b.sqlite3"
    manage(live_site, "backup_database", "--output", str(backup))
    result = manage(live_site, "restore_database", str(backup), check=False, input="no\n")
    assert result.returncode != 0
    assert "Restore cancelled; nothing was changed." in result.stderr
    assert not (live_site / "backups").exists()


@pytest.mark.parametrize("command", ["backup_database", "restore_database"])
def test_on_postgresql_the_commands_point_to_pg_dump_and_fail(tmp_path, command):
    arguments = [command] if command == "backup_database" else [command, str(tmp_path / "x.sqlite3")]
    result = manage(tmp_path, *arguments, check=False, DATABASE_URL="postgres://piyao@127.0.0.1:5432/not-contacted")
    assert result.returncode != 0
    assert "pg_dump -Fc" in result.stderr
    assert "pg_restore" in result.stderr


def test_a_restore_moves_the_content_version_past_every_number_used_before(live_site, tmp_path):
    """Workers may have cached pages of the replaced database: none of their keys may come back."""
    backup = tmp_path / "older.sqlite3"
    manage(live_site, "backup_database", "--output", str(backup))
    database = live_site / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE clarifications_contentversion SET number = number + 40")
        (before,) = connection.execute("SELECT number FROM clarifications_contentversion").fetchone()

    manage(live_site, "restore_database", str(backup), "--no-input")

    with sqlite3.connect(database) as connection:
        (after,) = connection.execute("SELECT number FROM clarifications_contentversion").fetchone()
    assert after > before


postgresql_run = pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the suite's PostgreSQL run (pg_dump and pg_restore of a throwaway database on its server)",
)


@postgresql_run
def test_a_postgresql_dump_restores_every_row_elsewhere(tmp_path):
    """docs/operations.md's drill: pg_dump, pg_restore into an empty database, migrate, same rows and search."""
    import secrets
    import shutil
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    names = [f"piyao_drill_{secrets.token_hex(4)}" for _ in range(2)]
    live, drill = (urlunsplit(parts._replace(path=f"/{name}")) for name in names)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        for name in names:
            connection.execute(f"CREATE DATABASE {name}")
    try:
        manage(tmp_path / "live", "migrate", "--noinput", DATABASE_URL=live)
        before = json.loads(run(["-m", "tests.backup_scenario", "fill"], tmp_path / "live", DATABASE_URL=live).stdout)
        dump = tmp_path / "piyao.dump"
        subprocess.run([shutil.which("pg_dump"), "-Fc", "-f", str(dump), live], check=True, capture_output=True)
        restore = [shutil.which("pg_restore"), "--no-owner", "-d", drill, str(dump)]
        subprocess.run(restore, check=True, capture_output=True)
        manage(tmp_path / "drill", "migrate", "--noinput", DATABASE_URL=drill)
        assert manage(tmp_path / "drill", "check", DATABASE_URL=drill).returncode == 0
        after = json.loads(run(["-m", "tests.backup_scenario", "dump"], tmp_path / "drill", DATABASE_URL=drill).stdout)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            for name in names:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for model, keys in before["rows"].items():
        assert keys, f"{model} had no rows: give it some in tests/backup_scenario.make_rows()"
    assert after["rows"] == before["rows"]
    assert after["search"] == before["search"] and before["search"]
