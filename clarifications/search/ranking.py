"""Ranking a text against the clarifications: noise-tolerant, the same on both databases.

A citizen pastes a whole forwarded message: a preamble ("【重要通知，请务必转发】各位亲朋好友"), the
rumor, emoji, a link, "不转不是中国人". So a clarification matches on ANY term of the text, and its
score is a BM25 sum in which each term weighs by its rarity in the archive (its IDF, from the term
statistics): the rumor's words weigh far more than greetings, "转发" or "家人们".

Two stages, both bounded whatever the length of the text:

1. Candidates. The query's terms are looked up in the statistics (one query) and the most
   informative ones are kept, rarest first, up to RETRIEVAL_TERMS terms or ROW_BUDGET matching
   rows; never simply the first terms of the text. One UNION query asks the database for the
   clarifications of ``queryset`` (its filters and visibility included) holding each kept term; a
   common term contributes only its TERM_ROWS newest matches. Each candidate scores the sum of the
   IDFs of the kept terms it holds. The rare terms are asked first; the common ones only when they
   could still change which candidates are reranked (``_candidates``), and on PostgreSQL among the
   newest ids first (``_ask``).
2. Reranking. The RERANK best candidates are scored with BM25F over title, claim, truth and body
   (field weights FIELD_WEIGHTS, k1 = 1.2, b = 0.75, lengths relative to the candidates' own
   average) using every term of the query, plus a bonus for each pair of terms that stand side by
   side both in the query and in the clarification (a phrase: 地铁停运, "vaccine microchips").
   Their texts are analysed in Python (and the analysis kept in a small per-process cache).
   Last, the score is multiplied by up to 1 + OVERLAP_WEIGHT when the text and the rumor overlap:
   when most of the clarification's claim is in the text (a whole forward quoting it) or most of
   the text is in its claim and title (a fragment of the rumor), above OVERLAP_FLOOR. In a long
   forward of 2,000 characters the chatter shares words with many bodies and truths, and BM25 alone
   then put a clarification of the same topic but another district or date first (long English
   pastes: recall@1 0.87); with the overlap factor, 1.00 (benchmarks/relevance.py).

The databases only say which rows hold which term; all the arithmetic is this module's, so SQLite
and PostgreSQL rank alike by construction.

Match strength (``Strength``) says how far a result answers the text, for an honest page:
- STRONG: the text contains most of the clarification's claim (CLAIM_COVERAGE_STRONG of the claim's
  distinct terms, and at least STRONG_MIN_TERMS of them): "this message matches the clarification".
- MATCH: most of what was typed is in the clarification (QUERY_COVERAGE_MATCH of the text, each
  character or word weighted by its rarity: ``_Coverage``), or a good part of its claim is in the text.
- RELATED: anything else that shares a word: shown only as "possibly related".
Tips, the receipt, suggestions and triage all read the same strengths.
"""

import math
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from threading import Lock

from django.db import connections, models
from django.db.models import IntegerField, Max
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from . import statistics
from .analysis import INDEXED_FIELDS, RECENCY_FIELD, Query, adjacent_pairs, parse_query, tokenize
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
RESULT_CAP = 200  # more candidates than this: the list says "200+"
SCORED_BODY_CHARS = 4000
K1 = 1.2
B = 0.75
FIELD_WEIGHTS = (2.0, 2.0, 1.0, 0.5)  # title, claim, truth, body
PAIR_WEIGHT = 0.5
OVERLAP_WEIGHT = 1.0
OVERLAP_FLOOR = 0.5
CLAIM = INDEXED_FIELDS.index("claim")
TITLE = INDEXED_FIELDS.index("title")
CLAIM_COVERAGE_STRONG = 0.6
STRONG_MIN_TERMS = 3
QUERY_COVERAGE_MATCH = 0.5
CLAIM_COVERAGE_MATCH = 0.3
PROFILE_CACHE_SIZE = 1_000


class Strength(models.IntegerChoices):
    RELATED = 0, _("possibly related")
    MATCH = 1, _("matches")
    STRONG = 2, _("strong match")


