"""Ranking a text against the clarifications: noise-tolerant, the same on both databases.

A citizen pastes a whole forwarded message: a preamble ("【重要通知，请务必转发】各位亲朋好友"), the
rumor, emoji, a link, "不转不是中国人"; or a tweet with its handles, hashtags and signature line. So
a clarification matches on ANY term of the text, and its score is a BM25 sum in which each term
weighs by its rarity in the archive (its IDF, from the term statistics) times what its part of the
text is worth (``analysis``: stop words, chatter, links, a signature line weigh less): the rumor's
words weigh far more than greetings, "转发" or "家人们". Other words for the same thing (the synonym
list: 新冠 / 新型冠状病毒, USA / United States) are asked too, sharing their term's worth
(``synonyms``, ``weighing``).

Two stages, both bounded whatever the length of the text:

1. Candidates (``candidates``): the most valuable terms, rarest first within budgets, asked of the
   database in one UNION query; each candidate scores the values of the terms it holds.
2. Reranking (``scoring``): the RERANK best are scored on their whole text with BM25F, phrases and
   the overlap of the text with the rumor, and given a match strength.

Last, what a page may show (``_shown``): a result only "possibly related" (``Strength.RELATED``) is
left out when it shares fewer than RELATED_MIN_WORDS words of what the text says (``shared_words``:
no stop word, chatter or particle), and beyond the first RELATED_SHOWN of them. A result that
matches or matches strongly is always kept.

The databases only say which rows hold which term; all the arithmetic is this package's, so SQLite
and PostgreSQL rank alike by construction. docs/search.md says how each constant was set.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connections
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from . import posts, statistics, synonyms
from .analysis import Query, parse_query
from .candidates import RERANK, Asked, Candidates, candidates, retrieval_terms
from .scoring import CLAIM_COVERAGE_STRONG, Coverage, Scored, ScoreParts, Strength, rerank, shared_words, strength_of
from .weighing import TermValues, alternative_terms, term_values

__all__ = [
    "CLAIM_COVERAGE_STRONG",
    "RELATED_MIN_COVERAGE",
    "RELATED_MIN_WORDS",
    "RELATED_SHOWN",
    "RERANK",
    "RESULT_CAP",
    "Ranking",
    "ScoreParts",
    "Strength",
    "first_stage",
    "rank",
]

# More candidates than this: the list says "200+". Ten pages of results; nobody reads further, and
# reranking more would cost more than the whole search (benchmarks/search_bench.py).
RESULT_CAP = 200
# A "possibly related" result must share this many words of what the text says (``shared_words``).
# One shared word is what a forward matching nothing has with much of an archive: a forward about free
# eggs listed 17 of the 36 demo clarifications on 明天, 朋友, 所有, 的朋友 (none are listed now). Set by
# hand; RELATED_MIN_COVERAGE below is the measured part.
RELATED_MIN_WORDS = 2
# ... except in a short text (this many words that say something, or fewer: 地铁停运 停水 台风,
# "subway closing weekend"; counted as ``shared_words`` counts them), where one shared word is a
# good part of it: a clarification of the subway is related to 地铁停运.
SHORT_TEXT_WORDS = 4
# At most this many "possibly related" results: a few leads for a text nothing answers, not pages of
# them (a short forward listed 19); as many as the list shows when nothing matches (NEAREST_SHOWN).
# Results that match are never cut. At 3, the right fact-check of three CLEF-2020 dev tweets, only
# possibly related and fourth or fifth, was cut: R@5 0.888 -> 0.873 (docs/search.md).
RELATED_SHOWN = 5
# ... and hold this share of what the text is worth (``Coverage``: each word by its value): two
# common words of a long post ("people", "city") are chance. On the CLEF-2020 dev tweets asked of an
# archive that cannot answer them, the possibly related results held 0.03-0.11 of the text's worth
# (median 0.06); the right fact-check, where it was only possibly related, never less than 0.08.
RELATED_MIN_COVERAGE = 0.08

# Why a result was left out (``Ranking.hidden``, printed by ``manage.py explain_search``).
FEW_WORDS = "shares too few words of what the text says (RELATED_MIN_WORDS)"
LITTLE_WORTH = "holds too little of what the text is worth (RELATED_MIN_COVERAGE)"
PAST_CAP = "beyond the first RELATED_SHOWN possibly related"


@dataclass
class Ranking:
    """The ranked ids of the clarifications matching a text, best first, with their strengths."""

    query: Query
    ids: list[int] = field(default_factory=list)
    strengths: dict[int, Strength] = field(default_factory=dict)
    highlight: Query | None = None  # what snippets mark: the terms that say something
    capped: bool = False  # more clarifications hold some term than were ranked
    # With ``rank(..., explain=True)``: {id: ``ScoreParts``} of the reranked, the first stage's scores,
    # the words each result shares, and {id: why} for the results left out (FEW_WORDS, PAST_CAP).
    details: dict[int, ScoreParts] = field(default_factory=dict)
    first_stage: dict[int, float] = field(default_factory=dict)
    words: dict[int, float] = field(default_factory=dict)
    hidden: dict[int, str] = field(default_factory=dict)

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


def rank(queryset, text, *, limit=None, explain=False):
    """Rank the clarifications of ``queryset`` against ``text`` (see the module docstring).

    At most ``limit`` (RESULT_CAP) results; ``capped`` tells whether there were more. With
    ``explain``, ``details`` holds each reranked result's ``ScoreParts`` and ``first_stage`` every
    candidate's first-stage score.
    """
    limit = RESULT_CAP if limit is None else limit
    query = text if isinstance(text, Query) else parse_query(text)
    ranking = Ranking(query=query, highlight=_highlighted(query, query.terms))
    if not query:
        return ranking
    found = _first_stage(queryset, query)
    if found is None:
        return ranking
    query, values, first = found.query, found.values, found.candidates
    ranking.query = query
    ranking.highlight = _highlighted(query, [entry.term for entry in found.asked])
    ranking.capped = first.cut or len(first.ranked) > limit
    ranked = first.ranked[:limit]
    coverage = Coverage(query, values)
    reranked = rerank(queryset, query, values, coverage, [item.id for item in ranked[: first.depth]], explain=explain)
    for item in ranked[first.depth :]:
        covered = coverage.of(first.matched[item.id])
        words = shared_words(query, first.matched[item.id])
        reranked.append(Scored(item.id, item.score, strength_of(covered, 0.0, 0), words, covered))
    short = shared_words(query, (*query.terms, *query.prefixes)) <= SHORT_TEXT_WORDS
    shown, hidden = _shown(reranked, 1 if short else RELATED_MIN_WORDS)
    ranking.ids = [item.id for item in shown]
    ranking.strengths = {item.id: item.strength for item in shown}
    if explain:
        ranking.details = {item.id: item.parts for item in reranked if item.parts is not None}
        ranking.first_stage = {item.id: item.score for item in ranked}
        ranking.words = {item.id: item.words for item in reranked}
        ranking.hidden = hidden
    return ranking


def _shown(reranked, min_words):
    """([``Scored``] a page may show, best first; {id: why not} for the others): a possibly related
    result needs ``min_words`` shared words and RELATED_MIN_COVERAGE of the text's worth, and only
    the first RELATED_SHOWN of them are kept."""
    shown: list[Scored] = []
    hidden: dict[int, str] = {}
    related = 0
    for item in reranked:
        if item.strength == Strength.RELATED:
            if item.words < min_words:
                hidden[item.id] = FEW_WORDS
                continue
            if item.coverage < RELATED_MIN_COVERAGE:
                hidden[item.id] = LITTLE_WORTH
                continue
            if related >= RELATED_SHOWN:
                hidden[item.id] = PAST_CAP
                continue
            related += 1
        shown.append(item)
    return shown, hidden


def first_stage(queryset, text):
    """The ids the first stage finds for ``text``, best first, before reranking (for the benchmarks)."""
    query = text if isinstance(text, Query) else parse_query(text)
    found = _first_stage(queryset, query) if query else None
    return [item.id for item in found.candidates.ranked] if found else []


class FirstStage(NamedTuple):
    """What the first stage made of a text."""

    query: Query  # with its other forms (synonyms, a tag's likeliest split)
    values: TermValues
    asked: list[Asked]
    candidates: Candidates


def _first_stage(queryset, query):
    """The ``FirstStage`` of ``query``, or None when no term of the text is in the archive."""
    connection = connections[queryset.db]
    known = synonyms.current(connection.alias)
    query = query.with_alternatives(known.alternatives(query))
    guessed = {term for guess in query.guesses for term in guess.terms}
    counts = statistics.lookup(connection, [*query.terms, *alternative_terms(query), *guessed])
    version = counts.get(statistics.SYNONYMS, 0)
    if version != known.version:  # the office's list changed since this process read it
        query = query.with_alternatives(synonyms.load(connection, version).alternatives(query))
        missing = [term for term in alternative_terms(query) if term not in counts]
        if missing:
            counts.update(statistics.lookup(connection, missing))
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    query = query.with_alternatives((*query.alternatives, *posts.likeliest(query.guesses, counts, total)))
    values = term_values(query, counts)
    kept = retrieval_terms(query, counts, values)
    if not kept:
        return None
    return FirstStage(query, values, kept, candidates(queryset, kept, values, counts))


def _highlighted(query, terms):
    """What a snippet marks: the asked terms that say something (no stop word, chatter or particle:
    ``Query.says_something``); failing those the informative ones; for a text of nothing but stop
    words ("The Who"), its words."""
    saying = [term for term in terms if query.says_something(term)]
    informative = [term for term in terms if query.informative(term)]
    return query.restricted_to(saying or informative or terms)
