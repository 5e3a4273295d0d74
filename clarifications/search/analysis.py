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

A query is read as a post (``posts``): its terms are the same as the stored text's, but each weighs
what its part of the text is worth (a tweet's signature line, a link, forwarding chatter, a stop word:
``stopwords``); a handle's or hashtag's words are split where people joined them (#PizzaVendingMachine),
and the piece after an apostrophe ("don't", "Trump's") is not a term of the query: the stored text
keeps it (so an index built before needs no rebuild), the query never asks for it.
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import NamedTuple

import snowballstemmer

from . import posts, stopwords

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
    # (term, weight) for the terms weighing less than 1: stop words, chatter, links, a signature line.
    weights: tuple = ()
    # Other forms of some of the terms (synonyms, abbreviations): ``Alternative``s, added by the ranking.
    alternatives: tuple = ()
    # Possible splits of a tag written in one case (#stonemanshooting): ``Alternative``s the ranking
    # keeps if the archive holds their words (``posts.likeliest``).
    guesses: tuple = ()

    def __bool__(self):
        return bool(self.terms or self.prefixes)

    @property
    def size(self):
        return len(self.terms) + len(self.prefixes)

    @cached_property
    def _weights(self):
        return dict(self.weights)

    def weight(self, term):
        """What ``term`` weighs in this query, 0 to 1 (see ``posts`` and ``stopwords``)."""
        return self._weights.get(term, 1.0)

    def informative(self, term):
        """Whether ``term`` weighs more than a stop word: what retrieval asks for and snippets mark."""
        return self.weight(term) > stopwords.STOP_WEIGHT

    def says_something(self, term):
        """Whether ``term`` says something of the rumor on its own: what a "possibly related" result
        must share with the text (``ranking``) and a snippet marks. Not a stop word, not forwarding
        chatter or a link's id (weighing CHATTER_WEIGHT or less), not a particle with its neighbour
        (的朋 and 边的 in 你身边的朋友: ``stopwords.holds_particle``)."""
        return self.weight(term) > stopwords.CHATTER_WEIGHT and not stopwords.holds_particle(term)

    def restricted_to(self, terms):
        """The same query keeping only ``terms`` (and its prefixes): what a snippet highlights."""
        keep = set(terms)
        return replace(
            self,
            terms=tuple(term for term in self.terms if term in keep),
            pairs=frozenset(pair for pair in self.pairs if pair[0] in keep and pair[1] in keep),
            spans=tuple(span for span in self.spans if span[0] in keep or span[0] in self.prefixes),
            weights=tuple(entry for entry in self.weights if entry[0] in keep),
            alternatives=(),
            guesses=(),
        )

    def with_alternatives(self, alternatives):
        return replace(self, alternatives=tuple(alternatives))


class Alternative(NamedTuple):
    """Another form of some of a query's terms: ``terms`` stand for ``of`` (synonyms, abbreviations)."""

    of: tuple  # the query's own terms, as they stand in it
    terms: tuple  # the other form's terms


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
    for (first, _start, end, first_prefix, *_), (second, start, _end, second_prefix, *_) in pairwise(tokens):
        if not (first_prefix or second_prefix) and start <= end + 2:
            pairs.add((first, second))
    return pairs


# The piece after an apostrophe in "don't", "Trump's", "they're": the stored text has it as a term of
# its own (a letter or two), which no query should ask for.
APOSTROPHES = "'’ʼ"
CLITICS = frozenset({"s", "t", "d", "m", "ll", "re", "ve"})
# A hashtag as one word (#MeToo: metoo) weighs this part of the tag's own weight, beside its words.
WHOLE_TAG_WEIGHT = 0.5


def _is_clitic(text, start, end):
    if start < 2 or text[start - 1] not in APOSTROPHES or not text[start - 2].isalpha():
        return False
    return text[start:end].casefold() in CLITICS


@lru_cache(maxsize=65_536)
def is_cjk(term):
    return CJK_RE.match(term) is not None


@lru_cache(maxsize=65_536)
def _bigram_weight(term):
    """A Chinese bigram's own weight (stop word, chatter, or 1), or None for any other term."""
    return stopwords.bigram_weight(term) if len(term) == 2 and is_cjk(term) else None


class WeightedToken(NamedTuple):
    """A term of a query where it stands in the text, and what it weighs there (0 to 1)."""

    term: str
    start: int
    end: int
    prefix: bool  # a lone Chinese character: matched as the start of a term
    weight: float


def _weigh(tokens, text, post, weight):
    """The ``WeightedToken`` of each of ``tokens`` of ``text`` (offsets in it), each weighing ``weight``
    times what it is: a stop word, chatter, a word of the rumor. A Chinese bigram sharing a character
    with a function word beside it (们已 and 经知 in 我们已经知道: halves of 我们, 已经 and 知道, no word
    of the text's own) weighs as a stop word too."""
    bigrams = [_bigram_weight(token[0]) for token in tokens]
    stop = stopwords.STOP_WEIGHT
    out = []
    for index, (term, start, end, is_prefix) in enumerate(tokens):
        own = bigrams[index]
        if own is None:
            if is_prefix or is_cjk(term):
                own = 1.0
            elif _is_clitic(text, start, end):
                continue
            else:
                own = 1.0 if post.in_dotted(start) else stopwords.word_weight(text[start:end])
        elif own > stop and (
            (index > 0 and bigrams[index - 1] == stop and tokens[index - 1][1] == start - 1)
            or (index + 1 < len(tokens) and bigrams[index + 1] == stop and tokens[index + 1][1] == start + 1)
        ):
            own = stop
        out.append(WeightedToken(term, start, end, is_prefix, weight * own * post.region_weight(start)))
    return out


def _shifted(tokens, offset):
    return [(term, start + offset, end + offset, prefix) for term, start, end, prefix in tokens]


def _weighted_tokens(text):
    """The ``WeightedToken`` of every token of a query, in the order of the text; the
    same for each hashtag or handle taken as one word (a term beside its words, in no phrase); and the
    possible splits of a tag written in one case (``Alternative``s of its term)."""
    post = posts.read(text)
    weighted = _weigh(tokenize(post.text, for_query=True), text, post, 1.0)
    joined: list[WeightedToken] = []
    guesses: list[Alternative] = []
    for start, end in post.links:
        weighted += _weigh(_shifted(tokenize(text[start:end], for_query=True), start), text, post, posts.LINK_WEIGHT)
    for tag in post.tags:
        weight = posts.HANDLE_WEIGHT if tag.handle else 1.0
        for start, end in tag.parts:
            weighted += _weigh(_shifted(tokenize(text[start:end], for_query=True), start), text, post, weight)
        whole = word_terms(text[tag.start : tag.end].replace("_", ""))
        if len(tag.parts) == 1 and len(whole) == 1:
            for split in posts.splits(text[tag.start : tag.end]):
                pieces = tuple(term for piece in split for term in word_terms(piece))
                if len(pieces) == len(split) and not any(stopwords.is_stop_word(piece) for piece in split):
                    guesses.append(Alternative(of=whole, terms=pieces))
        if len(tag.parts) > 1 and len(whole) == 1:
            joined.append(
                WeightedToken(
                    whole[0], tag.start, tag.end, False, weight * WHOLE_TAG_WEIGHT * post.region_weight(tag.start)
                )
            )
    if post.links or post.tags:
        weighted.sort(key=lambda token: (token.start, token.end))
    return weighted, joined, guesses


def parse_query(text):
    """The Query for a user's text: any string is accepted, the first MAX_QUERY_CHARS characters count."""
    tokens, joined, guesses = _weighted_tokens(str(text)[:MAX_QUERY_CHARS])
    terms: dict[str, None] = {}  # ordered sets
    prefixes: dict[str, None] = {}
    spans: dict[str, set[int]] = {}
    weights: dict[str, float] = {}
    for term, start, end, is_prefix, weight in tokens + joined:
        (prefixes if is_prefix else terms).setdefault(term, None)
        weights[term] = max(weights.get(term, 0.0), weight)
        # A CJK term covers each of its characters; a word counts once, at its start.
        covered = range(start, end) if is_cjk(term) else (start,)
        spans.setdefault(term, set()).update(covered)
    return Query(
        terms=tuple(terms),
        prefixes=tuple(prefixes),
        pairs=frozenset(adjacent_pairs(tokens)),
        spans=tuple((term, tuple(sorted(offsets))) for term, offsets in spans.items()),
        weights=tuple((term, weight) for term, weight in weights.items() if weight < 1.0),
        guesses=tuple(guesses),
    )


def document_terms(fields):
    """(term, field index) for the indexed fields of one clarification, capped at MAX_DOCUMENT_TERMS."""
    out: list[tuple[str, int]] = []
    for index, text in enumerate(fields):
        out.extend((token[0], index) for token in tokenize(text or ""))
        if len(out) >= MAX_DOCUMENT_TERMS:
            return out[:MAX_DOCUMENT_TERMS]
    return out