@dataclass
class Ranking:
    """The ranked ids of the clarifications matching a text, best first, with their strengths."""

    query: Query
    ids: list = field(default_factory=list)
    strengths: dict = field(default_factory=dict)
    highlight: Query = None  # the informative terms, for snippets
    capped: bool = False  # more clarifications hold some term than were ranked

    def count(self, at_least):
        """How many results are at least this strong."""
        return sum(1 for strength in self.strengths.values() if strength >= at_least)

    @property
    def best_strength(self):
        return self.strengths.get(self.ids[0], Strength.RELATED) if self.ids else None

    def notice(self):
        """How a page of results by relevance presents them (``includes/match_notice.html``): "strong"
        (announce the first result), "none" (nothing answers the text: offer to report it), or None.
        Not "none" when a match stands below a merely related first result: the page counts it."""
        if self.best_strength == Strength.STRONG:
            return "strong"
        return "none" if self.count(Strength.MATCH) == 0 else None

    def apply(self, queryset):
        """The ranked rows of ``queryset``, best first, with ``search_rank`` and ``search_strength``.

        The ids were found through ``queryset`` itself (its filters and visibility applied), so the
        rows are fetched by primary key alone, keeping what it prefetches: with the visibility
        conditions repeated, SQLite walked the index on status through every published row rather
        than look the ids up (it takes an equality on an indexed column for a selective one).
        """
        if not self.ids:
            return queryset.none()
        # One CASE over the ids (integers from the database, written as such): building it as
        # Case(When(...)) expressions cost more than the whole search.
        quote = connections[queryset.db].ops.quote_name
        key = f"{quote(queryset.model._meta.db_table)}.{quote(queryset.model._meta.pk.column)}"
        count = len(self.ids)
        rank = " ".join(f"WHEN {int(pk)} THEN {count - position}" for position, pk in enumerate(self.ids))
        strength = " ".join(f"WHEN {int(pk)} THEN {int(self.strengths[pk])}" for pk in self.ids if self.strengths[pk])
        rank_sql = f"CASE {key} {rank} ELSE 0 END"
        strength_sql = f"CASE {key} {strength} ELSE 0 END" if strength else "0"
        rows = queryset.model._base_manager.db_manager(queryset.db).filter(pk__in=self.ids)
        rows.query.select_related = queryset.query.select_related
        rows = rows.prefetch_related(*queryset._prefetch_related_lookups)
        return rows.annotate(
            search_rank=RawSQL(rank_sql, (), output_field=IntegerField()),  # noqa: S611 (integers only)
            search_strength=RawSQL(strength_sql, (), output_field=IntegerField()),  # noqa: S611
        ).order_by("-search_rank")


def _idf(documents, total):
    return math.log(1 + (total - documents + 0.5) / (documents + 0.5))


def rank(queryset, text, *, limit=None):
    """Rank the clarifications of ``queryset`` against ``text`` (see the module docstring).

    At most ``limit`` (RESULT_CAP) results; ``capped`` tells whether there were more.
    """
    limit = RESULT_CAP if limit is None else limit
    query = text if isinstance(text, Query) else parse_query(text)
    ranking = Ranking(query=query, highlight=query)
    if not query:
        return ranking
    connection = connections[queryset.db]
    counts = statistics.lookup(connection, query.terms)
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    idf = {term: _idf(counts.get(term, 0), total) for term in query.terms}
    # A one-character prefix stands for many terms: weigh it as a term found in half the documents.
    idf.update({prefix: _idf(total / 2, total) for prefix in query.prefixes})
    kept = _retrieval_terms(query, counts)
    if not kept:
        return ranking
    ranking.highlight = query.restricted_to(term for term, _prefix, _newest in kept)
    first, matched, cut, depth = _candidates(queryset, kept, idf, counts)
    ranking.capped = cut or len(first) > limit
    first = first[:limit]
    coverage = _Coverage(query, idf)
    reranked = _rerank(queryset, query, idf, coverage, [pk for pk, _score in first[:depth]])
    for pk, _score in first[depth:]:
        reranked.append((pk, _score, _strength(coverage.of(matched[pk]), 0.0, 0)))
    ranking.ids = [pk for pk, _score, _strength_ in reranked]
    ranking.strengths = {pk: strength for pk, _score, strength in reranked}
    return ranking


def first_stage(queryset, text):
    """The ids the first stage finds for ``text``, best first, before reranking (for the benchmarks)."""
    query = text if isinstance(text, Query) else parse_query(text)
    if not query:
        return []
    counts = statistics.lookup(connections[queryset.db], query.terms)
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    idf = {term: _idf(counts.get(term, 0), total) for term in query.terms}
    idf.update({prefix: _idf(total / 2, total) for prefix in query.prefixes})
    kept = _retrieval_terms(query, counts)
    if not kept:
        return []
    first, _matched, _cut, _depth = _candidates(queryset, kept, idf, counts)
    return [pk for pk, _score in first]


