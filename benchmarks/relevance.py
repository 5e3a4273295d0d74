"""Relevance benchmark: does the site's search put the right clarification first?

Loads the labelled set in benchmarks/relevance_data/ (2,100 clarifications in Chinese and English,
1,000 queries, each labelled with the one clarification it should find) into a throwaway database,
publishes everything, builds the search index, and asks each query through the list page's code
path, ``ClarificationFilter({"q": text}, queryset=Clarification.objects.published()).qs``, keeping
the first 10 results. A query the filter does not accept (longer than its limit) is not searched:
that is what a visitor gets, so it counts as a miss (the "unsearched" column).

Beside it, a plain BM25 computed here in Python over the same clarifications (title, claim, truth
and body as one text; character bigrams for Chinese, lower-cased words otherwise; k1 1.2, b 0.75)
is the baseline any ranking should at least match.

    python benchmarks/relevance.py                        # SQLite only, about a minute
    python benchmarks/relevance.py --postgres postgres://user@host:5432/dbname --json out.json
    python benchmarks/relevance.py --misses 20            # also print the site's first 20 misses

Prints per query class (pasted, long, keywords, partial) and language: recall@1, recall@5, MRR
(over the first 10 results) and the median and 95th percentile latency, for the site and for the
baseline. PostgreSQL runs in a schema of its own (``piyao_relevance``), dropped at the end.
"""

import argparse
import gzip
import json
import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from benchmarks import throwaway  # noqa: E402 (needs the repository on the path)
from benchmarks.measure import percentile, timed  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent / "relevance_data"
PG_SCHEMA = "piyao_relevance"
CLASSES = ("pasted", "long", "keywords", "partial")
LANGUAGES = ("zh-hans", "en")
TOP = 10

# Han, kana and hangul runs become character bigrams; any other run of letters or digits is a word.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")


def read_jsonl(path):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def load_dataset(clarification_count=None, query_count=None):
    """The labelled set, or a slice of it: ``query_count`` queries spread over the classes and
    languages, and ``clarification_count`` clarifications including every one those queries expect."""
    clarifications = read_jsonl(DATA_DIR / "clarifications.jsonl.gz")
    queries = read_jsonl(DATA_DIR / "queries.jsonl.gz")
    if query_count is not None and query_count < len(queries):
        groups = defaultdict(list)
        for query in queries:
            groups[query["class"], query["language"]].append(query)
        queues = [iter(groups[key]) for key in sorted(groups)]
        chosen = []
        while len(chosen) < query_count:
            for queue in queues:
                query = next(queue, None)
                if query and len(chosen) < query_count:
                    chosen.append(query)
        queries = chosen
    if clarification_count is not None and clarification_count < len(clarifications):
        expected = {query["expected"] for query in queries}
        kept = [item for item in clarifications if item["external_id"] in expected]
        others = (item for item in clarifications if item["external_id"] not in expected)
        kept += [next(others) for _ in range(max(0, clarification_count - len(kept)))]
        clarifications = kept
    return clarifications, queries


# --- The baseline --------------------------------------------------------------------------------


