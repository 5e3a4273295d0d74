"""Ranked full-text search over clarifications, in Chinese and English, on SQLite and PostgreSQL.

This module is the only place that knows how each database searches. The rest of the code calls
``search()`` (narrow and rank a queryset), ``find_similar()`` (best matches for a free text),
``snippet()`` / ``add_snippets()`` / ``highlight()`` (matched words in <mark>),
``index_clarifications()`` / ``unindex()`` and ``rebuild_index()``.

Analysis: the same Python code reads the stored text and the query
    Text is NFKC-normalised (full-width letters and digits become ASCII) and case-folded. Chinese
    has no spaces, so each run of Chinese characters (and kana, hangul) becomes overlapping
    character bigrams, as Lucene's CJK analyzer does: 地铁停运 → 地铁 铁停 停运. A two-character
    query (疫苗) is then one exact term, and a phrase is a sequence of adjacent terms. In the stored
    text each run also ends with its last character alone, so that every character begins some
    term: a one-character query (水) is a prefix query and finds 停水 as well as 水质. Other words
    (letters, digits) are stemmed with the Snowball English stemmer (vaccines, vaccinated →
    vaccin) and cut at 40 characters. The databases never tokenise text themselves: SQLite's FTS5
    table uses the plain ``ascii`` tokenizer over our space-separated terms, and the PostgreSQL
    ``tsvector`` is written as a literal with positions and weights (the equivalent of
    ``setweight(to_tsvector('simple', ...), 'A') || ...``), so that no locale-dependent parser can
    split a term differently from Python.

Matching and ranking
    A query becomes at most 32 terms, each quoted by this module: user text never reaches FTS5 or
    tsquery syntax, whatever it contains. Every term is required. When no visible clarification has
    them all, the terms that still cover every character are required (地铁停运 → 地铁, 停运: finds
    地铁2号线停运); when none has those either (a long message pasted whole), any term may match,
    and the ranking puts those sharing the most, and the rarest, words first. Each step down costs
    one query (the newest matches, below). ``find_similar()`` always lets any term match. Title and claim weigh more
    than truth and body (FTS5 ``bm25()`` weights 10/8/3/1; PostgreSQL ``ts_rank()`` weights
    A/B/C/D = 1.0/0.8/0.3/0.1); the query's terms as an exact phrase add a bonus, so the item
    containing 地铁停运 comes before one where 地铁 and 停运 stand apart; recency breaks ties.

Speed with filters
    The database drives the query from the match set. On SQLite the FTS5 table is joined in the
    same statement (so ``bm25()`` is available and the planner starts from the MATCH); on
    PostgreSQL the GIN index on the ``tsvector`` column finds the rows. ``QuerySet.extra()`` is the
    one ORM call that can add a virtual table to FROM; it is used here and nowhere else.

Bounded work for common words
    Scoring every match and checking each against the visibility rule made a search cost about
    3 µs (SQLite) to 9 µs (PostgreSQL) per match: 水 (39% of the rows) took 140 / 387 ms (p95)
    at 100,000 clarifications. So a search first fetches the ids of the RESULT_CAP + 1 (501) most
    recently added matches that ``queryset`` keeps (its filters and ``published()`` included),
    newest first, without any score; that query also replaces the EXISTS of each step above. At
    most RESULT_CAP ids: that is every match, ranked as before. More: only those 501 are ranked,
    and the list says "500+" (``ResultPaginator`` counts at most RESULT_CAP + 1 rows; the API's
    count stops at 500 too), with the first 500 results in pages. For a common word the best
    match among the newest 501 is what a reader most likely wants; a rarer word, a phrase or a
    filter brings older ones back in. Sorted by date, and in ``find_similar()`` (a tip grouped
    with the clarification that answered the same rumour years ago), every match counts
    (``window=False``). The window follows the id (the order clarifications were added), not
    ``published_at``, because that is the order both engines can walk cheaply. The count and the
    page then fetch the known ids (one JSON or array parameter, not 501 placeholders).
    - SQLite: FTS5 reads its doclists backwards in rowid order and stops after 501 rows that pass
      the queryset's conditions; ranking starts the FTS5 scan at the oldest known rowid, so bm25()
      runs for the window only. A one-character query is a prefix query: the FTS5 table keeps a
      one-character prefix index (migration 0004), without which merging the doclists of every
      term starting with 水 cost more than the rest of the search.
    - PostgreSQL: matches are found through the GIN index and sorted by id, which visits the
      table row of every match. For a query likely to match densely (one character, or any of
      several words), the newest RECENT_SLICE rows are first read in primary-key order, testing
      each tsvector, and the GIN half runs only when they hold too few matches. The known rows are
      then fetched by primary key and ranked (one ``ts_rank()`` each, the cost that used to grow
      with the matches). Left to itself the planner walked the primary key for words found in
      one row out of twenty, testing the tsvector of tens of thousands of rows.
    Costs now grow with the density of the matches rather than their number; the README has the
    figures and the queries that still miss the 20 ms target.

Snippets
    Built in Python from the stored text (never with FTS5's ``snippet()``): the same analysis finds
    the matched words' offsets, every piece of text is HTML-escaped, and only our own <mark> tags
    are added. The snippet comes from the claim, truth or body with the most matched terms, cut
    around the densest group of matches.

Storage and keeping it in sync
    SQLite: the FTS5 table ``clarifications_search`` (rowid = clarification id, with a prefix
    index for one character, migration 0004). PostgreSQL: a
    ``search_document tsvector`` column on the clarification table itself, with a GIN index, so a
    delete or a TRUNCATE takes it along. Migration 0002_search_index creates each only on its own database.
    ``Clarification.save()`` calls ``index_clarifications()`` explicitly (not from a signal, so that
    reading ``save()`` shows every effect), and deletes (one or a queryset) call ``unindex()``.
    Everything is indexed, whatever its status: publishing or withdrawing needs no re-index because
    visibility (``Clarification.objects.published()``) is applied at query time. Writes that bypass
    ``save()`` (``bulk_create()``, ``update()`` of a text field, raw SQL) call
    ``index_clarifications()`` themselves, or run ``manage.py rebuild_search_index``.
"""

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import pairwise

