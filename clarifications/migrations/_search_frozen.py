"""A frozen copy of what the search migrations need to build the index, as it was when they were written.

Migrations must not import application code that later changes: a fresh ``migrate`` would then run
today's code against yesterday's schema. So the analysis (Chinese bigrams, stemmed English words)
and the storage format of both databases are copied here and never edited; a later change to
``clarifications/search`` that alters either comes with a migration of its own (and usually just
asks for ``manage.py rebuild_search_index``). The module's name starts with an underscore, so
Django does not take it for a migration. The first release's migration needs none of it (an empty
database has nothing to index); it stays for the next migration that must re-index existing rows.
"""

import re
import unicodedata
from collections import Counter
from itertools import pairwise

import snowballstemmer

FIELDS = ("title", "claim", "truth", "body")
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")
WORD_RE = re.compile(r"[^\W_]+")
MAX_WORD_CHARS = 40
MAX_DOCUMENT_TERMS = 16000
MAX_POSITIONS_PER_TERM = 255
PG_FIELD_WEIGHTS = "ABCD"
FTS_TABLE = "clarifications_search"
PG_COLUMN = "search_document"
TERMS_TABLE = "clarifications_searchterm"
DOCUMENTS = " documents"

_stemmer = snowballstemmer.stemmer("english")


def _fold(char):
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _terms(text):
    out = []
    for match in TOKEN_RE.finditer(text):
        if match.lastgroup == "cjk":
            chars = [_fold(char) for char in match.group()]
            out.extend(a + b for a, b in pairwise(chars))
            out.append(chars[-1])
        else:
            folded = unicodedata.normalize("NFKC", match.group()).casefold()
            out.extend(_stemmer.stemWord(part[:MAX_WORD_CHARS]) for part in WORD_RE.findall(folded))
    return out


def _document_terms(fields):
    out = []
    for index, text in enumerate(fields):
        out.extend((term, index) for term in _terms(text or ""))
        if len(out) >= MAX_DOCUMENT_TERMS:
            return out[:MAX_DOCUMENT_TERMS]
    return out


def _lexeme(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(fields):
    positions = {}
    for position, (term, field) in enumerate(_document_terms(fields), start=1):
        entry = positions.setdefault(term, [])
        if len(entry) < MAX_POSITIONS_PER_TERM:
            entry.append(f"{position}{PG_FIELD_WEIGHTS[field]}")
    return " ".join(f"{_lexeme(term)}:{','.join(entry)}" for term, entry in positions.items())


def _fts5_columns(fields):
    columns = [[] for _ in FIELDS]
    for term, field in _document_terms(fields):
        columns[field].append(term)
    return [" ".join(terms) for terms in columns]


def rebuild(model, connection, *, with_statistics, batch_size=500):
    """Index every clarification of the historical ``model``; fill the term statistics if asked."""
    quote = connection.ops.quote_name
    rows = model._base_manager.using(connection.alias).order_by("pk").values_list("pk", *FIELDS)
    counts, last = Counter(), None
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {quote(FTS_TABLE)}")  # noqa: S608
        while batch := list((rows if last is None else rows.filter(pk__gt=last))[:batch_size]):
            if connection.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {quote(FTS_TABLE)} (rowid, title, claim, truth, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                    [(row[0], *_fts5_columns(row[1:])) for row in batch],
                )
            else:
                cursor.executemany(
                    f"UPDATE {quote(model._meta.db_table)} SET {quote(PG_COLUMN)} = %s::tsvector WHERE id = %s",  # noqa: S608
                    [(_tsvector(row[1:]), row[0]) for row in batch],
                )
            for row in batch:
                counts.update({term for term, _field in _document_terms(row[1:])})
                counts[DOCUMENTS] += 1
            last = batch[-1][0]
        if with_statistics:
            cursor.execute(f"DELETE FROM {quote(TERMS_TABLE)}")  # noqa: S608
            cursor.executemany(
                f"INSERT INTO {quote(TERMS_TABLE)} (term, documents) VALUES (%s, %s)",  # noqa: S608
                sorted(counts.items()),
            )