def _retrieval_terms(query, counts):
    """[(term, is_prefix, newest)] for the most informative terms: rarest first, within the budgets."""
    found = sorted((counts[term], position, term) for position, term in enumerate(query.terms) if counts.get(term))
    kept, rows = [], 0
    for documents, _position, term in found:
        take = min(documents, TERM_ROWS)
        if kept and (len(kept) >= RETRIEVAL_TERMS or rows + take > ROW_BUDGET):
            break
        kept.append((term, False, TERM_ROWS if documents > TERM_ROWS else None))
        rows += take
    kept.extend((prefix, True, TERM_ROWS) for prefix in query.prefixes[:4])
    return kept


def _candidates(queryset, kept, idf, counts):
    """[(id, first-stage score)] of the clarifications holding any kept term, best first,
    {id: [the kept terms it holds]}, and whether some clarifications holding a kept term were left out.

    The rare terms are asked first. A common term (and a prefix) can only add its IDF to a
    clarification's score, so when the RERANK-th candidate already scores more than all the common
    terms together, no clarification holding only common terms can enter the reranked few, and the
    common terms are not asked at all (max-score pruning). Otherwise they are asked in a second
    statement. On PostgreSQL a common term costs a visit of every row that holds it; in a long
    forward with rare words (a place, a date, a number) the common ones were most of the time.
    """
    rare = [entry for entry in kept if entry[2] is None]
    common = [entry for entry in kept if entry[2] is not None]
    scores, matched = Counter(), defaultdict(list)
    cut = _ask(queryset, rare, idf, scores, matched, counts)
    depth = RERANK
    if common:
        ranked = sorted(scores.values(), reverse=True)
        at_most = sum(idf[term] for term, _prefix, _limit in common)
        # A candidate below the RERANK-th could still overtake it with the common terms: rerank every
        # candidate within their weight of it, if they are few enough; else ask the common terms.
        reach = sum(1 for score in ranked if len(ranked) >= RERANK and score >= ranked[RERANK - 1] - at_most)
        if len(ranked) >= RERANK and ranked[RERANK - 1] > at_most and reach <= RERANK_PRUNED:
            cut, depth = True, reach  # clarifications holding only common terms were not counted
        else:
            cut = _ask(queryset, common, idf, scores, matched, counts) or cut
    return sorted(scores.items(), key=lambda item: (-item[1], -item[0])), matched, cut, depth


def _ask(queryset, terms, idf, scores, matched, counts):
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
    again = [position for position, lower in windows.items() if len(found[position]) < terms[position][2]]
    if again:
        found.update(zip(again, _fetch(queryset, [terms[p] for p in again], {}).values(), strict=True))
    for position, pks in found.items():
        term = terms[position][0]
        for pk in pks:
            scores[pk] += idf[term]
            matched[pk].append(term)
    # A common term that filled its quota may have had more matches: the count is then a floor.
    return any(limit is not None and len(found[position]) >= limit for position, (_t, _p, limit) in enumerate(terms))


def _windows(queryset, terms, counts):
    """{position: lowest id excluded} for the common terms worth asking among the newest ids first."""
    if not backend_for(queryset.db).NEWEST_NEEDS_WINDOW or all(limit is None for _t, _p, limit in terms):
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
    """{position: [ids]} for each (term, prefix, limit) of ``terms``, in one UNION ALL statement, a
    term with a window (``windows``: {position: lowest id excluded}) among the ids above it."""
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


# --- Reranking ------------------------------------------------------------------------------------

_profiles = OrderedDict()
_profiles_lock = Lock()


@dataclass(frozen=True)
class Profile:
    """What reranking needs of one clarification's text: per field, term counts, length, adjacent pairs."""

    counts: tuple
    lengths: tuple
    pairs: frozenset
    text: tuple  # the fields' text, for one-character prefixes
    terms: frozenset  # every term of every field