import snowballstemmer
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Subquery
from django.utils.html import escape
from django.utils.safestring import mark_safe

INDEXED_FIELDS = ("title", "claim", "truth", "body")
FTS_TABLE = "clarifications_search"
PG_COLUMN = "search_document"

MAX_QUERY_CHARS = 1000  # a longer query is cut: the terms are capped anyway
MAX_TERMS = 32
MAX_WORD_CHARS = 40
MAX_DOCUMENT_TERMS = 16000  # PostgreSQL positions stop at 16383; both databases keep the same prefix
MAX_POSITIONS_PER_TERM = 255  # PostgreSQL keeps at most 256 positions per lexeme
SQLITE_WEIGHTS = (10.0, 8.0, 3.0, 1.0)  # title, claim, truth, body
PG_WEIGHTS = "{0.1,0.3,0.8,1.0}"  # D (body), C (truth), B (claim), A (title)
PG_FIELD_WEIGHTS = "ABCD"  # title, claim, truth, body
PHRASE_BONUS = 2  # PostgreSQL: an exact phrase doubles the rank (FTS5 counts the phrase in bm25)
SNIPPET_CHARS = 120
RESULT_CAP = 500  # more matches than this: the newest RESULT_CAP + 1 are ranked, the count says "500+"
RECENT_SLICE = 2000  # PostgreSQL: the newest rows looked at first for the newest matches
SNIPPET_BODY_CHARS = 5000  # a snippet comes from the start of a long body

# Han (with extensions and compatibility ideographs), kana and hangul: scripts written without spaces.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")
WORD_RE = re.compile(r"[^\W_]+")
CJK_RUN_RE = re.compile(rf"[{CJK}]+")


@dataclass(frozen=True)
class Query:
    terms: tuple  # exact terms, in query order, without repeats
    prefixes: tuple  # single CJK characters, matched as the start of a term
    phrase: tuple  # the terms in order, when they can form an exact phrase (two or more)
    covering: tuple = ()  # the fewest terms that still cover every character (地铁停运 → 地铁 停运)

    def __bool__(self):
        return bool(self.terms or self.prefixes)

    @property
    def size(self):
        return len(self.terms) + len(self.prefixes)


