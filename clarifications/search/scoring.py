"""The second stage: the best candidates scored on their whole text, and how strongly each answers the query.

The candidates' texts are analysed in Python (kept in a small per-process cache) and scored with
BM25F over title, claim, truth and body (field weights FIELD_WEIGHTS, k1 = K1, b = B, lengths relative
to the candidates' own average), each term counting its value (``weighing``: rarity times weight in
the text); a term with other forms (synonyms) counts its best form. Then a bonus for each pair of
terms that stand side by side both in the query and in the clarification (a phrase: 地铁停运,
"vaccine microchips"), PAIR_WEIGHT times the lesser value of the two.

Last, the score is multiplied by up to 1 + OVERLAP_WEIGHT when the text and the rumor overlap: when
most of the clarification's claim is in the text (a whole forward quoting it) or most of the text's
worth is in its claim and title (a fragment of the rumor), above OVERLAP_FLOOR. In a long forward of
2,000 characters the chatter shares words with many bodies and truths, and BM25 alone then put a
clarification of the same topic but another district or date first (long English pastes: recall@1
0.87); with the overlap factor, 1.00 (benchmarks/relevance.py). Stop words count in neither measure:
a claim is "in the text" when its content words are.

Equal scores go to the more recently published, then the more recently added; except between
clarifications whose title and claim read the same once analysed (an archive holding one rumor twice,
imported twice): the original, published first, comes first.

Match strength (``Strength``) says how far a result answers the text, for an honest page:
- STRONG: the text contains most of the clarification's claim (CLAIM_COVERAGE_STRONG of the claim's
  distinct content terms, and at least STRONG_MIN_TERMS of them): "this message matches the clarification".
- MATCH: most of what was typed is in the clarification (QUERY_COVERAGE_MATCH of the text, each
  character or word weighted by its value: ``Coverage``), or a good part of its claim is in the text.
- RELATED: anything else that shares a word: shown only as "possibly related".
Tips, the receipt, suggestions and triage all read the same strengths.
"""

import re
from collections import Counter, OrderedDict
from dataclasses import dataclass
from itertools import groupby
from threading import Lock
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _

from .analysis import CJK_RE, INDEXED_FIELDS, RECENCY_FIELD, adjacent_pairs, tokenize
from .stopwords import CHATTER_WEIGHT, bigram_weight, is_stop_bigram, is_stop_word, word_weight
from .weighing import idf

# Each constant's reason, and the benchmark that set it, is in docs/search.md ("Every constant").
# A body is read this far: the claim and its refutation are in the title, claim and truth; a long
# body's later pages (sources, a timeline) only add chance words. Also bounds the rerank's work.
SCORED_BODY_CHARS = 4000
# BM25's usual saturation and length normalisation (Robertson and Zaragoza), as the baseline of
# benchmarks/relevance.py uses them: not tuned, so that the comparison stays fair.
K1 = 1.2
B = 0.75
# Title, claim, truth, body. The title and the claim say the rumor; the truth says it again in other
# words; the body says much else. Set by hand with the package (f175169); the generated set and the
# CLEF-2020 dev set (where only title and claim exist) are measured with them.
FIELD_WEIGHTS = (2.0, 2.0, 1.0, 0.5)
# A pair of the text's terms standing side by side in the clarification (a phrase: 地铁停运) earns half
# the lesser value of the two: enough to put a clarification of the phrase above one holding its
# words apart, not so much that a common phrase outweighs a rare word. Set by hand.
PAIR_WEIGHT = 0.5
# In a phrase a stop word still says which words stand together ("cameras at Chunfeng"): its worth
# there is at least this share of its IDF.
PAIR_STOP_WEIGHT = 1.0
# A claim often opens with who told it ("我表哥在供电局上班，亲口说的：", "Heard from a nurse at ...:"): up
# to a colon this far into it, and if the rest is longer, the lead is less of what the claim says.
SOURCE_LEAD_CHARS = 60
SOURCE_LEAD_WEIGHT = 0.3
# The overlap of the text and the rumor multiplies the score by up to 1 + OVERLAP_WEIGHT, counted
# above OVERLAP_FLOOR: a text quoting most of a claim (or a fragment that is mostly claim) doubles,
# half of one changes nothing. Long English pastes R@1 0.87 -> 1.00 (relevance benchmark, long/en);
# CLEF-2020 dev MAP@5 set with it (docs/search.md).
OVERLAP_WEIGHT = 1.0
OVERLAP_FLOOR = 0.5
CLAIM = INDEXED_FIELDS.index("claim")
TITLE = INDEXED_FIELDS.index("title")
# Strength (see the module docstring), pinned by tests/test_ranking_thresholds.py. STRONG says "this
# message is the rumor we clarified": most of the claim's content words (by their rarity) in the text,
# and at least three of them, so that a two-word claim is not "strongly" matched by any text holding
# both words. MATCH: half of what the text says is in the clarification, or a good part of its claim
# is in the text. Set by hand with the package; what they decide is shown, not measured, by the
# relevance benchmark: the share of held-out queries told "strong match" (docs/search.md).
CLAIM_COVERAGE_STRONG = 0.6
STRONG_MIN_TERMS = 3
QUERY_COVERAGE_MATCH = 0.5
CLAIM_COVERAGE_MATCH = 0.3
# The analysed texts of the candidates of about 25 searches: reranking a repeated search reads no text.
PROFILE_CACHE_SIZE = 1_000


