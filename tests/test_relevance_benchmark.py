"""The relevance benchmark keeps working: its labelled set is whole, and a small slice of it runs end
to end (throwaway SQLite database, the list page's search, the BM25 baseline, the JSON report)."""

import gzip
import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from benchmarks import clef
from benchmarks.relevance import BM25, DATA_DIR, PARAPHRASE_KINDS, load_dataset, load_paraphrases
from benchmarks.relevance_data import generate, paraphrase

from .servers import REPO


def test_the_labelled_set_has_thousands_of_clarifications_and_hundreds_of_queries_of_every_class_in_both_languages():
    clarifications, queries = load_dataset()
    ids = {item["external_id"] for item in clarifications}
    languages = Counter(item["language"] for item in clarifications)
    assert len(clarifications) >= 2000
    assert languages["zh-hans"] >= 1200
    assert languages["en"] >= 800
    assert len(queries) >= 300
    assert all(query["expected"] in ids for query in queries)
    per_group = Counter((query["class"], query["language"]) for query in queries)
    assert {(kind, language) for kind in ("pasted", "long", "keywords", "partial") for language in languages} == set(
        per_group
    )
    assert min(per_group.values()) >= 30
    long_pastes = [len(query["text"]) for query in queries if query["class"] == "long"]
    assert min(long_pastes) >= 250
    assert max(long_pastes) <= 2000


def test_the_committed_set_is_exactly_what_its_seeded_generator_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(generate, "CLARIFICATIONS_FILE", tmp_path / "clarifications.jsonl.gz")
    monkeypatch.setattr(generate, "QUERIES_FILE", tmp_path / "queries.jsonl.gz")
    generate.main()
    for name in ("clarifications.jsonl.gz", "queries.jsonl.gz"):  # compared uncompressed: zlib versions differ
        written, committed = (gzip.decompress((folder / name).read_bytes()) for folder in (tmp_path, DATA_DIR))
        assert written == committed, "out of date: run python benchmarks/relevance_data/generate.py"


def test_the_baseline_ranks_a_pasted_claim_first_among_similar_clarifications():
    baseline = BM25(
        [
            ("metro", "网传地铁2号线停运三个月？不实 地铁2号线从下周起停运三个月"),
            ("water", "网传城南区停水三天？不实 城南区明天起停水三天"),
            ("school", "网传第一中学停课？不实 第一中学停课一周"),
        ]
    )
    assert baseline.search("【重要通知，请务必转发】各位亲朋好友：城南区明天起停水三天！转给你关心的人🙏")[0] == "water"


