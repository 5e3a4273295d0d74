"""PostgreSQL: a ``search_document tsvector`` column on the clarification table, with a GIN index.

The tsvector is written as a literal with positions and weights (the equivalent of
``setweight(to_tsvector('simple', ...), 'A') || ...``), so that no text-search parser splits a term
differently from Python. Keeping it in the row means a delete or a TRUNCATE takes it along.
"""

from django.db import connections
from django.db.models import F

PG_COLUMN = "search_document"
FIELD_WEIGHTS = "ABCD"  # title, claim, truth, body
MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions per lexeme


def _lexeme(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(terms):
    """The tsvector literal of a document's (term, field index) list."""
    positions: dict[str, list[str]] = {}
    for position, (term, field) in enumerate(terms, start=1):
        entry = positions.setdefault(term, [])
        if len(entry) < MAX_POSITIONS_PER_TERM:
            entry.append(f"{position}{FIELD_WEIGHTS[field]}")
    return " ".join(f"{_lexeme(term)}:{','.join(entry)}" for term, entry in positions.items())


def _names(connection, table):
    quote = connection.ops.quote_name
    return quote(table), quote(PG_COLUMN)


def stored_terms(connection, table, ids):
    """{id: set of terms} as the index holds them now, for the given clarifications."""
    table, column = _names(connection, table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, tsvector_to_array({column}) FROM {table} WHERE id = ANY(%s)", [list(ids)])  # noqa: S608
        return {pk: set(terms) for pk, terms in cursor.fetchall() if terms}


def write_rows(connection, table, rows, *, replace=True):
    """Index documents given as (id, [(term, field index), ...]) (``analysis.document_terms``)."""
    table, column = _names(connection, table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column} = %s::tsvector WHERE id = %s",  # noqa: S608
            [(tsvector(terms), pk) for pk, terms in rows],
        )


def delete_rows(connection, table, ids):
    """Nothing to do: the document goes with its row."""


def clear(connection, table):
    """Nothing to do: a rebuild writes every row's document again."""


def optimize(connection, table):
    """Nothing to do: autovacuum looks after the GIN index."""


def indexed_ids(connection, table):
    table, column = _names(connection, table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {column} <> ''")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def holding(queryset, placeholder):
    """``queryset`` narrowed to the clarifications holding a term, given later as ``placeholder``'s value;
    and the order for the most recently added first.

    The GIN index finds the rows. The order is on ``id + 0``, which the primary key's index cannot
    give: otherwise, with a limit, the planner walked that index backwards testing the tsvector of
    row after row (tens of thousands for a word in one row out of twenty).
    """
    connection = connections[queryset.db]
    table, column = _names(connection, queryset.model._meta.db_table)
    narrowed = queryset.extra(where=[f"{table}.{column} @@ %s::tsquery"], params=[placeholder])  # noqa: S610
    return narrowed, (F("pk") + 0).desc()


# The GIN index gives a term's matches in no order: the newest of them cost a visit of every match.
NEWEST_NEEDS_WINDOW = True


def newer_than(queryset, placeholder):
    """``queryset`` narrowed to the ids above a bound, given later as ``placeholder``'s value: the planner
    then ANDs the GIN index's bitmap with the primary key's range and visits only the rows in both."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    key = f"{quote(queryset.model._meta.db_table)}.{quote(queryset.model._meta.pk.column)}"
    return queryset.extra(where=[f"{key} > %s"], params=[placeholder])  # noqa: S610


def term_parameter(term, *, prefix):
    """The tsquery for one of our terms (quoted, so that nothing in it is tsquery syntax)."""
    return _lexeme(term) + (":*" if prefix else "")


def values(items):
    """SQL (and params) for a one-column list of ``items``, as one parameter however many there are."""
    return "SELECT unnest(%s::text[])", [list(items)]