class Strength(models.IntegerChoices):
    RELATED = 0, _("possibly related")
    MATCH = 1, _("matches")
    STRONG = 2, _("strong match")


class ScoreParts(NamedTuple):
    """How a reranked clarification's score was made (``manage.py explain_search`` prints them)."""

    terms: float  # BM25F of the query's terms (each with other forms: its best form)
    phrases: float  # the bonus for pairs of terms side by side
    overlap: float  # the factor for the text and the rumor overlapping (1 to 1 + OVERLAP_WEIGHT)
    claim_coverage: float  # the share of the claim's content terms in the text (for the overlap)
    claim_said: float  # the same, of what the claim and the text say (no chatter, no stop words): for the strength
    query_coverage: float  # the share of the text's worth in the clarification
    matched: tuple[str, ...]  # the terms found (the query's own, or their other forms)


class Scored(NamedTuple):
    """A ranked clarification: its score, its strength, and how many words of the text it shares."""

    id: int
    score: float
    strength: Strength
    words: float  # about how many words of what the text says it holds (``shared_words``)
    coverage: float  # the share of the text's worth it holds (``Coverage``)
    parts: ScoreParts | None = None  # with ``explain``


# --- The candidates' texts ------------------------------------------------------------------------

SOURCE_LEAD_RE = re.compile(rf"[^:：\n]{{1,{SOURCE_LEAD_CHARS}}}[:：]")
_profiles: OrderedDict[tuple, "Profile"] = OrderedDict()
_profiles_lock = Lock()


@dataclass(frozen=True)
class Profile:
    """What reranking needs of one clarification's text: per field, term counts, length, adjacent pairs."""

    counts: tuple
    lengths: tuple
    pairs: frozenset
    text: tuple  # the fields' text, for one-character prefixes
    terms: frozenset  # every term of every field
    claim: dict  # {term: weight} of the content terms of the claim, or of the title without a claim
    chatter: frozenset  # those of them that are forwarding chatter (not what the claim says, for strength)
    heading: frozenset  # every term of the title and the claim
    same_as: tuple  # title and claim as analysed: equal for an archive's two copies of one rumor


def _content_terms(value, tokens):
    """{term: weight} for the terms of a claim that say what it claims: no stop words, and those only
    in a source lead before a colon weighing SOURCE_LEAD_WEIGHT."""
    lead = SOURCE_LEAD_RE.match(value)
    after = lead.end() if lead and len(value) - lead.end() > lead.end() else 0
    content: dict[str, float] = {}
    for term, start, end, _prefix in tokens:
        stop = is_stop_bigram(term) if CJK_RE.match(term) else is_stop_word(value[start:end])
        if not stop:
            content[term] = max(content.get(term, 0.0), 1.0 if start >= after else SOURCE_LEAD_WEIGHT)
    return content


def _chatter_terms(value, tokens):
    """The terms of a claim that are forwarding chatter (a claim quoting a forward's 紧急通知 and 请转发)."""
    return frozenset(
        term
        for term, start, end, _prefix in tokens
        if (bigram_weight(term) if CJK_RE.match(term) else word_weight(value[start:end])) == CHATTER_WEIGHT
    )


def profile(fields):
    """The ``Profile`` of a clarification's indexed fields (the body cut at SCORED_BODY_CHARS)."""
    with _profiles_lock:
        if fields in _profiles:
            _profiles.move_to_end(fields)
            return _profiles[fields]
    counts, lengths, pairs, tokenized = [], [], set(), []
    for value in fields:
        tokens = tokenize(value, for_query=True)
        tokenized.append(tokens)
        counts.append(Counter(token[0] for token in tokens))
        lengths.append(len(tokens))
        pairs |= adjacent_pairs(tokens)
    claim_field = CLAIM if counts[CLAIM] else TITLE
    claim = _content_terms(fields[claim_field], tokenized[claim_field]) or dict.fromkeys(counts[claim_field], 1.0)
    made = Profile(
        counts=tuple(counts),
        lengths=tuple(lengths),
        pairs=frozenset(pairs),
        text=fields,
        terms=frozenset().union(*counts),
        claim=claim,
        chatter=_chatter_terms(fields[claim_field], tokenized[claim_field]),
        heading=frozenset(counts[CLAIM]) | frozenset(counts[TITLE]),
        same_as=(tuple(token[0] for token in tokenized[TITLE]), tuple(token[0] for token in tokenized[CLAIM])),
    )
    with _profiles_lock:
        _profiles[fields] = made
        while len(_profiles) > PROFILE_CACHE_SIZE:
            _profiles.popitem(last=False)
    return made


