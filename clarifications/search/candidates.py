"""The first stage: which clarifications hold the query's most valuable terms, and roughly how well.

The query's terms are looked up in the statistics (one query, in ``ranking``) and the most valuable
ones are kept (``weighing``: rarity times weight in the text), up to RETRIEVAL_TERMS terms or
ROW_BUDGET matching rows; never simply the first terms of the text, and never a stop word while
the text has anything else. One UNION query asks the database for the clarifications of the
queryset (its filters and visibility included) holding each kept term; a common term contributes
only its TERM_ROWS newest matches. Each candidate scores the sum of the values of the kept terms it
holds. The rare terms are asked first; the common ones only when they could still change which
candidates are reranked (``candidates``), and on PostgreSQL among the newest ids first (``_ask``).

The RERANK best candidates go on to the second stage (``scoring``). RERANK is where the right
clarification of the CLEF-2020 tweets stands after this stage: see docs/search.md.
"""

import math
from collections import Counter, defaultdict
from typing import NamedTuple

from django.db import connections
from django.db.models import Max

from . import statistics
from .backends import backend_for

RETRIEVAL_TERMS = 128
TERM_PLACEHOLDER = "\x00piyao-search-term\x00"  # no term has a NUL: the analysis never makes one
WINDOW_PLACEHOLDER = "\x00piyao-search-window\x00"
# Every row a term finds costs PostgreSQL a visit of the row: the budgets bound the work. The relevance
# benchmark gives the same recall from 1,500 / 200 to 5,000 / 500 (and loses long pastes at 500 / 50);
# a common term still brings more rows than a list shows (RESULT_CAP).
ROW_BUDGET = 2_500
TERM_ROWS = 250
WINDOW_MARGIN = 1.5
RERANK = 40
RERANK_PRUNED = 120
PREFIXES_ASKED = 4


class Asked(NamedTuple):
    """A term the first stage asks the database for."""

    term: str
    prefix: bool  # a one-character prefix (水 finds 水质 and 停水)
    newest: int | None  # only its newest matches (a common term), or None for all of them


class Candidates(NamedTuple):
    """What the first stage found."""

    ranked: list  # [(id, score)], best first
    matched: dict  # {id: [the asked terms it holds]}
    cut: bool  # some clarifications holding an asked term were left out
    depth: int  # how many of the best go on to the rerank


def retrieval_terms(query, counts, values):
    """The ``Asked`` terms: the most valuable first (the informative ones only, if any), within the budgets."""
    entries = [
        (-values.value[term], counts[term], position, term)
        for position, term in enumerate((*query.terms, *values.shares))
        if counts.get(term) and term in values.value
    ]
    # Stop words only for a text of nothing else (not for one whose other words the archive lacks).
    if any(query.informative(term) for term in query.terms):
        entries = [entry for entry in entries if entry[3] in values.shares or query.informative(entry[3])]
    kept, rows, seen = [], 0, set()
    for _value, documents, _position, term in sorted(entries):
        if term in seen:
            continue
        take = min(documents, TERM_ROWS)
        if kept and (len(kept) >= RETRIEVAL_TERMS or rows + take > ROW_BUDGET):
            break
        kept.append(Asked(term, False, TERM_ROWS if documents > TERM_ROWS else None))
        seen.add(term)
        rows += take
    kept.extend(Asked(prefix, True, TERM_ROWS) for prefix in query.prefixes[:PREFIXES_ASKED])
    return kept


def candidates(queryset, kept, values, counts):
    """The clarifications of ``queryset`` holding any kept term (``Candidates``).

    The rare terms are asked first. A common term (and a prefix) can only add its value to a
    clarification's score, so when the RERANK-th candidate already scores more than all the common
    terms together, no clarification holding only common terms can enter the reranked few, and the
    common terms are not asked at all (max-score pruning). Otherwise they are asked in a second
    statement. On PostgreSQL a common term costs a visit of every row that holds it; in a long
    forward with rare words (a place, a date, a number) the common ones were most of the time.
    """
    rare = [entry for entry in kept if entry.newest is None]
    common = [entry for entry in kept if entry.newest is not None]
    scores, matched = Counter(), defaultdict(list)
    cut = _ask(queryset, rare, values, scores, matched, counts)
    depth = RERANK
    if common:
        ranked = sorted(scores.values(), reverse=True)
        at_most = sum(values.value[entry.term] for entry in common)
        # A candidate below the RERANK-th could still overtake it with the common terms: rerank every
        # candidate within their weight of it, if they are few enough; else ask the common terms.
        reach = sum(1 for score in ranked if len(ranked) >= RERANK and score >= ranked[RERANK - 1] - at_most)
        if len(ranked) >= RERANK and ranked[RERANK - 1] > at_most and reach <= RERANK_PRUNED:
            cut, depth = True, reach  # clarifications holding only common terms were not counted
        else:
            cut = _ask(queryset, common, values, scores, matched, counts) or cut
    best_first = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
    return Candidates(best_first, matched, cut, depth)