# --- Analysis -------------------------------------------------------------------------------------

_stemmer = snowballstemmer.stemmer("english")
_stemmer_lock = threading.Lock()  # a Snowball stemmer keeps state between calls


@lru_cache(maxsize=50_000)
def _stem(word):
    with _stemmer_lock:
        return _stemmer.stemWord(word)


@lru_cache(maxsize=20_000)
def _fold_char(char):
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


@lru_cache(maxsize=50_000)
def _word_terms(word):
    """The terms of one non-CJK word: NFKC can turn one word into several (½ → 1⁄2)."""
    folded = unicodedata.normalize("NFKC", word).casefold()
    return tuple(_stem(part[:MAX_WORD_CHARS]) for part in WORD_RE.findall(folded))


def tokenize(text, *, for_query=False):
    """The tokens of ``text`` in order, as (term, start, end, is_prefix) tuples.

    For a query, a lone CJK character is a prefix token; in stored text, each CJK run also ends
    with its last character alone (see the module docstring).
    """
    tokens = []
    for match in TOKEN_RE.finditer(text):
        start = match.start()
        if match.lastgroup == "cjk":
            chars = [_fold_char(char) for char in match.group()]
            if len(chars) == 1:
                tokens.append((chars[0], start, start + 1, for_query))
                continue
            tokens.extend((a + b, start + i, start + i + 2, False) for i, (a, b) in enumerate(pairwise(chars)))
            if not for_query:
                tokens.append((chars[-1], match.end() - 1, match.end(), False))
        else:
            tokens.extend((term, start, match.end(), False) for term in _word_terms(match.group()))
    return tokens


def parse_query(text):
    """The Query for a user's text: any string is accepted, at most MAX_TERMS terms come out."""
    tokens = tokenize(str(text)[:MAX_QUERY_CHARS], for_query=True)
    terms, prefixes = [], []
    for term, _start, _end, is_prefix in tokens:
        bucket = prefixes if is_prefix else terms
        if term not in bucket and len(terms) + len(prefixes) < MAX_TERMS:
            bucket.append(term)
    sequence = [token[0] for token in tokens[:MAX_TERMS]]
    phrase = tuple(sequence) if len(sequence) >= 2 and not prefixes else ()
    covering = tuple(term for term in _covering_terms(tokens) if term in terms)
    return Query(terms=tuple(terms), prefixes=tuple(prefixes), phrase=phrase, covering=covering)


def _covering_terms(tokens):
    """Every other bigram of each CJK run (and its last one, for an odd length), and every word.

    地铁停运 is 地铁 铁停 停运; requiring only 地铁 and 停运 still finds 地铁2号线停运.
    """
    runs = []  # lists of terms: a CJK run's bigrams, or a word alone
    for term, start, end, is_prefix in tokens:
        if is_prefix:
            continue
        bigram = end - start == 2 and CJK_RUN_RE.fullmatch(term) is not None
        if bigram and runs and runs[-1][0] == "cjk" and runs[-1][1] == start - 1:
            runs[-1][2].append(term)
            runs[-1][1] = start
        else:
            runs.append(["cjk" if bigram else "word", start, [term]])
    covering = []
    for _kind, _start, run in runs:
        covering.extend(term for index, term in enumerate(run) if index % 2 == 0 or index == len(run) - 1)
    return list(dict.fromkeys(covering))


def document_terms(fields):
    """(term, field index) for the indexed fields of one clarification, capped at MAX_DOCUMENT_TERMS."""
    out = []
    for index, text in enumerate(fields):
        out.extend((token[0], index) for token in tokenize(text or ""))
        if len(out) >= MAX_DOCUMENT_TERMS:
            return out[:MAX_DOCUMENT_TERMS]
    return out


# --- Query syntax, built from our own terms only ---------------------------------------------------


def _fts5_string(term):
    return '"' + term.replace('"', '""') + '"'


def _fts5_match(query, terms, *, match_all):
    parts = [_fts5_string(term) for term in terms] + [_fts5_string(p) + " *" for p in query.prefixes]
    expression = (" AND " if match_all else " OR ").join(parts)
    if query.phrase:
        # A document with the phrase has all its terms anyway; naming the phrase lets bm25() count it.
        expression = f"({expression}) OR {_fts5_string(' '.join(query.phrase))}"
    return expression


