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
from .weighing import PREFIX_DOCUMENTS

# At most this many terms are asked: a 2,000-character Chinese forward has about 1,500 bigrams, and
# beyond the most valuable 128 they are common ones that the row budget would stop anyway.
RETRIEVAL_TERMS = 128
TERM_PLACEHOLDER = "\x00piyao-search-term\x00"  # no term has a NUL: the analysis never makes one
WINDOW_PLACEHOLDER = "\x00piyao-search-window\x00"
# Every row a term finds costs PostgreSQL a visit of the row: the budgets bound the work. The relevance
# benchmark gives the same recall from 1,500 / 200 to 5,000 / 500 (and loses long pastes at 500 / 50);
# a common term still brings more rows than a list shows (RESULT_CAP).
ROW_BUDGET = 2_500
TERM_ROWS = 250
# A common term is first asked among the newest ids, a window expected to hold 1.5 times its quota:
# it is asked again whole when the window falls short (filters, an uneven spread), so the margin
# only trades the odds of a second statement against the rows visited (benchmarks/search_bench.py).
WINDOW_MARGIN = 1.5
# How many candidates are reranked: where the first stage had put the right fact-check of 0.924 of
# the CLEF-2020 dev tweets; 80 or 150 gained 0.005 MAP@5 for twice the rerank's work (docs/search.md).
RERANK = 40
# Max-score pruning reranks every candidate within reach of the RERANK-th, up to this many, rather
# than ask the common terms: a bound on the rerank's work for the statement it saves.
RERANK_PRUNED = 120
# A lone Chinese character of the text is asked as a prefix (水 finds 停水, 水质), the first four of
# them only: each matches a large share of a Chinese archive and brings its newest TERM_ROWS, so four
# bound the statement at 1,000 rows. Lone characters are rare in real texts (水, or 停 水 typed apart);
# the benchmarks do not measure this limit.
PREFIXES_ASKED = 4


class Asked(NamedTuple):
    """A term the first stage asks the database for."""

    term: str
    prefix: bool  # a one-character prefix (水 finds 水质 and 停水)
    newest: int | None  # only its newest matches (a common term), or None for all of them


class Candidate(NamedTuple):
    """A clarification the first stage found, and its score there (the values of the asked terms it holds)."""

    id: int
    score: float


class Candidates(NamedTuple):
    """What the first stage found."""

    ranked: list[Candidate]  # best first
    matched: dict[int, list[str]]  # {id: the asked terms it holds}
    cut: bool  # some clarifications holding an asked term were left out
    depth: int  # how many of the best go on to the rerank


class _Offered(NamedTuple):
    """A term of the query the archive holds, in the order the first stage considers them."""

    less_value: float  # minus its value: the most valuable first
    documents: int  # then the rarest
    position: int  # then as the text has them
    term: str


def retrieval_terms(query, counts, values):
    """The ``Asked`` terms: the most valuable first (the informative ones only, if any), within the budgets."""
    offered = [
        _Offered(-values.value[term], counts[term], position, term)
        for position, term in enumerate((*query.terms, *values.shares))
        if counts.get(term) and term in values.value
    ]
    # Stop words only for a text of nothing else (not for one whose other words the archive lacks).
    if any(query.informative(term) for term in query.terms):
        offered = [entry for entry in offered if entry.term in values.shares or query.informative(entry.term)]
    kept: list[Asked] = []
    rows, seen = 0, set()
    for entry in sorted(offered):
        if entry.term in seen:
            continue
        take = min(entry.documents, TERM_ROWS)
        if kept and (len(kept) >= RETRIEVAL_TERMS or rows + take > ROW_BUDGET):
            break
        kept.append(Asked(entry.term, False, TERM_ROWS if entry.documents > TERM_ROWS else None))
        seen.add(entry.term)
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
    scores: Counter[int] = Counter()
    matched: defaultdict[int, list[str]] = defaultdict(list)

    def add(found):
        for asked, pks in found.items():
            for pk in pks:
                scores[pk] += values.value[asked.term]
                matched[pk].append(asked.term)

    found, cut = _ask(queryset, rare, counts)
    add(found)
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
            found, filled = _ask(queryset, common, counts)
            add(found)
            cut = filled or cut
    found_all = (Candidate(pk, score) for pk, score in scores.items())
    best_first = sorted(found_all, key=lambda item: (-item.score, -item.id))
    return Candidates(best_first, dict(matched), cut, depth)


def _ask(queryset, terms, counts):
    """({``Asked``: [ids]}, filled): for each of ``terms``, the clarifications of ``queryset``
    holding it (a common term's newest TERM_ROWS only, after the queryset's own filters); ``filled``
    when a common term filled its quota (it may have had more matches: what it adds is then a floor).

    Where the index cannot give a term's matches newest first (PostgreSQL's GIN: every match is a
    visit of its row, then a sort), a common term is first asked among the newest ids only, a window
    sized from its document frequency to hold about WINDOW_MARGIN times its quota. Every row in the
    window is newer than every row outside it, so when the window holds the quota, its newest are
    the term's newest; when it does not (filters, an uneven spread), the term is asked again whole.
    The result is the same as without windows, for a fraction of the visits.
    """
    if not terms:
        return {}, False
    windows = _windows(queryset, terms, counts)
    found = _fetch(queryset, terms, windows)
    again = [position for position in windows if len(found[position]) < (terms[position].newest or 0)]
    if again:
        found.update(zip(again, _fetch(queryset, [terms[p] for p in again], {}).values(), strict=True))
    filled = any(
        entry.newest is not None and len(found[position]) >= entry.newest for position, entry in enumerate(terms)
    )
    return {terms[position]: pks for position, pks in found.items()}, filled


def _windows(queryset, terms, counts):
    """{position: lowest id excluded} for the common terms worth asking among the newest ids first."""
    if not backend_for(queryset.db).NEWEST_NEEDS_WINDOW or all(entry.newest is None for entry in terms):
        return {}
    newest_id = queryset.model._base_manager.using(queryset.db).aggregate(newest=Max("pk"))["newest"] or 0
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    windows = {}
    for position, entry in enumerate(terms):
        if entry.newest is None:
            continue
        # A prefix: as common as its IDF assumes (``weighing.PREFIX_DOCUMENTS``).
        documents = total * PREFIX_DOCUMENTS if entry.prefix else max(counts.get(entry.term, 0), 1)
        span = math.ceil(WINDOW_MARGIN * entry.newest * newest_id / documents)
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
    parts: list[str] = []
    params: list = []
    for position, entry in enumerate(terms):
        if entry.newest is None:
            branch_sql, branch_params = every
        else:
            branch_sql, branch_params = windowed if position in windows else newest
        values = {
            TERM_PLACEHOLDER: backend.term_parameter(entry.term, prefix=entry.prefix),
            WINDOW_PLACEHOLDER: windows.get(position),
        }
        parts.append(f"SELECT {position} AS search_term, found.* FROM ({branch_sql}) AS found")  # noqa: S608
        params.extend(values.get(param, param) if isinstance(param, str) else param for param in branch_params)
    found: dict[int, list[int]] = {position: [] for position in range(len(terms))}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for position, pk in cursor.fetchall():
            found[position].append(pk)
    return found