# --- Scoring --------------------------------------------------------------------------------------


def rerank(queryset, query, values, coverage, ids, *, explain=False):
    """[``Scored``] for ``ids``, best first: BM25F over every term, plus phrases, times the overlap."""
    if not ids:
        return []
    rows = queryset.model._base_manager.using(queryset.db).filter(pk__in=ids)
    rows = rows.values_list("pk", RECENCY_FIELD, *INDEXED_FIELDS)
    profiles, recency = {}, {}
    for pk, when, *fields in rows:
        profiles[pk] = profile((*(value or "" for value in fields[:-1]), (fields[-1] or "")[:SCORED_BODY_CHARS]))
        recency[pk] = when.timestamp() if when else 0.0
    if not profiles:
        return []
    average = [
        max(sum(p.lengths[f] for p in profiles.values()) / len(profiles), 1.0) for f in range(len(FIELD_WEIGHTS))
    ]
    scorer = _Scorer(query, values, coverage, average, _claim_rarity(profiles.values()))
    scored = [scorer.score(pk, item, explain=explain) for pk, item in profiles.items()]
    scored.sort(key=lambda item: (-round(item.score, 9), -recency[item.id], -item.id))
    return _originals_first(scored, profiles, recency)


def _claim_rarity(profiles):
    """{term: idf among the candidates} for every content term of their claims: how far a term tells
    these clarifications apart. A claim's share in the text is weighed by it, so that the words every
    candidate's claim shares (a template: "District without power for ... hours") count less than the
    one that tells them apart (the district), whether or not the text holds it."""
    claims = [item.claim for item in profiles]
    held = Counter(term for claim in claims for term in claim)
    return {term: idf(documents, len(claims)) for term, documents in held.items()}


class _Scorer:
    """Scores profiles against one query (``rerank``)."""

    def __init__(self, query, values, coverage, average, rarity):
        self.query, self.values, self.coverage, self.average = query, values, coverage, average
        self.rarity = rarity
        self.in_concept = {term for concept in values.concepts for term in concept.of}
        self.plain = frozenset(term for term in query.terms if term not in self.in_concept)
        # "In the text": the query's terms and their other forms (a claim saying 新型冠状病毒 is in a
        # text saying 新冠). For the strength, what the text says: not its stop words (们听 of 我们听说),
        # or a claim told the way people talk would "match" any text told so.
        self.in_text = frozenset(query.terms) | frozenset(values.shares)
        self.said = frozenset(term for term in query.terms if query.informative(term)) | frozenset(values.shares)
        self.worth = sum(values.value[term] for term in query.terms) or 1.0
        self.in_phrase = {
            term: values.value[term] if query.informative(term) else PAIR_STOP_WEIGHT * values.idf[term]
            for term in query.terms
        }

    def _claim_share(self, profile, in_text, leaving_out):
        """(the rarity-weighted share of the claim's content terms, less ``leaving_out``, that are
        ``in_text``; how many of them are)."""
        claim = {term: weight for term, weight in profile.claim.items() if term not in leaving_out}
        held_terms = claim.keys() & in_text
        worth = sum(self.rarity[term] * weight for term, weight in claim.items())
        held = sum(self.rarity[term] * claim[term] for term in held_terms)
        return (held / worth if worth else 0.0), len(held_terms)

    def _term_frequency(self, profile, norms, term):
        weighted = sum(norms[f] * profile.counts[f][term] for f in range(len(norms)) if term in profile.counts[f])
        return weighted * (K1 + 1) / (weighted + K1)

    def score(self, pk, profile, *, explain=False):
        values, query = self.values, self.query
        fields = range(len(FIELD_WEIGHTS))
        norms = [FIELD_WEIGHTS[f] / (1 - B + B * profile.lengths[f] / self.average[f]) for f in fields]
        terms, hits = 0.0, []
        for term in self.plain & profile.terms:
            terms += values.value[term] * self._term_frequency(profile, norms, term)
            hits.append(term)
        for concept in values.concepts:
            own = [term for term in concept.of if term in profile.terms]
            best = sum(values.value[term] * self._term_frequency(profile, norms, term) for term in own)
            found = own
            for form in concept.forms:
                held = [term for term in form if term in profile.terms]
                credit = sum(values.shares[term] * self._term_frequency(profile, norms, term) for term in held)
                if credit > best:
                    best, found = credit, held
                    if len(held) == len(form):  # the whole other form: the text's terms are answered
                        found = [*held, *concept.of]
            terms += best
            hits.extend(found)
        for prefix in query.prefixes:
            weighted = sum(norms[f] * profile.text[f].count(prefix) for f in range(len(FIELD_WEIGHTS)))
            if weighted:
                terms += values.value[prefix] * weighted * (K1 + 1) / (weighted + K1)
                hits.append(prefix)
        phrases = PAIR_WEIGHT * sum(min(self.in_phrase[a], self.in_phrase[b]) for a, b in query.pairs & profile.pairs)
        claim_coverage, _hits = self._claim_share(profile, self.in_text, frozenset())
        claim_said, claim_hits = self._claim_share(profile, self.said, profile.chatter)
        # The rumor itself, as opposed to a clarification that shares many of a long text's words.
        heading = {term for term in query.terms if term in profile.heading}
        for concept in values.concepts:
            if any(all(term in profile.heading for term in form) for form in concept.forms):
                heading.update(concept.of)
        query_share = sum(values.value[term] for term in heading) / self.worth
        overlap = max(claim_coverage, query_share)
        factor = 1 + OVERLAP_WEIGHT * max(0.0, overlap - OVERLAP_FLOOR) / (1 - OVERLAP_FLOOR)
        query_coverage = self.coverage.of(hits)
        strength = strength_of(query_coverage, claim_said, claim_hits)
        parts = None
        if explain:
            parts = ScoreParts(terms, phrases, factor, claim_coverage, claim_said, query_coverage, tuple(hits))
        words = shared_words(query, hits)
        return Scored(pk, (terms + phrases) * factor, strength, words, query_coverage, parts)