def _ts_lexeme(term):
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(query, terms, *, match_all):
    parts = [_ts_lexeme(term) for term in terms] + [_ts_lexeme(p) + ":*" for p in query.prefixes]
    return (" & " if match_all else " | ").join(parts)


def _tsvector(fields):
    positions = {}
    for position, (term, field) in enumerate(document_terms(fields), start=1):
        entry = positions.setdefault(term, [])
        if len(entry) < MAX_POSITIONS_PER_TERM:
            entry.append(f"{position}{PG_FIELD_WEIGHTS[field]}")
    return " ".join(f"{_ts_lexeme(term)}:{','.join(entry)}" for term, entry in positions.items())


# --- Searching ------------------------------------------------------------------------------------


def search(queryset, query, *, match_any=False, window=True):
    """Narrow ``queryset`` to the clarifications matching ``query``, best first.

    Each row gets a ``search_rank`` (higher is better). Every term is required; when nothing in
    ``queryset`` has them all, every character still has to be covered (地铁停运 finds 地铁2号线停运);
    when nothing has those either (or with ``match_any``), any term will do. A query without any
    searchable word (only punctuation or emoji) matches nothing. Combine with
    ``Clarification.objects.published()``: this function decides what matches, not who may see it.

    When more than RESULT_CAP clarifications of ``queryset`` match, only the RESULT_CAP + 1 most
    recently added of them are kept and ranked ("Bounded work" in the module docstring): a
    one-character query then costs about what a rare word does. ``window=False`` keeps every
    match, for a caller that orders them by date rather than by relevance.
    """
    parsed = query if isinstance(query, Query) else parse_query(query)
    if not parsed:
        return queryset.none()
    levels = [(parsed.covering or parsed.terms, False)]
    if not match_any and parsed.size > 1:
        stricter = [parsed.terms] + ([parsed.covering] if parsed.covering != parsed.terms else [])
        levels[:0] = [(terms, True) for terms in stricter]
    for number, (terms, match_all) in enumerate(levels, start=1):
        last = number == len(levels)
        if not window:
            matched = _match(queryset, parsed, terms, match_all=match_all)
            if last or matched.exists():
                return matched
            continue
        # One query finds the newest matches: it tells whether this level matches at all (in place
        # of an EXISTS) and, when there are too many, where the window starts.
        newest = _newest_matches(queryset, parsed, terms, match_all=match_all)
        if newest or last:
            return _match(queryset, parsed, terms, match_all=match_all, newest=newest)
    raise AssertionError("a search has at least one level")  # pragma: no cover


