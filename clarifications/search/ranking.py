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

The databases only say which rows hold which term; all the arithmetic is this package's, so SQLite
and PostgreSQL rank alike by construction. docs/search.md says how each constant was set.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL

from . import posts, statistics, synonyms
from .analysis import Query, parse_query
from .candidates import RERANK, candidates, retrieval_terms
from .scoring import CLAIM_COVERAGE_STRONG, Coverage, Scored, ScoreParts, Strength, rerank, strength_of
from .weighing import alternative_terms, term_values

__all__ = [
    "CLAIM_COVERAGE_STRONG",
    "RERANK",
    "RESULT_CAP",
    "Ranking",
    "ScoreParts",
    "Strength",
    "first_stage",
    "rank",
]

RESULT_CAP = 200  # more candidates than this: the list says "200+"


@dataclass
class Ranking:
    """The ranked ids of the clarifications matching a text, best first, with their strengths."""

    query: Query
    ids: list = field(default_factory=list)
    strengths: dict = field(default_factory=dict)
    highlight: Query = None  # the informative terms, for snippets
    capped: bool = False  # more clarifications hold some term than were ranked
    # With ``rank(..., explain=True)``: {id: ``ScoreParts``} of the reranked, and the first stage's scores.
    details: dict = field(default_factory=dict)
    first_stage: dict = field(default_factory=dict)

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
    query, values, kept, first = found
    ranking.query = query
    ranking.highlight = _highlighted(query, [entry.term for entry in kept])
    ranking.capped = first.cut or len(first.ranked) > limit
    ranked = first.ranked[:limit]
    coverage = Coverage(query, values)
    reranked = rerank(queryset, query, values, coverage, [pk for pk, _score in ranked[: first.depth]], explain=explain)
    for pk, score in ranked[first.depth :]:
        reranked.append(Scored(pk, score, strength_of(coverage.of(first.matched[pk]), 0.0, 0)))
    ranking.ids = [item.id for item in reranked]
    ranking.strengths = {item.id: item.strength for item in reranked}
    if explain:
        ranking.details = {item.id: item.parts for item in reranked if item.parts is not None}
        ranking.first_stage = dict(ranked)
    return ranking


def first_stage(queryset, text):
    """The ids the first stage finds for ``text``, best first, before reranking (for the benchmarks)."""
    query = text if isinstance(text, Query) else parse_query(text)
    found = _first_stage(queryset, query) if query else None
    return [pk for pk, _score in found[3].ranked] if found else []


def _first_stage(queryset, query):
    """(query with its other forms, ``TermValues``, the asked terms, ``Candidates``), or None when no
    term of the text is in the archive."""
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
    return query, values, kept, candidates(queryset, kept, values, counts)


def _highlighted(query, terms):
    """What a snippet marks: the asked terms, but not the stop words (unless the text has nothing else)."""
    informative = [term for term in terms if query.informative(term)]
    return query.restricted_to(informative or terms)
