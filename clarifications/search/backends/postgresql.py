"""PostgreSQL: a ``search_document tsvector`` column on the clarification table, with a GIN index.

The tsvector is written as a literal with positions and weights (the equivalent of
``setweight(to_tsvector('simple', ...), 'A') || ...``), so that no text-search parser splits a term
differently from Python. Keeping it in the row means a delete or a TRUNCATE takes it along.
"""

from ..analysis import document_terms

PG_COLUMN = "search_document"
FIELD_WEIGHTS = "ABCD"  # title, claim, truth, body
MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions per lexeme


def _lexeme(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(fields):
    positions = {}
    for position, (term, field) in enumerate(document_terms(fields), start=1):
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
    """Index rows of (id, title, claim, truth, body)."""
    table, column = _names(connection, table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {column} = %s::tsvector WHERE id = %s",  # noqa: S608
            [(tsvector(row[1:]), row[0]) for row in rows],
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


def matching_ids(connection, table, term, *, prefix):
    """SQL (and params) selecting the ids of the clarifications holding ``term`` (or a term it begins)."""
    table, column = _names(connection, table)
    sql = f"SELECT id FROM {table} WHERE {column} @@ %s::tsquery"  # noqa: S608
    return sql, [_lexeme(term) + (":*" if prefix else "")]


def values(items):
    """SQL (and params) for a one-column list of ``items``, as one parameter however many there are."""
    return "SELECT unnest(%s::text[])", [list(items)]