def _newest_matches(queryset, query, terms, *, match_all):
    """The ids of the RESULT_CAP + 1 most recently added matches in ``queryset``, newest first."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(queryset.model._meta.db_table)
    if connection.vendor == "sqlite":
        fts = quote(FTS_TABLE)
        # FTS5 walks its doclists backwards in rowid order and stops after RESULT_CAP + 1 rows that
        # pass the queryset's conditions: no score is computed and no later match is read.
        newest = queryset.extra(  # noqa: S610 (only our own table names; the match is a parameter)
            tables=[FTS_TABLE],
            where=[f"+{fts}.rowid = {table}.id", f"{fts} MATCH %s"],
            params=[_fts5_match(query, terms, match_all=match_all)],
            select={"search_rowid": f"{fts}.rowid"},
        ).order_by("-search_rowid")
        return list(newest.values_list("pk", flat=True)[: RESULT_CAP + 1])
    if connection.vendor == "postgresql":
        # Matches found through the GIN index, sorted by id ("+ 0" keeps the planner off the
        # primary-key order: it would test the tsvector of row after row, seconds for a long pasted
        # message). For a query likely to match densely (one character, or any of several words),
        # the newest RECENT_SLICE rows are read first in primary-key order, testing each tsvector,
        # and the GIN half runs only when they hold too few matches (a LIMIT over UNION ALL stops
        # pulling). Every word required is usually rare enough for the GIN half alone.
        matched = queryset.extra(  # noqa: S610 (only our own names; the query is a parameter)
            where=[f"{table}.{quote(PG_COLUMN)} @@ %s::tsquery"],
            params=[_tsquery(query, terms, match_all=match_all)],
        )
        if (match_all or len(terms) == 1) and not query.prefixes:
            everything = matched.order_by((F("pk") + 0).desc()).values_list("pk", flat=True)
            return list(everything[: RESULT_CAP + 1])
        newest_id = queryset.model._base_manager.using(queryset.db).order_by("-pk").values("pk")[:1]
        start = ExpressionWrapper(Subquery(newest_id) - RECENT_SLICE, output_field=IntegerField())
        recent = matched.filter(pk__gt=start).order_by("-pk").values_list("pk", flat=True)
        older = matched.alias(pk_plus_0=F("pk") + 0).filter(pk_plus_0__lte=start).order_by((F("pk") + 0).desc())
        older = older.values_list("pk", flat=True)
        found = recent[: RESULT_CAP + 1].union(older[: RESULT_CAP + 1], all=True)
        return sorted(found[: RESULT_CAP + 1], reverse=True)
    raise NotImplementedError(f"No full-text search for the {connection.vendor} database.")


def _match(queryset, query, terms, *, match_all, newest=None):
    """``queryset`` narrowed to the matches and ranked.

    ``newest`` (from _newest_matches()) is every match when it holds at most RESULT_CAP ids, the
    window otherwise: either way the rows are known, and found by primary key.
    """
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    table = quote(queryset.model._meta.db_table)
    if newest is not None and connection.vendor == "postgresql":
        # One array parameter rather than 501 placeholders: building and binding those cost more
        # than the query.
        queryset = queryset.extra(where=[f"{table}.id = ANY(%s)"], params=[newest])  # noqa: S610
    if connection.vendor == "sqlite":
        fts = quote(FTS_TABLE)
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        # The unary + hides the rowid from FTS5 as a lookup key, so the planner cannot run the
        # full-text query once per clarification row (what it chose for COUNT(*), taking seconds at
        # 100,000 rows): it starts from the MATCH and fetches each clarification by primary key.
        # Known rows start at a rowid, which FTS5 seeks to: bm25() is computed from there on only.
        where = [f"+{fts}.rowid = {table}.id", f"{fts} MATCH %s"]
        params = [_fts5_match(query, terms, match_all=match_all)]
        if newest is not None:
            # Tested on the FTS5 row (the + keeps it from being a lookup key), before the
            # clarification's row is read; one JSON parameter rather than 501 placeholders.
            where.append(f"+{fts}.rowid IN (SELECT value FROM json_each(%s))")  # noqa: S608 (our table name)
            params.append(json.dumps(newest))
        if newest:
            where.append(f"{fts}.rowid >= %s")
            params.append(newest[-1])
        queryset = queryset.extra(  # noqa: S610 (only our own table names; the match is a parameter)
            tables=[FTS_TABLE],
            where=where,
            params=params,
            select={"search_rank": f"-bm25({fts}, {weights})"},
        )
    elif connection.vendor == "postgresql":
        document = f"{table}.{quote(PG_COLUMN)}"
        rank = f"ts_rank('{PG_WEIGHTS}', {document}, %s::tsquery, 1)"
        select_params = [_tsquery(query, terms, match_all=match_all)]
        if query.phrase:
            phrase = " <-> ".join(_ts_lexeme(term) for term in query.phrase)
            rank = f"{rank} * (CASE WHEN {document} @@ %s::tsquery THEN {PHRASE_BONUS} ELSE 1 END)"
            select_params.append(phrase)
        if newest is not None:  # known rows: no second @@, each tsvector is read once, to rank
            where, params = [], []
        else:
            where, params = [f"{document} @@ %s::tsquery"], [_tsquery(query, terms, match_all=match_all)]
        queryset = queryset.extra(  # noqa: S610 (only our own names; the query is a parameter)
            where=where,
            params=params,
            select={"search_rank": rank},
            select_params=select_params,
        )
    else:
        raise NotImplementedError(f"No full-text search for the {connection.vendor} database.")
    return queryset.order_by("-search_rank", "-published_at", "-id")


class ResultPaginator(Paginator):
    """A Paginator for search results that counts at most RESULT_CAP of them.

    Counting every match of a common word costs as much as ranking them all; past RESULT_CAP the
    page says "1,000+" (``count_is_capped``) and offers the first RESULT_CAP results in pages.
    """

    @cached_property
    def _found(self):
        object_list = self.object_list
        if hasattr(object_list, "order_by"):
            return object_list.order_by()[: RESULT_CAP + 1].count()
        return len(object_list[: RESULT_CAP + 1])

    @cached_property
    def count(self):
        return min(self._found, RESULT_CAP)

    @property
    def count_is_capped(self):
        return self._found > RESULT_CAP


def is_ranked(queryset):
    """True when ``queryset`` came from ``search()`` (so it can be ordered by relevance)."""
    return "search_rank" in queryset.query.extra_select


def order_by_relevance(queryset):
    return queryset.order_by("-search_rank", "-published_at", "-id")


def find_similar(text, limit=5, *, queryset=None):
    """The public clarifications most similar to a free text, best first (for tips and suggestions).

    Any word of the text may match, so a whole message pasted by a citizen still finds the
    clarifications that share the most (and the rarest) words with it. Every match is ranked (no
    window): rumours come back years later, and grouping a tip with the old clarification that
    answered it matters more here than the speed of a search box.
    """
    from .models import Clarification  # models.py calls into this module from save()

    queryset = Clarification.objects.published() if queryset is None else queryset
    return list(search(queryset, text, match_any=True, window=False)[:limit])


# --- Snippets -------------------------------------------------------------------------------------

MARKDOWN_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_MARKUP_RE = re.compile(r"[*_`#>|~]+|^\s*[-+]\s+", re.MULTILINE)
SPACE_RE = re.compile(r"\s+")


def _plain(markdown_text):
    """Readable text of a Markdown body, good enough for a snippet (links keep their words)."""
    text = MARKDOWN_LINK_RE.sub(r"\1", markdown_text)
    return SPACE_RE.sub(" ", MARKDOWN_MARKUP_RE.sub(" ", text)).strip()


def _matched_spans(text, query):
    """Merged (start, end) spans of ``text`` matching the query, and the number of distinct terms hit.

    The same analysis as tokenize(), inlined: it runs on every result shown, so it makes no token list.
    """
    terms, prefixes = set(query.terms), set(query.prefixes)
    spans, hit = [], set()
    for match in TOKEN_RE.finditer(text):
        start = match.start()
        if match.lastgroup == "cjk":
            previous = None
            for offset, char in enumerate(match.group(), start=start):
                char = _fold_char(char)
                # Every character starts a stored term, so a prefix matches wherever the character is.
                if char in prefixes:
                    spans.append((offset, offset + 1))
                    hit.add(char)
                if previous is not None and previous + char in terms:
                    spans.append((offset - 1, offset + 1))
                    hit.add(previous + char)
                previous = char
        else:
            for term in _word_terms(match.group()):
                if term in terms:
                    spans.append((start, match.end()))
                    hit.add(term)
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged, len(hit)


def _marked(text, spans, start=0, end=None):
    """HTML of text[start:end]: everything escaped, the spans inside <mark>."""
    end = len(text) if end is None else end
    parts, position = [], start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    return "".join(parts)


def highlight(text, query):
    """All of ``text``, HTML-escaped, with the words matching ``query`` in <mark>."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    spans, _ = _matched_spans(text, parsed)
    return mark_safe(_marked(text, spans))  # noqa: S308 (every piece of text went through escape())


