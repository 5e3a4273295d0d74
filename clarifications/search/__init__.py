"""Ranked full-text search over clarifications, in Chinese and English, on SQLite and PostgreSQL.

The rest of the site calls what this module exports; the package's parts are:

- ``analysis``: text to terms (Chinese bigrams, stemmed English words), the same for stored text
  and queries; a query is read as a post (``posts``: signature lines, links, handles, hashtags) and
  weighs its stop words and chatter as such (``stopwords``);
- ``ranking``: which clarifications match a text and how well: the first stage (``candidates``:
  noise-tolerant BM25 over the most valuable terms, ``weighing``), then a phrase-aware rerank with
  match strengths (``scoring``);
- ``synonyms``: other words for the same thing (the built-in list and the office's own), asked
  beside the text's own words;
- ``statistics``: the document frequency of every term, kept in a table on both databases;
- ``snippets``: matched words in <mark>, everything else escaped;
- ``index``: keeping the index and statistics in sync with the clarification table;
- ``backends``: the one place that knows SQLite FTS5 from PostgreSQL's tsvector and GIN index.

Nothing here imports the models: callers pass the queryset (``search(queryset, text)``; its filters
and ``published()`` decide what may be found) or the model (``index_clarifications()``,
``rebuild_index(model=...)``). The migrations import nothing from here: the first release's migration
writes the index's tables out and starts them empty, so changing this package cannot break a fresh
``migrate``; a change to the stored format comes with a migration or ``manage.py rebuild_search_index``.
"""

from django.core.paginator import Paginator

from . import synonyms
from .analysis import INDEXED_FIELDS, MAX_QUERY_CHARS, Query, parse_query, tokenize
from .index import index_clarifications, indexed_ids, needs_reindex, rebuild_index, unindex
from .ranking import RESULT_CAP, Ranking, Strength, rank
from .snippets import SNIPPET_CHARS, add_snippets, snippet

__all__ = [
    "INDEXED_FIELDS",
    "MAX_QUERY_CHARS",
    "RESULT_CAP",
    "SNIPPET_CHARS",
    "Query",
    "Ranking",
    "ResultPaginator",
    "Strength",
    "add_snippets",
    "find_similar",
    "index_clarifications",
    "indexed_ids",
    "is_ranked",
    "needs_reindex",
    "order_by_relevance",
    "parse_query",
    "rank",
    "rebuild_index",
    "search",
    "snippet",
    "synonyms",
    "tokenize",
    "unindex",
]


def search(queryset, text):
    """``queryset`` narrowed to the clarifications matching ``text``, best first.

    Each row gets ``search_rank`` (higher is better) and ``search_strength`` (a ``Strength``). A
    text without any searchable word (only punctuation or emoji) matches nothing. Combine with
    ``Clarification.objects.published()``: this function decides what matches, not who may see it.
    """
    return rank(queryset, text).apply(queryset)


def find_similar(text, *, queryset, limit=5, at_least=Strength.RELATED, snippets=False):
    """The clarifications of ``queryset`` best matching a free text, best first.

    For tips (the receipt, grouping, triage) and suggestions: each result has ``match_strength``
    (a ``Strength``), and with ``snippets`` a ``search_snippet``; ``at_least`` drops weaker matches.
    """
    ranking = rank(queryset, text)
    best = [pk for pk in ranking.ids if ranking.strengths[pk] >= at_least][:limit]
    found = {item.pk: item for item in queryset.filter(pk__in=best)}
    results = []
    for pk in best:
        if pk in found:
            found[pk].match_strength = ranking.strengths[pk]
            results.append(found[pk])
    if snippets:
        add_snippets(results, ranking.highlight)
    return results


class ResultPaginator(Paginator):
    """A Paginator for ranked results, which says "200+" when the ranking kept only the best RESULT_CAP."""

    def __init__(self, object_list, per_page, *, capped=False, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_is_capped = capped


def is_ranked(queryset):
    """True when ``queryset`` came from ``search()`` (so it can be ordered by relevance)."""
    return "search_rank" in queryset.query.annotations


def order_by_relevance(queryset):
    return queryset.order_by("-search_rank")
