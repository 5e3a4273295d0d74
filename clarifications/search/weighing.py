"""What each term of a query is worth: its rarity in the archive times its weight in the text.

A term's IDF (from the term statistics) says how rare it is in the archive; its weight in the query
(``Query.weight``: a stop word, chatter, a link, a signature line weigh less) says how much of the
rumor it carries. Their product is the term's *value*: what a clarification holding the term earns,
in the first stage as it is and in the rerank scaled by BM25's term frequency and length.

Other forms of some of the query's terms (``Query.alternatives``: synonyms and abbreviations) share
the worth of the terms they stand for rather than adding their own: a clarification writing 新型冠状病毒
(five bigrams) where the text says 新冠 (one) earns what 新冠 is worth, not five rare terms' worth, and
ALTERNATIVE_WEIGHT of it, so that the text's own words win a tie. Each group of terms with other
forms is a ``Concept``: a clarification earns the best of its forms, never the sum.
"""

import math
from dataclasses import dataclass, field

from . import statistics

# A clarification holding another form of the text's words earns this share of what the words are worth.
ALTERNATIVE_WEIGHT = 0.9
# A one-character prefix stands for many terms: weighed as a term found in half the documents.
PREFIX_DOCUMENTS = 0.5


def idf(documents, total):
    return math.log(1 + (total - documents + 0.5) / (documents + 0.5))


@dataclass(frozen=True)
class Concept:
    """Some of a query's terms (``of``) and their other forms, each a tuple of terms."""

    of: tuple
    forms: tuple


@dataclass
class TermValues:
    """The idf and value of every term a query asks for: its own terms, its prefixes, their other forms."""

    idf: dict = field(default_factory=dict)
    # What holding the term earns: the query's own terms by their weight; of another form, only its
    # rarest term has a value here (what the first stage asks for), the whole form's share.
    value: dict = field(default_factory=dict)
    total: int = 1  # documents in the archive
    concepts: tuple = ()
    # The value each term of another form earns, and the ones that are only such a form.
    shares: dict = field(default_factory=dict)

    def of_concept(self, term):
        """Whether ``term`` is one of the query's own terms that have other forms."""
        return any(term in concept.of for concept in self.concepts)


def term_values(query, counts):
    """The ``TermValues`` of ``query`` given the statistics ``counts`` ({term: documents}, DOCUMENTS)."""
    total = max(counts.get(statistics.DOCUMENTS, 0), 1)
    values = TermValues(total=total)
    for term in query.terms:
        values.idf[term] = idf(counts.get(term, 0), total)
        values.value[term] = query.weight(term) * values.idf[term]
    for prefix in query.prefixes:
        values.idf[prefix] = idf(total * PREFIX_DOCUMENTS, total)
        values.value[prefix] = query.weight(prefix) * values.idf[prefix]
    own = set(query.terms)
    grouped: dict[tuple, list[tuple]] = {}
    for alternative in query.alternatives:
        form = tuple(term for term in alternative.terms if term not in own)
        if form and set(alternative.of) <= own:
            grouped.setdefault(tuple(alternative.of), []).append(form)
    concepts = []
    for of, forms in grouped.items():
        mass = sum(values.value[term] for term in of)
        for form in forms:
            rarity = {term: idf(counts.get(term, 0), total) for term in form}
            whole = sum(rarity.values()) or 1.0
            for term, term_idf in rarity.items():
                values.idf[term] = term_idf
                share = ALTERNATIVE_WEIGHT * mass * term_idf / whole
                values.shares[term] = max(values.shares.get(term, 0.0), share)
            # The first stage asks for the form's rarest term only (a clarification holding the form holds
            # it; its common terms would bring rows that do not), worth the whole form there.
            if all(counts.get(term) for term in form):
                rarest = min(form, key=lambda term: counts[term])
                values.value[rarest] = max(values.value.get(rarest, 0.0), ALTERNATIVE_WEIGHT * mass)
        concepts.append(Concept(of, tuple(forms)))
    values.concepts = tuple(concepts)
    return values


def alternative_terms(query):
    """Every term of the other forms of ``query``'s terms that is not one of its own."""
    own = set(query.terms)
    return [term for alternative in query.alternatives for term in alternative.terms if term not in own]
