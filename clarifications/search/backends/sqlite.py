"""SQLite: an FTS5 table of our own terms, ``rowid`` = clarification id.

The table (migrations 0002 and 0004) uses the plain ``ascii`` tokenizer over the space-separated
terms that Python wrote, with a one-character prefix index for one-character queries (水).
"""

import json

from ..analysis import INDEXED_FIELDS, document_terms

FTS_TABLE = "clarifications_search"


def _fts(connection):
    return connection.ops.quote_name(FTS_TABLE)


def _quoted(term):
    return '"' + term.replace('"', '""') + '"'


def columns(fields):
    """The FTS5 columns for the indexed fields of one clarification: its terms, space-separated."""
    out = [[] for _ in INDEXED_FIELDS]
    for term, field in document_terms(fields):
        out[field].append(term)
    return [" ".join(terms) for terms in out]


def stored_terms(connection, table, ids):
    """{id: set of terms} as the index holds them now, for the given clarifications."""
    found = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT rowid, title, claim, truth, body FROM {_fts(connection)} WHERE rowid IN ({marks})"  # noqa: S608
            cursor.execute(sql, chunk)
            for row in cursor.fetchall():
                found[row[0]] = {term for column in row[1:] for term in (column or "").split()}
    return found


def write_rows(connection, table, rows, *, replace=True):
    """Index rows of (id, title, claim, truth, body)."""
    with connection.cursor() as cursor:
        if replace:
            cursor.executemany(f"DELETE FROM {_fts(connection)} WHERE rowid = %s", [(row[0],) for row in rows])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {_fts(connection)} (rowid, title, claim, truth, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(row[0], *columns(row[1:])) for row in rows],
        )


def delete_rows(connection, table, ids):
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {_fts(connection)} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608


def clear(connection, table):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_fts(connection)}")  # noqa: S608


def optimize(connection, table):
    """Merge the index's segments into one b-tree: smaller and faster to query."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_fts(connection)} ({_fts(connection)}) VALUES ('optimize')")  # noqa: S608


def indexed_ids(connection, table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {_fts(connection)}")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def matching_ids(connection, table, term, *, prefix):
    """SQL (and params) selecting the ids of the clarifications holding ``term`` (or a term it begins)."""
    sql = f"SELECT rowid FROM {_fts(connection)} WHERE {_fts(connection)} MATCH %s"  # noqa: S608
    return sql, [_quoted(term) + (" *" if prefix else "")]


def values(items):
    """SQL (and params) for a one-column list of ``items``, as one parameter however many there are."""
    return "SELECT value FROM json_each(%s)", [json.dumps(list(items))]