def snippet(clarification, query, length=SNIPPET_CHARS):
    """About ``length`` characters of claim, truth or body around the matched words, highlighted."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    best = None
    for text in (clarification.claim, clarification.truth, _plain(clarification.body[:SNIPPET_BODY_CHARS])):
        spans, hits = _matched_spans(text, parsed)
        if hits and (best is None or hits > best[2]):
            best = (text, spans, hits)
            if hits == parsed.size:
                break
    if best is None:
        text, spans = clarification.truth, []
    else:
        text, spans, _ = best
    start = 0
    if len(text) > length and spans:
        # Start a little before the densest group of matches.
        densest = max(spans, key=lambda span: sum(1 for other in spans if span[0] <= other[0] < span[0] + length))
        start = max(0, min(densest[0] - length // 5, len(text) - length))
    end = min(len(text), start + length)
    html = _marked(text, spans, start, end)
    html = ("…" if start > 0 else "") + html + ("…" if end < len(text) else "")
    return mark_safe(html)  # noqa: S308 (every piece of text went through escape())


def add_snippets(clarifications, query):
    """Set ``search_snippet`` (safe HTML) on each clarification of a result page."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    for clarification in clarifications:
        clarification.search_snippet = snippet(clarification, parsed)
    return clarifications


# --- Keeping the index in sync --------------------------------------------------------------------