def _originals_first(scored, profiles, recency):
    """Among equal scores, clarifications reading the same (title and claim) oldest first: the original
    before its copies; every other tie keeps its order (the newer first)."""
    ordered: list[Scored] = []
    for _score, group in groupby(scored, key=lambda item: round(item.score, 9)):
        tied = list(group)
        copies = Counter(profiles[item.id].same_as for item in tied)
        if len(tied) > 1 and any(count > 1 for count in copies.values()):
            slots: dict[tuple, list[Scored]] = {}
            for item in tied:
                slots.setdefault(profiles[item.id].same_as, []).append(item)
            oldest = {
                key: iter(sorted(same, key=lambda item: (recency[item.id], item.id))) for key, same in slots.items()
            }
            tied = [next(oldest[profiles[item.id].same_as]) for item in tied]
        ordered.extend(tied)
    return ordered


class Coverage:
    """How much of the query's text a result's matched terms cover, weighted by value.

    Each character of a Chinese run (each word of other text) weighs the value of the most valuable
    term covering it; a result covers it when it holds any term covering it. So 地铁停运 is fully
    covered by a text with 地铁 and 停运 apart, and 火星人入侵本市 is barely covered by one with only 本市.
    """

    def __init__(self, query, values):
        self.spans = dict(query.spans)
        self.weights: dict[int, float] = {}
        for term, offsets in query.spans:
            for offset in offsets:
                self.weights[offset] = max(self.weights.get(offset, 0.0), values.value.get(term, 0.0))
        self.total = sum(self.weights.values()) or 1.0

    def of(self, matched_terms):
        covered = set()
        for term in matched_terms:
            covered.update(self.spans.get(term, ()))
        return sum(self.weights[offset] for offset in covered) / self.total


def shared_words(query, matched_terms):
    """About how many words of what the text says (``Query.says_something``: no stop word, chatter or
    particle) ``matched_terms`` hold: each term one, but a Chinese bigram overlapping another of them
    in the text half (地铁 铁停 停运 is two words, as 地铁 and 停运 apart are): Chinese has no spaces, and
    a run of n characters, n - 1 bigrams, is about n / 2 words."""
    content = {term for term in matched_terms if query.says_something(term)}
    joined = sum(1 for a, b in query.pairs if a in content and b in content and _overlapping(a, b))
    return len(content) - joined / 2


def _overlapping(first, second):
    return len(first) == len(second) == 2 and first[1] == second[0] and bool(CJK_RE.match(first))


def strength_of(query_coverage, claim_coverage, claim_terms):
    if claim_coverage >= CLAIM_COVERAGE_STRONG and claim_terms >= STRONG_MIN_TERMS:
        return Strength.STRONG
    if query_coverage >= QUERY_COVERAGE_MATCH or claim_coverage >= CLAIM_COVERAGE_MATCH:
        return Strength.MATCH
    return Strength.RELATED