def baseline_terms(text):
    terms = []
    for match in TOKEN_RE.finditer(text.lower()):
        run = match.group("cjk")
        if run:
            terms += [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
        else:
            terms.append(match.group("word"))
    return terms


class BM25:
    """Okapi BM25 over one text per document (an inverted index in dictionaries)."""

    def __init__(self, documents, k1=1.2, b=0.75):
        self.ids = []
        self.lengths = []
        self.postings = defaultdict(list)  # term -> [(document number, term frequency)]
        for number, (doc_id, text) in enumerate(documents):
            terms = baseline_terms(text)
            self.ids.append(doc_id)
            self.lengths.append(len(terms))
            for term, frequency in Counter(terms).items():
                self.postings[term].append((number, frequency))
        count = len(self.ids)
        average = sum(self.lengths) / count
        self.k1 = k1
        self.norms = [k1 * (1 - b + b * length / average) for length in self.lengths]
        self.idf = {
            term: math.log(1 + (count - len(posting) + 0.5) / (len(posting) + 0.5))
            for term, posting in self.postings.items()
        }

    def search(self, text, limit=TOP):
        scores = defaultdict(float)
        for term in set(baseline_terms(text)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for number, frequency in self.postings[term]:
                scores[number] += idf * frequency * (self.k1 + 1) / (frequency + self.norms[number])
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [self.ids[number] for number, _ in best]


# --- The site ------------------------------------------------------------------------------------


def load_into(alias, clarifications):
    """Insert the clarifications as published (older first, as an archive grows) and index them."""
    from django.db import connections

    from clarifications import search
    from clarifications.models import Clarification, Status

    rows = []
    for item in sorted(clarifications, key=lambda item: (item["seen_on"], item["external_id"])):
        seen = datetime.fromisoformat(f"{item['seen_on']}T12:00:00+00:00")
        rows.append(
            Clarification(
                external_id=item["external_id"],
                title=item["title"],
                claim=item["claim"],
                truth=item["truth"],
                body=item["body"],
                language=item["language"],
                verdict=item["verdict"],
                status=Status.PUBLISHED,
                published_at=seen,
            )
        )
    Clarification.objects.using(alias).bulk_create(rows, batch_size=500)
    search.rebuild_index(model=Clarification, using=alias)
    if connections[alias].vendor == "postgresql":
        with connections[alias].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE clarifications_clarification")


def site_search(alias, text):
    """The first results of the list page for ``text``, as external ids; None when it is not searched."""
    from clarifications.filters import ClarificationFilter
    from clarifications.models import Clarification

    filterset = ClarificationFilter({"q": text}, queryset=Clarification.objects.using(alias).published())
    if not filterset.form.is_valid() or not filterset.form.cleaned_data.get("q"):
        return None
    return [clarification.external_id for clarification in filterset.qs[:TOP]]


# --- Measuring -----------------------------------------------------------------------------------


def rank_of(expected, results):
    """1-based rank of ``expected`` in ``results``, 0 when absent (or not searched)."""
    return results.index(expected) + 1 if results and expected in results else 0


def summary(ranks, times, unsearched=0):
    count = len(ranks)
    return {
        "queries": count,
        "recall@1": sum(1 for rank in ranks if rank == 1) / count,
        "recall@5": sum(1 for rank in ranks if 1 <= rank <= 5) / count,
        "mrr": sum(1 / rank for rank in ranks if rank) / count,
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "unsearched": unsearched,
    }


def evaluate(alias, clarifications, queries, baseline, *, misses=0):
    """Ask every query of the site and of the baseline: the summaries by "class/language", and each query's ranks."""
    from django.core.management import call_command
    from django.db import connections

    label = connections[alias].vendor
    print(f"\n== {label}: {len(clarifications):,} clarifications, {len(queries):,} queries", flush=True)
    call_command("migrate", database=alias, verbosity=0)
    elapsed, _ = timed(load_into, alias, clarifications)
    print(f"loaded and indexed in {elapsed / 1000:.1f} s", flush=True)
    titles = {item["external_id"]: item["title"] for item in clarifications}

    for query in queries[:20]:  # warm the caches
        site_search(alias, query["text"])
    per_query = []
    for query in queries:
        site_ms, site_results = timed(site_search, alias, query["text"])
        base_ms, base_results = timed(baseline.search, query["text"])
        per_query.append(
            {
                "class": query["class"],
                "language": query["language"],
                "expected": query["expected"],
                "chars": len(query["text"]),
                "searched": site_results is not None,
                "site_rank": rank_of(query["expected"], site_results),
                "site_ms": site_ms,
                "baseline_rank": rank_of(query["expected"], base_results),
                "baseline_ms": base_ms,
                "site_first": (site_results or [None])[0],
            }
        )

    results = {}
    groups = [(kind, language) for kind in CLASSES for language in LANGUAGES]
    groups += [("all", language) for language in LANGUAGES] + [("all", "all")]
    for kind, language in groups:
        rows = [row for row in per_query if kind in ("all", row["class"]) and language in ("all", row["language"])]
        if not rows:
            continue
        results[f"{kind}/{language}"] = {
            "site": summary(
                [row["site_rank"] for row in rows],
                [row["site_ms"] for row in rows],
                sum(1 for row in rows if not row["searched"]),
            ),
            "baseline": summary([row["baseline_rank"] for row in rows], [row["baseline_ms"] for row in rows]),
        }
    print_table(label, results)
    if misses:
        shown = [(row, query) for row, query in zip(per_query, queries, strict=True) if row["site_rank"] != 1]
        print(f"\nfirst {min(misses, len(shown))} of the {len(shown)} queries the site did not rank first:")
        for row, query in shown[:misses]:
            first = titles.get(row["site_first"], "(nothing)" if row["searched"] else "(not searched)")
            print(
                f"- {row['class']}/{row['language']} rank {row['site_rank'] or '-'} (baseline "
                f"{row['baseline_rank'] or '-'}), {row['chars']} chars: {query['text'][:90]!r}\n"
                f"    expected: {titles[row['expected']]}\n    site's first: {first}"
            )
    return results, per_query


def print_table(label, results):
    header = (
        f"{'class':<9} {'language':<8} {'n':>4} | {'site R@1':>8} {'R@5':>5} {'MRR':>5} {'p50':>6} {'p95':>6}"
        f" {'unsearched':>10} | {'BM25 R@1':>8} {'R@5':>5} {'MRR':>5} {'p50':>6} {'p95':>6}"
    )
    print(f"\n{label} (latency in ms; MRR over the first {TOP})\n{header}\n{'-' * len(header)}")
    for key, result in results.items():
        kind, language = key.split("/")
        site, base = result["site"], result["baseline"]
        print(
            f"{kind:<9} {language:<8} {site['queries']:>4} | {site['recall@1']:>8.3f} {site['recall@5']:>5.3f}"
            f" {site['mrr']:>5.3f} {site['p50_ms']:>6.1f} {site['p95_ms']:>6.1f} {site['unsearched']:>10} |"
            f" {base['recall@1']:>8.3f} {base['recall@5']:>5.3f} {base['mrr']:>5.3f} {base['p50_ms']:>6.1f}"
            f" {base['p95_ms']:>6.1f}",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="DATABASE_URL", help="also run on PostgreSQL, in a throwaway schema")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", metavar="PATH", help="write the results (and each query's ranks) to this file")
    parser.add_argument("--clarifications", type=int, help="use only this many clarifications (a quick run)")
    parser.add_argument("--queries", type=int, help="use only this many queries, spread over the classes")
    parser.add_argument("--misses", type=int, default=0, help="print the first N queries the site misses")
    args = parser.parse_args(argv)

    clarifications, queries = load_dataset(args.clarifications, args.queries)
    languages = Counter(item["language"] for item in clarifications)
    start = time.perf_counter()
    baseline = BM25(
        (item["external_id"], "\n".join((item["title"], item["claim"], item["truth"], item["body"])))
        for item in clarifications
    )
    print(
        f"data: {len(clarifications):,} clarifications ({languages['zh-hans']:,} zh-hans, {languages['en']:,} en), "
        f"{len(queries):,} queries; baseline index built in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    report = {
        "data": {"clarifications": dict(languages), "queries": dict(Counter(q["class"] for q in queries))},
        "runs": {},
    }
    with throwaway.databases(args.postgres, schema=PG_SCHEMA, prefix="piyao-relevance-"):
        runs = [] if args.no_sqlite else [("sqlite", "default")]
        if args.postgres:
            runs.append(("postgresql", "postgres"))
        for name, alias in runs:
            with throwaway.fresh_schema(alias, PG_SCHEMA) if alias == "postgres" else nullcontext():
                results, per_query = evaluate(alias, clarifications, queries, baseline, misses=args.misses)
            report["runs"][name] = {"results": results, "queries": per_query}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"\nwritten to {args.json}")
    return report


if __name__ == "__main__":
    main()
