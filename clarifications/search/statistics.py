"""Term statistics for ranking: in how many clarifications each term occurs, kept in a table.

BM25 needs each query term's document frequency. FTS5 could tell it (fts5vocab), PostgreSQL only by
reading every document (``ts_stat``), so both keep the same small table, ``clarifications_searchterm``
(the ``SearchTerm`` model): one row per term, updated in the same transaction as the index, plus one
row whose name begins with a space (no real term has one): the number of documents. Counts include
drafts: they are statistics of the language of the archive, not a listing, and so reveal nothing.

Updates add and subtract in SQL (``documents = documents + excluded.documents``), terms in sorted
order, so that concurrent saves on PostgreSQL neither lose a count nor deadlock.
"""

from collections import Counter

from .backends import backend_for

TABLE = "clarifications_searchterm"
DOCUMENTS = " documents"


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
    """Forget every count and store ``counts`` instead (a rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(connection)}")  # noqa: S608
    add(connection, counts)


def document_counts(terms_per_document):
    """The counts a batch of documents adds: each term once per document, and the documents."""
    counts = Counter()
    for terms in terms_per_document:
        counts.update(set(terms))
        counts[DOCUMENTS] += 1
    return counts


def lookup(connection, terms):
    """{term: documents} for the given terms (absent terms are left out), and DOCUMENTS: one query."""
    wanted, params = backend_for(connection.alias).values([DOCUMENTS, *terms])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, documents FROM {_table(connection)} WHERE term IN ({wanted})", params)  # noqa: S608
        return dict(cursor.fetchall())
