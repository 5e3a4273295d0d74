"""Term statistics for ranking: in how many clarifications each term occurs, kept in a table.

BM25 needs each query term's document frequency. FTS5 could tell it (fts5vocab), PostgreSQL only by
reading every document (``ts_stat``), so both keep the same small table, ``clarifications_searchterm``
(the ``SearchTerm`` model): one row per term, updated in the same transaction as the index, plus rows
whose name begins with a space (no real term has one): the number of documents (DOCUMENTS), and the
version of the office's synonym list (SYNONYMS, see ``synonyms``), which every search reads in the same
lookup as its terms. Counts include drafts: they are statistics of the language of the archive, not a
listing, and so reveal nothing.

Updates add and subtract in SQL (``documents = documents + excluded.documents``), terms in sorted
order, so that concurrent saves on PostgreSQL neither lose a count nor deadlock.
"""

from collections import Counter

from .backends import backend_for

TABLE = "clarifications_searchterm"
DOCUMENTS = " documents"
SYNONYMS = " synonyms"


def _table(connection):
    return connection.ops.quote_name(TABLE)


def add(connection, counts):
    """Add ``counts`` ({term: change}) to the table; zero changes are skipped."""
    rows = sorted((term, change) for term, change in counts.items() if change)
    if not rows:
        return
    table = _table(connection)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (term, documents) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (term) DO UPDATE SET documents = {table}.documents + excluded.documents",
            rows,
        )


def replace_all(connection, counts):
    """Forget every count and store ``counts`` instead (a rebuild); the synonym list's version stays."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(connection)} WHERE term <> %s", [SYNONYMS])  # noqa: S608
    add(connection, counts)


def mark(connection, name, value):
    """Set the row ``name`` (one of the rows beginning with a space) to ``value``."""
    table = _table(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (term, documents) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (term) DO UPDATE SET documents = excluded.documents",
            [name, value],
        )


def document_counts(terms_per_document):
    """The counts a batch of documents adds: each term once per document, and the documents."""
    counts: Counter[str] = Counter()
    for terms in terms_per_document:
        counts.update(set(terms))
        counts[DOCUMENTS] += 1
    return counts


def lookup(connection, terms):
    """{term: documents} for the given terms (absent terms are left out), DOCUMENTS and SYNONYMS: one query."""
    wanted, params = backend_for(connection.alias).values([DOCUMENTS, SYNONYMS, *terms])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, documents FROM {_table(connection)} WHERE term IN ({wanted})", params)  # noqa: S608
        return dict(cursor.fetchall())
