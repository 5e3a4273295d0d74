"""Text analysis: the same Python code reads the stored text and the query.

Text is NFKC-normalised (full-width letters and digits become ASCII) and case-folded. Chinese has
no spaces, so each run of Chinese characters (and kana, hangul) becomes overlapping character
bigrams, as Lucene's CJK analyzer does: 地铁停运 → 地铁 铁停 停运. A two-character query (疫苗) is
then one exact term, and adjacent terms are a phrase. In the stored text each run also ends with its
last character alone, so that every character begins some term: a one-character query (水) is a
prefix query and finds 停水 as well as 水质. Other words (letters, digits) are stemmed with the
Snowball English stemmer (vaccines, vaccinated → vaccin) and cut at 40 characters. The databases
never tokenise text themselves (see the backends), so no locale-dependent parser can split a term
differently from Python.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer

INDEXED_FIELDS = ("title", "claim", "truth", "body")
RECENCY_FIELD = "published_at"  # breaks ties between equal matches
# The tip text and the search box take up to 2,000 characters; a longer text is cut here.
MAX_QUERY_CHARS = 2000
MAX_WORD_CHARS = 40
MAX_DOCUMENT_TERMS = 16000  # PostgreSQL positions stop at 16383; both databases keep the same prefix

# Han (with extensions and compatibility ideographs), kana and hangul: scripts written without spaces.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")
WORD_RE = re.compile(r"[^\W_]+")
CJK_RE = re.compile(rf"[{CJK}]")


@dataclass(frozen=True)
class Query:
    """A user's text, analysed: every distinct term in order, and which of them stand side by side."""

    terms: tuple  # exact terms, in query order, without repeats
    prefixes: tuple  # single CJK characters, matched as the start of a term
    pairs: frozenset = frozenset()  # (term, next term) standing side by side in the query
    # What each term covers of the text: its characters (Chinese) or its word, as offsets. A result
    # holding 地铁 and 停运 covers all of 地铁停运 although 铁停 is missing (see ranking's coverage).
    spans: tuple = ()  # (term, (offset, ...)) for each term and prefix

    def __bool__(self):
        return bool(self.terms or self.prefixes)

    @property
    def size(self):
        return len(self.terms) + len(self.prefixes)

    def restricted_to(self, terms):
        """The same query keeping only ``terms`` (and its prefixes): what a snippet highlights."""
        keep = set(terms)
        return Query(
            terms=tuple(term for term in self.terms if term in keep),
            prefixes=self.prefixes,
            pairs=frozenset(pair for pair in self.pairs if pair[0] in keep and pair[1] in keep),
            spans=tuple(span for span in self.spans if span[0] in keep or span[0] in self.prefixes),
        )


_stemmer = snowballstemmer.stemmer("english")
_stemmer_lock = threading.Lock()  # a Snowball stemmer keeps state between calls


@lru_cache(maxsize=8_192)
def _stem(word):
    with _stemmer_lock:
        return _stemmer.stemWord(word)


@lru_cache(maxsize=8_192)
def fold_char(char):
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


@lru_cache(maxsize=8_192)
def word_terms(word):
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
            chars = [fold_char(char) for char in match.group()]
            if len(chars) == 1:
                tokens.append((chars[0], start, start + 1, for_query))
                continue
            tokens.extend((a + b, start + i, start + i + 2, False) for i, (a, b) in enumerate(pairwise(chars)))
            if not for_query:
                tokens.append((chars[-1], match.end() - 1, match.end(), False))
        else:
            tokens.extend((term, start, match.end(), False) for term in word_terms(match.group()))
    return tokens


def adjacent_pairs(tokens):
    """(term, next term) for tokens standing side by side: overlapping bigrams, or words with at most two
    characters between them (a space, or a comma or colon and a space: "confirmed it: All")."""
    pairs = set()
    for (first, _start, end, first_prefix), (second, start, _end, second_prefix) in pairwise(tokens):
        if not (first_prefix or second_prefix) and start <= end + 2:
            pairs.add((first, second))
    return pairs


def parse_query(text):
    """The Query for a user's text: any string is accepted, the first MAX_QUERY_CHARS characters count."""
    tokens = tokenize(str(text)[:MAX_QUERY_CHARS], for_query=True)
    terms, prefixes, spans = {}, {}, {}
    for term, start, end, is_prefix in tokens:
        (prefixes if is_prefix else terms).setdefault(term, None)
        # A CJK term covers each of its characters; a word counts once, at its start.
        covered = range(start, end) if CJK_RE.match(term) else (start,)
        spans.setdefault(term, set()).update(covered)
    return Query(
        terms=tuple(terms),
        prefixes=tuple(prefixes),
        pairs=frozenset(adjacent_pairs(tokens)),
        spans=tuple((term, tuple(sorted(offsets))) for term, offsets in spans.items()),
    )


def document_terms(fields):
    """(term, field index) for the indexed fields of one clarification, capped at MAX_DOCUMENT_TERMS."""
    out = []
    for index, text in enumerate(fields):
        out.extend((token[0], index) for token in tokenize(text or ""))
        if len(out) >= MAX_DOCUMENT_TERMS:
            return out[:MAX_DOCUMENT_TERMS]
    return out
