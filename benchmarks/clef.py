"""The CLEF-2020 CheckThat! Task 2 set ("verified claim retrieval", English), read from its folder.

The set is not in this repository (its licence allows research use, not redistribution): download
``data/v3.zip`` from the task's public repository (sshaar/clef2020-factchecking-task2 on GitHub),
unpack it anywhere, and give the benchmark the unpacked ``v3.0`` folder::

    python benchmarks/relevance.py --clef path/to/v3.0 --clef-split dev

The folder holds ``verified_claims.docs.tsv`` (10,375 Snopes fact-checks: id, claim, article title)
and, per split, ``tweets.queries.tsv`` (id, tweet) and ``tweet-vclaim-pairs.qrels`` (the tweet, 0,
the fact-check that verifies it, 1). Only the train and dev splits are read here: the test split is
held out and measured independently, so nothing in the project may be tuned on it.

The task's official measure is MAP@5 (trec_eval's, the average precision over the first five results
divided by the number of relevant fact-checks); beside it MRR over the first ten, P@1 and R@5.
"""

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("train", "dev")
CLAIMS_FILE = "verified_claims.docs.tsv"
TOP = 10

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class ClefSet:
    claims: dict  # {claim id: (claim, title)}
    tweets: dict  # {tweet id: text}
    relevant: dict  # {tweet id: {claim id, ...}}


def _rows(path):
    with open(path, encoding="utf-8", newline="") as lines:
        return list(csv.reader(lines, delimiter="\t"))


def read(folder, split):
    """The claims and one split's tweets and judgements; ``ValueError`` for a test split or a bad folder."""
    if split not in SPLITS:
        raise ValueError(f"Only the train and dev splits are read (held out: {split}).")
    folder = Path(folder)
    if not (folder / CLAIMS_FILE).exists() and (folder / "v3.0" / CLAIMS_FILE).exists():
        folder = folder / "v3.0"
    if not (folder / CLAIMS_FILE).exists():
        raise ValueError(f"{folder} holds no {CLAIMS_FILE}: give the unpacked v3.0 folder of data/v3.zip.")
    claims = {row[0]: (row[1], row[2]) for row in _rows(folder / CLAIMS_FILE)[1:] if len(row) >= 3}
    tweets = {row[0]: row[1] for row in _rows(folder / split / "tweets.queries.tsv")[1:] if len(row) >= 2}
    relevant = {}
    for row in _rows(folder / split / "tweet-vclaim-pairs.qrels"):
        if len(row) >= 4 and row[3].strip() == "1" and row[0] in tweets:
            relevant.setdefault(row[0], set()).add(row[2])
    return ClefSet(claims, {pk: text for pk, text in tweets.items() if pk in relevant}, relevant)


def scores(results, relevant):
    """(AP@5, reciprocal rank over the first TOP, precision@1, recall@5) of one ranked list of claim ids."""
    hits, precision_sum, first = 0, 0.0, 0
    for rank, claim in enumerate(results[:TOP], start=1):
        if claim in relevant:
            if rank <= 5:
                hits += 1
                precision_sum += hits / rank
            first = first or rank
    return (
        precision_sum / len(relevant),
        1 / first if first else 0.0,
        1.0 if results and results[0] in relevant else 0.0,
        len(relevant & set(results[:5])) / len(relevant),
    )


def summary(per_tweet):
    """{"map@5", "mrr", "p@1", "r@5"}: the means of ``scores()`` over the tweets."""
    count = max(len(per_tweet), 1)
    columns = list(zip(*per_tweet, strict=True)) if per_tweet else [[], [], [], []]
    return {name: sum(column) / count for name, column in zip(("map@5", "mrr", "p@1", "r@5"), columns, strict=True)}