def _profile(fields):
    with _profiles_lock:
        if fields in _profiles:
            _profiles.move_to_end(fields)
            return _profiles[fields]
    counts, lengths, pairs = [], [], set()
    for value in fields:
        tokens = tokenize(value, for_query=True)
        counts.append(Counter(token[0] for token in tokens))
        lengths.append(len(tokens))
        pairs |= adjacent_pairs(tokens)
    terms = frozenset().union(*counts)
    profile = Profile(tuple(counts), tuple(lengths), frozenset(pairs), fields, terms)
    with _profiles_lock:
        _profiles[fields] = profile
        while len(_profiles) > PROFILE_CACHE_SIZE:
            _profiles.popitem(last=False)
    return profile


def _rerank(queryset, query, idf, coverage, ids):
    """[(id, score, strength)] for ``ids``, best first: BM25F over every term, plus phrases."""
    if not ids:
        return []
    rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=ids)
    rows = rows.values_list("pk", RECENCY_FIELD, *INDEXED_FIELDS)
    profiles, recency = {}, {}
    for pk, when, *fields in rows:
        profiles[pk] = _profile((*(value or "" for value in fields[:-1]), (fields[-1] or "")[:SCORED_BODY_CHARS]))
        recency[pk] = when.timestamp() if when else 0.0
    if not profiles:
        return []
    average = [
        max(sum(p.lengths[f] for p in profiles.values()) / len(profiles), 1.0) for f in range(len(FIELD_WEIGHTS))
    ]
    terms = frozenset(query.terms)
    fields = range(len(FIELD_WEIGHTS))
    scored = []
    for pk, profile in profiles.items():
        score, hits = 0.0, []
        norms = [FIELD_WEIGHTS[f] / (1 - B + B * profile.lengths[f] / average[f]) for f in fields]
        for term in terms & profile.terms:
            weighted = sum(norms[f] * profile.counts[f][term] for f in fields if term in profile.counts[f])
            score += idf[term] * weighted * (K1 + 1) / (weighted + K1)
            hits.append(term)
        for prefix in query.prefixes:
            weighted = sum(norms[f] * profile.text[f].count(prefix) for f in fields)
            if weighted:
                score += idf[prefix] * weighted * (K1 + 1) / (weighted + K1)
                hits.append(prefix)
        score += PAIR_WEIGHT * sum(min(idf[a], idf[b]) for a, b in query.pairs & profile.pairs)
        claim = profile.counts[CLAIM] or profile.counts[TITLE]
        claim_hits = sum(1 for term in claim if term in terms)
        claim_coverage = claim_hits / len(claim) if claim else 0.0
        # The rumor itself, as opposed to a clarification that shares many of a long text's words.
        heading = sum(1 for term in terms if term in profile.counts[CLAIM] or term in profile.counts[TITLE])
        overlap = max(claim_coverage, heading / len(terms) if terms else 0.0)
        score *= 1 + OVERLAP_WEIGHT * max(0.0, overlap - OVERLAP_FLOOR) / (1 - OVERLAP_FLOOR)
        scored.append((pk, score, _strength(coverage.of(hits), claim_coverage, claim_hits)))
    # Equal scores: the more recently published first, then the more recently added.
    scored.sort(key=lambda item: (-round(item[1], 9), -recency[item[0]], -item[0]))
    return scored


class _Coverage:
    """How much of the query's text a result's matched terms cover, weighted by rarity.

    Each character of a Chinese run (each word of other text) weighs the IDF of the rarest term
    covering it; a result covers it when it holds any term covering it. So 地铁停运 is fully covered
    by a text with 地铁 and 停运 apart, and 火星人入侵本市 is barely covered by one with only 本市.
    """

    def __init__(self, query, idf):
        self.spans = dict(query.spans)
        self.weights = {}
        for term, offsets in query.spans:
            for offset in offsets:
                self.weights[offset] = max(self.weights.get(offset, 0.0), idf.get(term, 0.0))
        self.total = sum(self.weights.values()) or 1.0

    def of(self, matched_terms):
        covered = set()
        for term in matched_terms:
            covered.update(self.spans.get(term, ()))
        return sum(self.weights[offset] for offset in covered) / self.total


def _strength(query_coverage, claim_coverage, claim_terms):
    if claim_coverage >= CLAIM_COVERAGE_STRONG and claim_terms >= STRONG_MIN_TERMS:
        return Strength.STRONG
    if query_coverage >= QUERY_COVERAGE_MATCH or claim_coverage >= CLAIM_COVERAGE_MATCH:
        return Strength.MATCH
    return Strength.RELATED
