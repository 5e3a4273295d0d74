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
    python benchmarks/relevance.py --clef path/to/v3.0 --clef-split dev   # and the CLEF-2020 set

Prints per query class (pasted, long, keywords, partial) and language: recall@1, recall@5, MRR
(over the first 10 results) and the median and 95th percentile latency, for the site and for the
baseline. Then the same for the paraphrase set (relevance_data/paraphrases.jsonl: the claims told in
other words, by kind: abbreviation, synonym, reorder, typo, mixed, by hand). PostgreSQL runs in a
schema of its own (``piyao_relevance``), dropped at the end.

Then, for every query of both sets, the cards the list page shows when its answer is held out of
the archive (``absent_answers``: on average, how many of them only "possibly related", how often no
card, how often a "strong match" is claimed); with ``--clef``, also for the CLEF tweets asked of the
generated archive, which answers none of them. Fewer is better: whatever is shown then is noise.

With ``--clef``, the archive is then replaced by the 10,375 fact-checks of the CLEF-2020 CheckThat!
Task 2 set (English tweets and the fact-check that verifies each; see benchmarks/clef.py: the data
is not in the repository) and the train or dev tweets are asked: MAP@5 (the task's measure), MRR,
P@1 and R@5 for the site and for BM25 with English stop words removed, and how far down the site's
first stage (before reranking) the right fact-check stands.
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

from benchmarks import clef, throwaway  # noqa: E402 (needs the repository on the path)
from benchmarks.measure import percentile, timed  # noqa: E402

DATA_DIR = Path(__file__).resolve().parent / "relevance_data"
PG_SCHEMA = "piyao_relevance"
CLASSES = ("pasted", "long", "keywords", "partial")
PARAPHRASE_KINDS = ("abbreviation", "synonym", "reorder", "typo", "mixed", "hand")
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


def load_paraphrases(clarifications):
    """The paraphrase set (relevance_data/paraphrases.jsonl) of the claims among ``clarifications``."""
    ids = {item["external_id"] for item in clarifications}
    with open(DATA_DIR / "paraphrases.jsonl", encoding="utf-8") as lines:
        return [row for row in map(json.loads, lines) if row["expected"] in ids]


# --- The baseline --------------------------------------------------------------------------------


# The stop words of the CLEF baseline ("BM25, stop words removed"): NLTK's English list, which the
# published CheckThat! systems used, with its apostrophe forms left out (words split at apostrophes).
def words(text):
    return text.split()


ENGLISH_STOP_WORDS = frozenset(
    words(
        """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above below to from up down in out
    on off over under again further then once here there when where why how all any both each few more most
    other some such no nor not only own same so than too very s t can will just don should now d ll m o re ve y
    ain aren couldn didn doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn"""
    )
)


def baseline_terms(text, stop_words=frozenset()):
    terms = []
    for match in TOKEN_RE.finditer(text.lower()):
        run = match.group("cjk")
        if run:
            terms += [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]
        elif match.group("word") not in stop_words:
            terms.append(match.group("word"))
    return terms


class BM25:
    """Okapi BM25 over one text per document (an inverted index in dictionaries).

    Equal scores go to the document given first, or with ``newest_first`` to the one given last (as
    the site puts the more recently added first).
    """

    def __init__(self, documents, k1=1.2, b=0.75, stop_words=frozenset(), newest_first=False):
        self.stop_words = stop_words
        self.newest_first = newest_first
        self.ids = []
        self.lengths = []
        self.postings = defaultdict(list)  # term -> [(document number, term frequency)]
        for number, (doc_id, text) in enumerate(documents):
            terms = baseline_terms(text, stop_words)
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
        for term in set(baseline_terms(text, self.stop_words)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for number, frequency in self.postings[term]:
                scores[number] += idf * frequency * (self.k1 + 1) / (frequency + self.norms[number])
        order = -1 if self.newest_first else 1
        best = sorted(scores.items(), key=lambda item: (-item[1], order * item[0]))[:limit]
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


def replace_archive(alias, clarifications):
    """Empty the clarification table of ``alias`` (rows made by ``load_into`` only), then load these instead."""
    from clarifications.models import Clarification

    Clarification._base_manager.using(alias).all()._raw_delete(alias)
    load_into(alias, clarifications)


def site_search(alias, text):
    """The first results of the list page for ``text``, as external ids; None when it is not searched."""
    filterset = _filtered(alias, text)
    if filterset is None:
        return None
    return [clarification.external_id for clarification in filterset.qs[:TOP]]


def _filtered(alias, text, *, without=()):
    """The list page's FilterSet for ``text`` over the published clarifications (less the external ids
    ``without``), or None when the text is not searched."""
    from clarifications.filters import ClarificationFilter
    from clarifications.models import Clarification

    published = Clarification.objects.using(alias).published().exclude(external_id__in=without)
    filterset = ClarificationFilter({"q": text}, queryset=published)
    if not filterset.form.is_valid() or not filterset.form.cleaned_data.get("q"):
        return None
    return filterset


def cards_shown(alias, text, without):
    """The cards the list page's first page shows for ``text`` when the clarifications ``without`` (its
    answer) are not in the archive: (how many, how many of them "possibly related", whether the page
    announces a strong match). The page shows its first page, or only the nearest NEAREST_SHOWN when
    nothing matches (``clarifications.views``)."""
    from django.conf import settings

    from clarifications.search import Strength
    from clarifications.views import NEAREST_SHOWN

    filterset = _filtered(alias, text, without=without)
    if filterset is None:
        return 0, 0, False
    filterset.qs  # noqa: B018 (filtering ranks the search, which sets filterset.ranking)
    ranking = filterset.ranking
    notice = ranking.notice()
    shown = ranking.ids[: NEAREST_SHOWN if notice == "none" else settings.CLARIFICATIONS_PER_PAGE]
    related = sum(1 for pk in shown if ranking.strengths[pk] == Strength.RELATED)
    return len(shown), related, notice == "strong"


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


def evaluate(alias, clarifications, queries, baseline, *, paraphrases=(), misses=0, unanswered=()):
    """Ask every query (and paraphrase) of the site and of the baseline: the summaries by "class/language"
    (and "kind/language"), and each query's ranks."""
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
    per_query = ask(alias, queries, baseline, "class")
    results = grouped(per_query, CLASSES)
    print_table(label, results)
    print_misses(per_query, queries, titles, misses)
    absent = absent_answers(alias, [(query["text"], [query["expected"]]) for query in queries], queries, "class")
    print_absent(f"{label}, answer held out", absent, CLASSES)
    if unanswered:
        # Texts no clarification of this archive answers (the CLEF tweets: American politics and viral
        # claims of 2016-2020, asked of a city's archive): all the archive can show them is noise.
        absent["unanswered/en"] = absent_answers(
            alias, [(text, []) for text in unanswered], [{}] * len(unanswered), "class"
        )["all/all"]
        print_absent(
            f"{label}, the CLEF tweets (no answer in this archive)", {"unanswered/en": absent["unanswered/en"]}
        )
    if not paraphrases:
        return results, per_query, None, absent
    per_paraphrase = ask(alias, paraphrases, baseline, "kind")
    paraphrase_results = grouped(per_paraphrase, PARAPHRASE_KINDS)
    print_table(f"{label}, paraphrases", paraphrase_results, first_column="kind")
    print_misses(per_paraphrase, paraphrases, titles, misses)
    absent_paraphrased = absent_answers(
        alias, [(row["text"], [row["expected"]]) for row in paraphrases], paraphrases, "kind"
    )
    print_absent(f"{label}, paraphrases, answer held out", absent_paraphrased, PARAPHRASE_KINDS)
    paraphrased = {"results": paraphrase_results, "queries": per_paraphrase, "absent": absent_paraphrased}
    return results, per_query, paraphrased, absent


# --- When the answer is absent -------------------------------------------------------------------


def absent_answers(alias, asked, labelled, class_key):
    """The cards shown for each text of ``asked`` ([(text, [its answers' external ids])]) with its
    answers held out of the archive (the queryset excludes them; the term statistics still count
    them, a difference of one document in thousands), summarised by class and language of ``labelled``.

    A held-out query is a rumor the office has not clarified, told as citizens tell the others: what
    the page then shows is all noise, except a clarification of the same rumor archived twice (which
    the generated set does not hold) or of the same template (another district, date or food), which
    a reader may find useful and the figure counts all the same.
    """
    rows = []
    for (text, answers), row in zip(asked, labelled, strict=True):
        shown, related, strong = cards_shown(alias, text, answers)
        rows.append(
            {
                "class": row.get(class_key, "all"),
                "language": row.get("language", "en"),
                "shown": shown,
                "related": related,
                "strong": strong,
            }
        )
    summaries = {}
    for key in [*sorted({(row["class"], row["language"]) for row in rows}), ("all", "all")]:
        kept = [row for row in rows if key[0] in ("all", row["class"]) and key[1] in ("all", row["language"])]
        summaries["/".join(key)] = {
            "queries": len(kept),
            "cards": sum(row["shown"] for row in kept) / len(kept),
            "related_cards": sum(row["related"] for row in kept) / len(kept),
            "none_shown": sum(1 for row in kept if not row["shown"]) / len(kept),
            "strong_claimed": sum(1 for row in kept if row["strong"]) / len(kept),
        }
    return summaries


def print_absent(label, summaries, classes=()):
    header = f"{'class/language':<22} {'n':>5} {'cards':>6} {'related':>7} {'no card':>7} {'strong':>6}"
    print(f"\n{label}: cards on the first page, on average\n{header}\n{'-' * len(header)}")
    order = {name: position for position, name in enumerate((*classes, "all"))}
    for key in sorted(summaries, key=lambda key: (order.get(key.split("/")[0], 99), key)):
        row = summaries[key]
        print(
            f"{key:<22} {row['queries']:>5} {row['cards']:>6.2f} {row['related_cards']:>7.2f}"
            f" {row['none_shown']:>7.3f} {row['strong_claimed']:>6.3f}",
            flush=True,
        )


def ask(alias, queries, baseline, class_key):
    """Each query's ranks and latencies, on the site and the baseline."""
    per_query = []
    for query in queries:
        site_ms, site_results = timed(site_search, alias, query["text"])
        base_ms, base_results = timed(baseline.search, query["text"])
        per_query.append(
            {
                "class": query[class_key],
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
    return per_query


def grouped(per_query, classes):
    results = {}
    groups = [(kind, language) for kind in classes for language in LANGUAGES]
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
    return results


def print_misses(per_query, queries, titles, misses):
    if not misses:
        return
    shown = [(row, query) for row, query in zip(per_query, queries, strict=True) if row["site_rank"] != 1]
    print(f"\nfirst {min(misses, len(shown))} of the {len(shown)} queries the site did not rank first:")
    for row, query in shown[:misses]:
        first = titles.get(row["site_first"], "(nothing)" if row["searched"] else "(not searched)")
        print(
            f"- {row['class']}/{row['language']} rank {row['site_rank'] or '-'} (baseline "
            f"{row['baseline_rank'] or '-'}), {row['chars']} chars: {query['text'][:90]!r}\n"
            f"    expected: {titles[row['expected']]}\n    site's first: {first}"
        )


def print_table(label, results, first_column="class"):
    width = max(9, *(len(key.split("/")[0]) for key in results))
    header = (
        f"{first_column:<{width}} {'language':<8} {'n':>4} | {'site R@1':>8} {'R@5':>5} {'MRR':>5} {'p50':>6}"
        f" {'p95':>6} {'unsearched':>10} | {'BM25 R@1':>8} {'R@5':>5} {'MRR':>5} {'p50':>6} {'p95':>6}"
    )
    print(f"\n{label} (latency in ms; MRR over the first {TOP})\n{header}\n{'-' * len(header)}")
    for key, result in results.items():
        kind, language = key.split("/")
        site, base = result["site"], result["baseline"]
        print(
            f"{kind:<{width}} {language:<8} {site['queries']:>4} | {site['recall@1']:>8.3f} {site['recall@5']:>5.3f}"
            f" {site['mrr']:>5.3f} {site['p50_ms']:>6.1f} {site['p95_ms']:>6.1f} {site['unsearched']:>10} |"
            f" {base['recall@1']:>8.3f} {base['recall@5']:>5.3f} {base['mrr']:>5.3f} {base['p50_ms']:>6.1f}"
            f" {base['p95_ms']:>6.1f}",
            flush=True,
        )


# --- CLEF-2020 CheckThat! Task 2 ----------------------------------------------------------------


def clef_clarifications(claims):
    """The CLEF fact-checks as clarifications: the claim and the article's title, nothing else, older first by id."""
    width = len(str(max((int(pk) for pk in claims), default=0)))
    return [
        {
            "external_id": f"clef-{int(pk):0{width}d}",
            "title": title[:200],
            "claim": claim,
            "truth": "",
            "body": "",
            "language": "en",
            "verdict": "false",
            "seen_on": "2020-01-01",
        }
        for pk, (claim, title) in claims.items()
    ]


def first_stage_ids(alias, text):
    """The ids the search's first stage keeps for ``text``, in its order (before reranking)."""
    from clarifications.models import Clarification
    from clarifications.search import ranking

    return ranking.first_stage(Clarification.objects.using(alias).published(), text)


def evaluate_clef(alias, data, split, *, misses=0):
    """The site and a BM25 with stop words removed on one CLEF split: MAP@5, MRR, P@1, R@5, and the first stage."""
    from django.core.management import call_command
    from django.db import connections

    from clarifications.models import Clarification

    clarifications = clef_clarifications(data.claims)
    external = {item["external_id"]: pk for item, pk in zip(clarifications, data.claims, strict=True)}
    external_of = {pk: item["external_id"] for item, pk in zip(clarifications, data.claims, strict=True)}
    # Ties as the site breaks them (the later added first): the set holds 184 pairs of identical
    # fact-checks, and which of the two is judged relevant is not something a ranking can know.
    baseline = BM25(
        ((pk, f"{claim}\n{title}") for pk, (claim, title) in data.claims.items()),
        stop_words=ENGLISH_STOP_WORDS,
        newest_first=True,
    )
    label = f"CLEF-2020 {split} on {connections[alias].vendor}"
    call_command("migrate", database=alias, verbosity=0)
    print(f"\n== {label}: {len(data.claims):,} fact-checks, {len(data.tweets):,} tweets", flush=True)
    elapsed, _ = timed(replace_archive, alias, clarifications)
    print(f"loaded and indexed in {elapsed / 1000:.1f} s", flush=True)
    by_pk = dict(Clarification.objects.using(alias).values_list("pk", "external_id"))
    rows, stage_ranks, per_tweet = {"site": [], "BM25": []}, [], []
    times = {"site": [], "BM25": []}
    for tweet, text in data.tweets.items():
        relevant = data.relevant[tweet]
        site_ms, site_results = timed(site_search, alias, text)
        site_results = [external[found] for found in site_results or []]
        base_ms, base_results = timed(baseline.search, text)
        rows["site"].append(clef.scores(site_results, relevant))
        rows["BM25"].append(clef.scores(base_results, relevant))
        times["site"].append(site_ms)
        times["BM25"].append(base_ms)
        stage = [external[by_pk[pk]] for pk in first_stage_ids(alias, text)]
        rank = min((stage.index(pk) + 1 for pk in relevant if pk in stage), default=0)
        stage_ranks.append(rank)
        per_tweet.append({"tweet": tweet, "site": site_results[:5], "relevant": sorted(relevant), "first_stage": rank})
    results = {name: {**clef.summary(scored), **latency(times[name])} for name, scored in rows.items()}
    results["first stage"] = {f"recall@{depth}": recall_at(stage_ranks, depth) for depth in FIRST_STAGE_DEPTHS}
    print_clef_table(label, results)
    asked = [(text, [external_of[pk] for pk in data.relevant[tweet]]) for tweet, text in data.tweets.items()]
    results["absent"] = absent_answers(alias, asked, [{} for _ in asked], "class")
    print_absent(f"{label}, the fact-checks held out", results["absent"])
    if misses:
        shown = [row for row in per_tweet if not row["site"] or row["site"][0] not in row["relevant"]]
        print(f"\nfirst {min(misses, len(shown))} of the {len(shown)} tweets the site did not answer first:")
        for row in shown[:misses]:
            claim = data.claims[row["relevant"][0]][0]
            first = data.claims[row["site"][0]][0] if row["site"] else "(nothing)"
            print(
                f"- tweet {row['tweet']} (first stage rank {row['first_stage'] or '-'}):"
                f" {data.tweets[row['tweet']][:160]!r}\n    expected: {claim[:120]}\n    site's first: {first[:120]}"
            )
    return results, per_tweet


FIRST_STAGE_DEPTHS = (1, 10, 40, 100, 200)


def recall_at(ranks, depth):
    return sum(1 for rank in ranks if 1 <= rank <= depth) / max(len(ranks), 1)


def latency(times):
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 0.95)}


def print_clef_table(label, results):
    header = f"{'system':<28} {'MAP@5':>6} {'MRR':>6} {'P@1':>6} {'R@5':>6} {'p50':>6} {'p95':>6}"
    print(f"\n{label} (MRR over the first {TOP}; latency in ms)\n{header}\n{'-' * len(header)}")
    for name, label_ in (("site", "site"), ("BM25", "BM25 (stop words removed)")):
        row = results[name]
        print(
            f"{label_:<28} {row['map@5']:>6.3f} {row['mrr']:>6.3f} {row['p@1']:>6.3f} {row['r@5']:>6.3f}"
            f" {row['p50_ms']:>6.1f} {row['p95_ms']:>6.1f}"
        )
    stage = results["first stage"]
    print(
        "site's first stage, the right fact-check within the first N: "
        + ", ".join(f"{name} {value:.3f}" for name, value in stage.items()),
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
    parser.add_argument("--clef", metavar="FOLDER", help="also the CLEF-2020 CheckThat! Task 2 set (unpacked v3.0)")
    parser.add_argument("--clef-split", choices=clef.SPLITS, default="dev", help="its split (default dev)")
    parser.add_argument("--clef-only", action="store_true", help="only the CLEF set, not the generated set")
    args = parser.parse_args(argv)
    clef_data = clef.read(args.clef, args.clef_split) if args.clef else None

    clarifications, queries = load_dataset(args.clarifications, args.queries)
    paraphrases = load_paraphrases(clarifications)
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
                if not args.clef_only:
                    results, per_query, paraphrased, absent = evaluate(
                        alias,
                        clarifications,
                        queries,
                        baseline,
                        paraphrases=paraphrases,
                        misses=args.misses,
                        unanswered=list(clef_data.tweets.values()) if clef_data else (),
                    )
                    report["runs"][name] = {
                        "results": results,
                        "queries": per_query,
                        "paraphrases": paraphrased,
                        "absent": absent,
                    }
                if clef_data:
                    results, per_tweet = evaluate_clef(alias, clef_data, args.clef_split, misses=args.misses)
                    report["runs"][f"clef-{args.clef_split}/{name}"] = {"results": results, "tweets": per_tweet}
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"\nwritten to {args.json}")
    return report


if __name__ == "__main__":
    main()