def needs_reindex(update_fields):
    """Whether a save with these ``update_fields`` (None: all) changes indexed text."""
    return update_fields is None or bool(set(update_fields) & set(INDEXED_FIELDS))


def _connection(model, using):
    return connections[using or router.db_for_write(model)]


def index_clarifications(clarifications, *, using=None):
    """(Re)index the given clarifications (objects with an id and the indexed fields)."""
    clarifications = list(clarifications)
    if not clarifications:
        return
    model = type(clarifications[0])
    rows = [(item.pk, *(getattr(item, field) or "" for field in INDEXED_FIELDS)) for item in clarifications]
    _write_rows(_connection(model, using), model, rows)


def _write_rows(connection, model, rows, *, replace=True):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            fts = quote(FTS_TABLE)
            if replace:
                cursor.executemany(f"DELETE FROM {fts} WHERE rowid = %s", [(row[0],) for row in rows])  # noqa: S608
            cursor.executemany(
                f"INSERT INTO {fts} (rowid, title, claim, truth, body) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [(row[0], *_fts5_columns(row[1:])) for row in rows],
            )
        elif connection.vendor == "postgresql":
            cursor.executemany(
                f"UPDATE {quote(model._meta.db_table)} SET {quote(PG_COLUMN)} = %s::tsvector WHERE id = %s",  # noqa: S608
                [(_tsvector(row[1:]), row[0]) for row in rows],
            )


def _fts5_columns(fields):
    columns = [[] for _ in INDEXED_FIELDS]
    for term, field in document_terms(fields):
        columns[field].append(term)
    return [" ".join(terms) for terms in columns]


def unindex(ids, *, model=None, using=None):
    """Forget deleted clarifications (PostgreSQL keeps the document in the row, so only SQLite needs it)."""
    from .models import Clarification

    connection = _connection(model or Clarification, using)
    ids = list(ids)
    if connection.vendor == "sqlite" and ids:
        with connection.cursor() as cursor:
            fts = connection.ops.quote_name(FTS_TABLE)
            cursor.executemany(f"DELETE FROM {fts} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608


def rebuild_index(*, model=None, using=None, batch_size=500):
    """Rebuild the whole index from the clarification table; returns the number of rows indexed.

    One transaction: searches keep using the old index until the new one is complete. Rows are read
    in primary-key batches rather than through one long-running cursor, which on SQLite would hold
    a read snapshot open and let the write-ahead log grow to gigabytes. ``model`` may be a
    migration's historical model: only the id and the indexed fields are read.
    """
    from .models import Clarification

    model = model or Clarification
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    rows = model._base_manager.using(alias).order_by("pk").values_list("pk", *INDEXED_FIELDS)
    count, last = 0, None
    with transaction.atomic(using=alias):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(FTS_TABLE)}")  # noqa: S608
        while batch := list((rows if last is None else rows.filter(pk__gt=last))[:batch_size]):
            _write_rows(connection, model, batch, replace=False)
            count, last = count + len(batch), batch[-1][0]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Merge the index's segments into one b-tree: smaller and faster to query.
            fts = connection.ops.quote_name(FTS_TABLE)
            cursor.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")  # noqa: S608
    return count


def indexed_ids(*, model=None, using=None):
    """The ids of the clarifications that have a document in the index (for checks and tests)."""
    from .models import Clarification

    model = model or Clarification
    connection = _connection(model, using)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid FROM {quote(FTS_TABLE)}")  # noqa: S608
        else:
            cursor.execute(f"SELECT id FROM {quote(model._meta.db_table)} WHERE {quote(PG_COLUMN)} <> ''")  # noqa: S608
        return {row[0] for row in cursor.fetchall()}
