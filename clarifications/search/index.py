"""Keeping the index and its term statistics in sync with the clarification table.

Everything is indexed, whatever its status: publishing or withdrawing needs no re-index because
visibility (``Clarification.objects.published()``) is applied at query time. ``Clarification.save()``
calls ``index_clarifications()`` explicitly (not from a signal, so that reading ``save()`` shows every
effect), and deletes (one or a queryset) call ``unindex()``. Writes that bypass ``save()``
(``bulk_create()``, ``update()`` of a text field, raw SQL) call ``index_clarifications()`` themselves,
or run ``manage.py rebuild_search_index``. The caller passes the model: this package never imports it.
"""

from collections import Counter

from django.db import connections, router, transaction

from . import statistics
from .analysis import INDEXED_FIELDS, document_terms
from .backends import backend_for


def needs_reindex(update_fields):
    """Whether a save with these ``update_fields`` (None: all) changes indexed text."""
    return update_fields is None or bool(set(update_fields) & set(INDEXED_FIELDS))


def _documents(rows):
    """(id, [(term, field index), ...]) for rows of (id, title, claim, truth, body): analysed once."""
    return [(row[0], document_terms(row[1:])) for row in rows]


def _distinct(terms):
    return {term for term, _field in terms}


def index_clarifications(clarifications, *, using=None):
    """(Re)index the given clarifications (objects with an id and the indexed fields)."""
    clarifications = list(clarifications)
    if not clarifications:
        return
    model = type(clarifications[0])
    alias = using or router.db_for_write(model)
    rows = [(item.pk, *(getattr(item, field) or "" for field in INDEXED_FIELDS)) for item in clarifications]
    _write(alias, model._meta.db_table, rows)


def _write(alias, table, rows):
    connection, backend = connections[alias], backend_for(alias)
    with transaction.atomic(using=alias):
        documents = _documents(rows)
        old = backend.stored_terms(connection, table, [pk for pk, _terms in documents])
        counts: Counter[str] = Counter()
        for pk, terms in documents:
            new, before = _distinct(terms), old.get(pk)
            counts.update(new - (before or set()))
            counts.subtract(before - new if before is not None else ())
            counts[statistics.DOCUMENTS] += before is None
        backend.write_rows(connection, table, documents)
        statistics.add(connection, counts)


def unindex(ids, *, model, using=None):
    """Forget deleted clarifications: their rows in the index and their share of the statistics."""
    ids = list(ids)
    if not ids:
        return
    alias = using or router.db_for_write(model)
    connection, backend = connections[alias], backend_for(alias)
    table = model._meta.db_table
    with transaction.atomic(using=alias):
        old = backend.stored_terms(connection, table, ids)
        counts: Counter[str] = Counter()
        for terms in old.values():
            counts.subtract(terms)
        counts[statistics.DOCUMENTS] -= len(old)
        backend.delete_rows(connection, table, ids)
        statistics.add(connection, counts)


def rebuild_index(*, model, using=None, batch_size=500):
    """Rebuild the whole index and its statistics from the clarification table; returns the row count.

    One transaction: searches keep using the old index until the new one is complete. Rows are read
    in primary-key batches rather than through one long-running cursor, which on SQLite would hold
    a read snapshot open and let the write-ahead log grow to gigabytes. ``model`` may be a
    migration's historical model: only the id and the indexed fields are read.
    """
    alias = using or router.db_for_write(model)
    connection, backend = connections[alias], backend_for(alias)
    table = model._meta.db_table
    rows = model._base_manager.using(alias).order_by("pk").values_list("pk", *INDEXED_FIELDS)
    count, last = 0, None
    counts: Counter[str] = Counter()
    with transaction.atomic(using=alias):
        backend.clear(connection, table)
        while batch := list((rows if last is None else rows.filter(pk__gt=last))[:batch_size]):
            documents = _documents(batch)
            backend.write_rows(connection, table, documents, replace=False)
            counts.update(statistics.document_counts(_distinct(terms) for _pk, terms in documents))
            count, last = count + len(batch), batch[-1][0]
        statistics.replace_all(connection, counts)
    backend.optimize(connection, table)
    return count


def indexed_ids(*, model, using=None):
    """The ids of the clarifications that have a document in the index (for checks and tests)."""
    alias = using or router.db_for_write(model)
    return backend_for(alias).indexed_ids(connections[alias], model._meta.db_table)
