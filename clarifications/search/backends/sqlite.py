"""SQLite: an FTS5 table of our own terms, ``rowid`` = clarification id.

The table (migrations 0002 and 0004) uses the plain ``ascii`` tokenizer over the space-separated
terms that Python wrote, with a one-character prefix index for one-character queries (水).
"""

import json

from django.db import connections

from clarifications.search.analysis import INDEXED_FIELDS

FTS_TABLE = "clarifications_search"


def _fts(connection):
    return connection.ops.quote_name(FTS_TABLE)


def _quoted(term):
    return '"' + term.replace('"', '""') + '"'


def columns(terms):
    """The FTS5 columns of a document's (term, field index) list: each field's terms, space-separated."""
    out: list[list[str]] = [[] for _ in INDEXED_FIELDS]
    for term, field in terms:
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
    """Index documents given as (id, [(term, field index), ...]) (``analysis.document_terms``)."""
    with connection.cursor() as cursor:
        if replace:
            cursor.executemany(f"DELETE FROM {_fts(connection)} WHERE rowid = %s", [(pk,) for pk, _terms in rows])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {_fts(connection)} (rowid, title, claim, truth, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(pk, *columns(terms)) for pk, terms in rows],
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


def holding(queryset, placeholder):
    """``queryset`` narrowed to the clarifications holding a term, given later as ``placeholder``'s value;
    and the name to order by for the most recently added first.

    The FTS5 table is joined in the same statement, and the unary + hides its rowid from the planner
    as a lookup key: the planner then starts from the MATCH and fetches each clarification by
    primary key (otherwise it walked every published row, testing each against the match list).
    Ordered by its rowid, FTS5 walks the term's doclist backwards and stops at the limit.
    """
    connection = connections[queryset.db]
    fts, quote = _fts(connection), connection.ops.quote_name
    key = f"{quote(queryset.model._meta.db_table)}.{quote(queryset.model._meta.pk.column)}"
    narrowed = queryset.extra(  # noqa: S610 (our own table names; the term is a parameter)
        tables=[FTS_TABLE],
        where=[f"+{fts}.rowid = {key}", f"{fts} MATCH %s"],
        params=[placeholder],
        select={"search_rowid": f"{fts}.rowid"},
    )
    return narrowed, "-search_rowid"


# Ordered by rowid, FTS5 walks a term's doclist backwards and stops at the limit by itself.
NEWEST_NEEDS_WINDOW = False


def newer_than(queryset, placeholder):
    """``queryset`` narrowed to the ids above a bound, given later as ``placeholder``'s value (unused
    unless NEWEST_NEEDS_WINDOW is set, as the tests do to compare both ways)."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    key = f"{quote(queryset.model._meta.db_table)}.{quote(queryset.model._meta.pk.column)}"
    return queryset.extra(where=[f"{key} > %s"], params=[placeholder])  # noqa: S610


def term_parameter(term, *, prefix):
    """The MATCH value for one of our terms (quoted, so that nothing in it is FTS5 syntax)."""
    return _quoted(term) + (" *" if prefix else "")


def values(items):
    """SQL (and params) for a one-column list of ``items``, as one parameter however many there are."""
    return "SELECT value FROM json_each(%s)", [json.dumps(list(items))]
