"""backup_database copies a SQLite site while it writes; restore_database brings every row back.

The site runs in separate processes on a throwaway SQLite DATA_DIR (whatever database the suite
itself uses), since a backup is of a real database file.
"""

import json
import os
import sqlite3
import subprocess

import pytest
from django.conf import settings as django_settings

from .servers import manage, python, site_environment

pytestmark = pytest.mark.subprocess


def site(data_dir, **extra):
    """The environment of a site in ``data_dir``: SQLite unless ``extra`` says otherwise."""
    return site_environment(data_dir, LOG_LEVEL="WARNING", **extra)


def run_scenario(data_dir, *arguments, **extra):
    """What ``tests/backup_scenario.py`` prints (JSON) when run on the site in ``data_dir``."""
    return json.loads(python(site(data_dir, **extra), "-m", "tests.backup_scenario", *arguments).stdout)


@pytest.fixture
def live_site(tmp_path):
    data_dir = tmp_path / "live"
    manage(site(data_dir), "migrate", "--noinput")
    return data_dir


def test_a_backup_taken_while_the_site_writes_restores_every_row_elsewhere(live_site, tmp_path):
    backup = tmp_path / "piyao-backup.sqlite3"
    scenario = run_scenario(live_site, "fill_and_back_up", str(backup))
    assert scenario["written_before_backup_ended"] >= 5, "the backup did not overlap any write"

    fresh = tmp_path / "fresh"
    result = manage(site(fresh), "restore_database", str(backup), "--no-input")
    assert "Restored" in result.stdout
    restored = run_scenario(fresh, "dump")["rows"]

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
    assert manage(site(fresh), "check").returncode == 0


def test_backup_goes_to_the_backups_folder_by_default(live_site):
    result = manage(site(live_site), "backup_database")
    backups = list((live_site / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    assert str(backups[0]) in result.stdout
    # One self-contained file, not a WAL database that needs its side files.
    assert sqlite3.connect(backups[0]).execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_restore_keeps_a_safety_copy_of_the_current_database(live_site, tmp_path):
    backup = tmp_path / "empty-site.sqlite3"
    manage(site(live_site), "backup_database", "--output", str(backup))
    database = live_site / "db.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE marker (x)").connection.commit()

    result = manage(site(live_site), "restore_database", str(backup), "--no-input")

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

    result = manage(site(live_site), "restore_database", str(candidate), "--no-input", check=False)

    assert result.returncode != 0
    assert message in result.stderr
    assert database.read_bytes() == before
    assert not (live_site / "backups").exists()


def test_restore_asks_before_replacing_and_stops_unless_told_yes(live_site, tmp_path):
    backup = tmp_path / "b.sqlite3"
    manage(site(live_site), "backup_database", "--output", str(backup))
    result = manage(site(live_site), "restore_database", str(backup), check=False, input="no\n")
    assert result.returncode != 0
    assert "Restore cancelled; nothing was changed." in result.stderr
    assert not (live_site / "backups").exists()


@pytest.mark.parametrize("command", ["backup_database", "restore_database"])
def test_on_postgresql_the_commands_point_to_pg_dump_and_fail(tmp_path, command):
    arguments = [command] if command == "backup_database" else [command, str(tmp_path / "x.sqlite3")]
    result = manage(
        site(tmp_path, DATABASE_URL="postgres://piyao@127.0.0.1:5432/not-contacted"), *arguments, check=False
    )
    assert result.returncode != 0
    assert "pg_dump -Fc" in result.stderr
    assert "pg_restore" in result.stderr


def test_a_restore_moves_the_content_version_past_every_number_used_before(live_site, tmp_path):
    """Workers may have cached pages of the replaced database: none of their keys may come back."""
    backup = tmp_path / "older.sqlite3"
    manage(site(live_site), "backup_database", "--output", str(backup))
    database = live_site / "db.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE clarifications_contentversion SET number = number + 40")
        (before,) = connection.execute("SELECT number FROM clarifications_contentversion").fetchone()

    manage(site(live_site), "restore_database", str(backup), "--no-input")

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
        manage(site(tmp_path / "live", DATABASE_URL=live), "migrate", "--noinput")
        before = run_scenario(tmp_path / "live", "fill", DATABASE_URL=live)
        dump = tmp_path / "piyao.dump"
        subprocess.run([shutil.which("pg_dump"), "-Fc", "-f", str(dump), live], check=True, capture_output=True)
        restore = [shutil.which("pg_restore"), "--no-owner", "-d", drill, str(dump)]
        subprocess.run(restore, check=True, capture_output=True)
        manage(site(tmp_path / "drill", DATABASE_URL=drill), "migrate", "--noinput")
        assert manage(site(tmp_path / "drill", DATABASE_URL=drill), "check").returncode == 0
        after = run_scenario(tmp_path / "drill", "dump", DATABASE_URL=drill)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            for name in names:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for model, keys in before["rows"].items():
        assert keys, f"{model} had no rows: give it some in tests/backup_scenario.make_rows()"
    assert after["rows"] == before["rows"]
    assert after["search"] == before["search"]
    assert before["search"]