@pytest.mark.subprocess
def test_a_small_slice_runs_end_to_end_on_sqlite_and_writes_its_report(tmp_path):
    report_path = tmp_path / "relevance.json"
    environment = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    completed = subprocess.run(
        [
            sys.executable,
            "benchmarks/relevance.py",
            "--clarifications",
            "40",
            "--queries",
            "24",
            "--json",
            str(report_path),
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(report_path.read_text())
    assert sum(report["data"]["clarifications"].values()) == 40
    run = report["runs"]["sqlite"]
    assert len(run["queries"]) == 24
    assert {(row["class"], row["language"]) for row in run["queries"]} == {
        (kind, language) for kind in ("pasted", "long", "keywords", "partial") for language in ("zh-hans", "en")
    }
    overall = run["results"]["all/all"]
    assert overall["site"]["queries"] == overall["baseline"]["queries"] == 24
    # Among 40 clarifications the baseline finds nearly every query's own clarification: the labels,
    # the data and the measuring agree (a broken slice or a mislabelled query would fail here).
    assert overall["baseline"]["recall@5"] >= 0.9
    assert "pasted    zh-hans" in completed.stdout


def test_the_committed_paraphrase_set_is_exactly_what_its_generator_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(paraphrase, "PARAPHRASES_FILE", tmp_path / "paraphrases.jsonl")
    paraphrase.main()
    committed = (DATA_DIR / "paraphrases.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "paraphrases.jsonl").read_text(encoding="utf-8") == committed, (
        "out of date: run python benchmarks/relevance_data/paraphrase.py"
    )


def test_the_paraphrase_set_rewords_claims_of_the_labelled_set_in_both_languages_and_every_way():
    clarifications, _queries = load_dataset()
    rows = load_paraphrases(clarifications)
    claims = {item["external_id"]: item["claim"] for item in clarifications}
    per_group = Counter((row["kind"], row["language"]) for row in rows)
    assert set(per_group) == {(kind, language) for kind in PARAPHRASE_KINDS for language in ("zh-hans", "en")}
    assert min(per_group.values()) >= 30
    assert all(row["text"] != claims[row["expected"]] for row in rows)


def write_clef_folder(folder):
    """A CLEF-2020 Task 2 folder in the set's own format (tab-separated, quoted like pandas writes it)."""
    (folder / "dev").mkdir(parents=True)
    claims = [
        ("0", 'A "miracle" cure for the flu was found in lemons.', "Do Lemons Cure the Flu?"),
        ("1", "Bernie Sanders said he would never vote again.", "Did Bernie Sanders Say He'd Never Vote Again?"),
        ("2", "A pizza vending machine was installed in Times Square.", "Is There a Pizza Vending Machine?"),
        ("3", "The moon landing was filmed in a studio.", "Was the Moon Landing Staged?"),
    ]
    with open(folder / "verified_claims.docs.tsv", "w", encoding="utf-8") as out:
        out.write("\tvclaim\ttitle\n")
        for pk, claim, title in claims:
            quoted = '"' + claim.replace('"', '""') + '"' if '"' in claim else claim
            out.write(f"{pk}\t{quoted}\t{title}\n")
    tweets = [
        ("10", "I will never vote again — @BernieSanders — Ann (@ann) February 18, 2016"),
        ("11", "Look what they put up in Times Square! #PizzaVendingMachine pic.twitter.com/abc"),
    ]
    with open(folder / "dev" / "tweets.queries.tsv", "w", encoding="utf-8") as out:
        out.write("\ttweet_content\n")
        out.writelines(f"{pk}\t{text}\n" for pk, text in tweets)
    with open(folder / "dev" / "tweet-vclaim-pairs.qrels", "w", encoding="utf-8") as out:
        out.write("10\t0\t1\t1\n11\t0\t2\t1\n")


def test_the_clef_reader_takes_the_claims_and_a_development_split_and_refuses_the_test_split(tmp_path):
    write_clef_folder(tmp_path / "v3.0")
    data = clef.read(tmp_path, "dev")  # the folder holding v3.0 will do
    assert data.claims["0"] == ('A "miracle" cure for the flu was found in lemons.', "Do Lemons Cure the Flu?")
    assert data.relevant == {"10": {"1"}, "11": {"2"}}
    assert set(data.tweets) == {"10", "11"}
    with pytest.raises(ValueError, match="held out"):
        clef.read(tmp_path, "test")


def test_the_clef_measures_are_the_tasks():
    # One relevant fact-check at rank 2: AP@5 1/2, RR 1/2, P@1 0, R@5 1. Two relevant at ranks 1 and 3:
    # AP@5 (1 + 2/3) / 2. Beyond the fifth, AP@5 and R@5 are 0 and RR still counts (over the first ten).
    assert clef.scores(["a", "b"], {"b"}) == (0.5, 0.5, 0.0, 1.0)
    assert clef.scores(["a", "x", "b"], {"a", "b"}) == pytest.approx(((1 + 2 / 3) / 2, 1.0, 1.0, 1.0))
    assert clef.scores(list("uvwxyzb"), {"b"}) == pytest.approx((0.0, 1 / 7, 0.0, 0.0))
    assert clef.summary([(1.0, 1.0, 1.0, 1.0), (0.0, 0.5, 0.0, 1.0)]) == {
        "map@5": 0.5,
        "mrr": 0.75,
        "p@1": 0.5,
        "r@5": 1.0,
    }


@pytest.mark.subprocess
def test_the_clef_set_runs_end_to_end_on_sqlite_beside_its_baseline(tmp_path):
    write_clef_folder(tmp_path / "v3.0")
    report_path = tmp_path / "clef.json"
    environment = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    completed = subprocess.run(
        [
            sys.executable,
            "benchmarks/relevance.py",
            "--clef",
            str(tmp_path / "v3.0"),
            "--clef-only",
            "--json",
            str(report_path),
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    run = json.loads(report_path.read_text())["runs"]["clef-dev/sqlite"]
    assert set(run["results"]) == {"site", "BM25", "first stage", "absent"}
    # With their fact-checks held out, the two tweets are shown fewer cards than the page holds.
    assert run["results"]["absent"]["all/all"]["queries"] == 2
    assert 0 <= run["results"]["absent"]["all/all"]["cards"] < 20
    assert run["results"]["site"]["p@1"] == 1.0  # both tweets find their fact-check first
    assert "BM25 (stop words removed)" in completed.stdout
