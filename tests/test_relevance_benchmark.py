"""The relevance benchmark keeps working: its labelled set is whole, and a small slice of it runs end
to end (throwaway SQLite database, the list page's search, the BM25 baseline, the JSON report)."""

import gzip
import json
import os
import subprocess
import sys
from collections import Counter

from benchmarks.relevance import BM25, DATA_DIR, load_dataset
from benchmarks.relevance_data import generate

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


def test_a_small_slice_runs_end_to_end_on_sqlite_and_writes_its_report(tmp_path):
    report_path = tmp_path / "relevance.json"
    environment = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    completed = subprocess.run(
        [sys.executable, "benchmarks/relevance.py", "--clarifications", "40", "--queries", "24"]
        + ["--json", str(report_path)],
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
