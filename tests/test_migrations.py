"""The first release's migrations: a fresh database gets the whole schema and the staff groups, and a
database made by the development migrations they replace takes them as applied, changing nothing."""

import sqlite3

import pytest

from .servers import manage, site_environment

pytestmark = pytest.mark.subprocess

REPLACED = {
    "clarifications": [
        "0001_initial",
        "0002_workflow",
        "0002_search_index",
        "0003_content_version",
        "0004_search_prefix_index",
        "0005_search_term_statistics",
        "0006_withdrawal_date_and_claim_origin",
    ],
    "tips": ["0001_initial", "0002_tip_triage_group"],
}


def test_a_fresh_database_gets_the_schema_the_search_index_and_the_staff_groups(tmp_path):
    manage(site_environment(tmp_path), "migrate", "--noinput")
    database = sqlite3.connect(tmp_path / "db.sqlite3")
    groups = dict(
        database.execute(
            "SELECT g.name, count(gp.id) FROM auth_group g LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id "
            "GROUP BY g.name"
        )
    )
    assert groups == {"Editor": 17, "Publisher": 21, "Tip triage": 8, "Online inspection": 5}
    fts = database.execute("SELECT sql FROM sqlite_master WHERE name = 'clarifications_search'").fetchone()[0]
    assert "prefix = '1'" in fts
    assert database.execute("SELECT number FROM clarifications_contentversion").fetchall() == [(1,)]


def test_a_database_made_by_the_replaced_migrations_takes_the_release_as_applied(tmp_path):
    manage(site_environment(tmp_path), "migrate", "--noinput")
    # What a database migrated before the squash records: the development migrations, not the release's.
    with sqlite3.connect(tmp_path / "db.sqlite3") as database:
        database.execute("DELETE FROM django_migrations WHERE name = '0001_initial_release'")
        for app, names in REPLACED.items():
            database.executemany(
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, '2026-11-30 10:00:00')",
                [(app, name) for name in names],
            )
    result = manage(site_environment(tmp_path), "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    assert "No migrations to apply." in result.stdout
    plan = manage(site_environment(tmp_path), "showmigrations", "clarifications", "tips").stdout
    assert "[X] 0001_initial_release" in plan
    assert "[ ]" not in plan