def _ask(queryset, terms, values, scores, matched, counts):
    """Add the clarifications holding each of ``terms`` to ``scores`` and ``matched``: for each term,
    those of ``queryset`` holding it (a common term's newest TERM_ROWS only, after the queryset's own
    filters). True when a common term filled its quota.

    Where the index cannot give a term's matches newest first (PostgreSQL's GIN: every match is a
    visit of its row, then a sort), a common term is first asked among the newest ids only, a window
    sized from its document frequency to hold about WINDOW_MARGIN times its quota. Every row in the
    window is newer than every row outside it, so when the window holds the quota, its newest are
    the term's newest; when it does not (filters, an uneven spread), the term is asked again whole.
    The result is the same as without windows, for a fraction of the visits.
    """
    if not terms:
        return False
    windows = _windows(queryset, terms, counts)
    found = _fetch(queryset, terms, windows)
    again = [position for position in windows if len(found[position]) < terms[position].newest]
    if again:
        found.update(zip(again, _fetch(queryset, [terms[p] for p in again], {}).values(), strict=True))
    for position, pks in found.items():
        term = terms[position].term
        for pk in pks:
            scores[pk] += values.value[term]
            matched[pk].append(term)
    # A common term that filled its quota may have had more matches: the count is then a floor.
    filled = (entry.newest is not None and len(found[position]) >= entry.newest for position, entry in enumerate(terms))
    return any(filled)


def _windows(queryset, terms, counts):
    """{position: lowest id excluded} for the common terms worth asking among the newest ids first."""
    if not backend_for(queryset.db).NEWEST_NEEDS_WINDOW or all(entry.newest is None for entry in terms):
        return {}
    newest_id = queryset.model._base_manager.using(queryset.db).aggregate(newest=Max("pk"))["newest"] or 0
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    windows = {}
    for position, (term, prefix, limit) in enumerate(terms):
        if limit is None:
            continue
        documents = total / 2 if prefix else max(counts.get(term, 0), 1)  # a prefix: as its IDF assumes
        span = math.ceil(WINDOW_MARGIN * limit * newest_id / documents)
        if span < newest_id:
            windows[position] = newest_id - span
    return windows


def _fetch(queryset, terms, windows):
    """{position: [ids]} for each ``Asked`` of ``terms``, in one UNION ALL statement, a term with a
    window (``windows``: {position: lowest id excluded}) among the ids above it."""
    alias = queryset.db
    connection, backend = connections[alias], backend_for(alias)
    # The statement for one term is compiled once, with placeholder values for the term and the
    # window: compiling it again for each of 64 terms cost more than running it. Each term then
    # takes the place of the placeholder among the parameters.
    base, newest_first = backend.holding(queryset.order_by().prefetch_related(None), TERM_PLACEHOLDER)
    every = base.values_list("pk", flat=True).query.sql_with_params()
    newest, windowed = (
        narrowed.order_by(newest_first).values_list("pk", flat=True)[:TERM_ROWS].query.sql_with_params()
        for narrowed in (base, backend.newer_than(base, WINDOW_PLACEHOLDER) if windows else base)
    )
    parts, params = [], []
    for position, (term, prefix, limited) in enumerate(terms):
        if limited is None:
            branch_sql, branch_params = every
        else:
            branch_sql, branch_params = windowed if position in windows else newest
        values = {
            TERM_PLACEHOLDER: backend.term_parameter(term, prefix=prefix),
            WINDOW_PLACEHOLDER: windows.get(position),
        }
        parts.append(f"SELECT {position} AS search_term, found.* FROM ({branch_sql}) AS found")  # noqa: S608
        params.extend(values.get(param, param) if isinstance(param, str) else param for param in branch_params)
    found = {position: [] for position in range(len(terms))}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for position, pk in cursor.fetchall():
            found[position].append(pk)
    return found
