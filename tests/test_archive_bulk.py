"""The batched import stores what the line-by-line import stored, and continues after a crash.

The reference is the import as it was, one transaction and one ``import_record`` per line; the batched
``import_lines`` must leave the same clarifications, topics, links, sources, updates, history records,
search statistics and search results for the same file.
"""

import io
import json
import random
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, transaction

from clarifications import archive
from clarifications.archive import export_lines, import_lines, import_record
from clarifications.management.commands import import_clarifications
from clarifications.models import Clarification, ImportProgress, SearchTerm, Source, Topic, Update
from clarifications.search import search

from .factories import TopicFactory

pytestmark = pytest.mark.django_db

QUERIES = ["疫苗", "地铁停运", "停水", "vaccine", "metro line", "网传", "学校停课", "prices double"]


def archive_lines(count=120, seed=3):
    """A varied archive: both languages, every status (some scheduled), topics new and existing (by
    Chinese or English name), sources, updates, lines without an id, an id given twice, bad lines."""
    rng = random.Random(seed)
    subjects = ["地铁2号线", "自来水", "学校", "疫苗接种点", "菜价", "Metro line 2", "tap water", "vaccine centres"]
    claims = ["明天起停运一周", "全市停水三天", "下周全部停课", "will close for a week", "prices double"]
    topics = ["交通出行", "Public health", "供水", "疫苗", "Education", "新话题"]
    lines = []
    for number in range(count):
        subject, claim = rng.choice(subjects), rng.choice(claims)
        english = subject[0].isascii()
        status = rng.choice(["published", "published", "published", "draft", "in_review", "withdrawn"])
        published = None
        if status in ("published", "withdrawn"):
            year = 2031 if rng.random() < 0.1 else 2024  # some scheduled
            published = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00+08:00"
        record = {
            "title": f"{'No: ' if english else '网传'}{subject} {claim} #{number}",
            "claim": f"{subject}{claim}，请转发！",
            "verdict": rng.choice(["false", "misleading", "partly_false", "unproven", "true"]),
            "truth": f"{subject} 一切正常。Normal service.",
            "body": f"经核实……{subject}。" * rng.randint(1, 4),
            "language": "en" if english else "zh-hans",
            "topics": rng.sample(topics, rng.randint(0, 3)),
            "region": rng.choice(["", "浦东新区", "徐汇区"]),
            "authority": {"name": "市交通委员会", "url": "https://jtw.example.gov.cn/"},
            "sources": [
                {"title": f"公告{n}", "url": f"https://example.gov.cn/{number}/{n}", "publisher": "", "date": None}
                for n in range(rng.randint(0, 3))
            ],
            "status": status,
            "published_at": published,
            "claim_seen_on": "2024-01-02" if rng.random() < 0.5 else None,
            "claim_platform": rng.choice(["wechat_group", "weibo", "other"]),
        }
        if status == "withdrawn":
            record["withdrawal_note"] = "新的证据表明原结论有误。"
        if rng.random() < 0.8:
            record["external_id"] = f"old-archive-{number}"
        if rng.random() < 0.3:
            record["updates"] = [{"date": "2024-06-01T09:00:00+08:00", "note": f"更正{number}"}]
        lines.append(json.dumps(record, ensure_ascii=False))

    def replace(number, **changes):
        if number < count and number + 1 < count:
            lines[number] = json.dumps({**json.loads(lines[number + 1]), **changes}, ensure_ascii=False)

    if count > 10:
        lines[10] = "{not json"
    replace(20, verdict="fake")
    replace(30, status="published", published_at=None)
    replace(40, sources=[{"title": "x", "url": "not a url"}])
    replace(50, topics=["话" * 81])
    if count > 60:
        lines[60] = ""
    if count > 71:
        # The same id twice: the second line updates what the first wrote (with other content).
        twice = {**json.loads(lines[3]), "external_id": "twice", "title": "重复的编号"}
        lines[70] = json.dumps({**twice, "verdict": "true"}, ensure_ascii=False)
        lines[71] = json.dumps({**twice, "verdict": "false"}, ensure_ascii=False)
    return lines


def import_line_by_line(lines):
    """The import as it was: each line in its own transaction, bad lines skipped."""
    created = skipped = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            with transaction.atomic():
                created += import_record(json.loads(line))
        except (json.JSONDecodeError, ValidationError, DatabaseError):
            skipped += 1
    return created, skipped


def snapshot():
    """What an import leaves, independent of primary keys and of the random ids of lines without one."""
    from django.apps import apps

    exported = []
    for line in export_lines():
        record = json.loads(line)
        if not record["external_id"].startswith(("old-archive-", "twice")):
            record["external_id"] = "(random)"
        exported.append(record)
    history = {}
    for model in (Clarification, Source, Update):
        rows = model.history.values_list("history_type", flat=True)
        history[model.__name__] = Counter(rows)
    m2m_history = apps.get_model("clarifications", "HistoricalClarification_topics")
    links = Counter(Clarification.topics.through.objects.values_list("clarification__title", "topic__name").order_by())
    return {
        "clarifications": sorted(exported, key=lambda record: record["title"]),
        "topics": sorted(Topic.objects.values_list("name", "name_en", "slug")),
        "links": links,
        "history": history,
        "topic_history_links": m2m_history.objects.count(),
        "search_terms": dict(SearchTerm.objects.filter(documents__gt=0).values_list("term", "documents")),
        "searches": {
            query: [(item.title, item.search_strength) for item in search(Clarification.objects.published(), query)]
            for query in QUERIES
        },
    }


@pytest.fixture
def existing_topics():
    TopicFactory(name="交通出行", name_en="Transport", slug="transport")
    TopicFactory(name="公共卫生", name_en="Public health", slug="public-health")


@pytest.mark.parametrize("batch_size", [7, 500])
def test_a_batched_import_stores_what_the_line_by_line_import_stored(existing_topics, batch_size):
    lines = archive_lines()
    with transaction.atomic():
        created, skipped = import_line_by_line(lines)
        line_by_line = snapshot()
        transaction.set_rollback(True)
    assert Clarification.objects.count() == 0

    report = import_lines(lines, batch_size=batch_size)

    assert (report.created, report.updated, report.skipped) == (created, 1, skipped)
    assert [number for number, _message in report.errors] == [11, 21, 31, 41, 51]
    batched = snapshot()
    assert batched["searches"]["疫苗"], "the searches compared should find something"
    for key in line_by_line:
        assert batched[key] == line_by_line[key], key


def test_bad_lines_keep_their_messages(existing_topics):
    report = import_lines(archive_lines(), batch_size=50)
    messages = dict(report.errors)
    assert messages[11].startswith("not valid JSON")
    assert "verdict must be one of" in messages[21]
    assert "clarification_published_has_time" in messages[31]
    assert "url:" in messages[41]
    assert messages[51].startswith("name:")
    assert "80" in messages[51]


def test_a_line_the_database_refuses_is_skipped_and_the_rest_of_its_batch_kept(monkeypatch):
    lines = archive_lines(count=30)
    real_create = archive._create

    def refuse_batches(batch, topics):
        if len(batch) > 1:
            raise DatabaseError("refused")
        real_create(batch, topics)

    monkeypatch.setattr(archive, "_create", refuse_batches)
    report = import_lines(lines, batch_size=10)
    assert (report.created, len(report.errors)) == (28, 2)
    assert Clarification.objects.count() == 28


class Crash(Exception):
    """The process dying between two batches."""


def test_an_import_run_again_after_a_crash_continues_after_the_last_batch_stored(existing_topics):
    lines = archive_lines()
    with transaction.atomic():
        import_line_by_line(lines)
        expected = snapshot()
        transaction.set_rollback(True)
    progress = ImportProgress(file_sha256="f" * 64, file_name="archive.jsonl")
    batches = []

    def crash_after_three(report):
        batches.append(report.lines_done)
        if len(batches) == 3:
            raise Crash

    with pytest.raises(Crash):
        import_lines(lines, batch_size=20, progress=progress, on_batch=crash_after_three)
    stored = ImportProgress.objects.get()
    resumed_at = stored.lines_done
    assert resumed_at == batches[-1] > 0
    assert Clarification.objects.count() == stored.created

    report = import_lines(lines, batch_size=20, progress=stored)

    assert report.resumed_after == resumed_at
    assert (report.created, report.updated, report.skipped) == (len(expected["clarifications"]), 1, 5)
    assert snapshot() == expected


def test_the_command_continues_a_crashed_import_of_the_same_file(tmp_path, monkeypatch, existing_topics):
    path = tmp_path / "archive.jsonl"
    lines = archive_lines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    calls = []
    real_update = import_clarifications.ProgressBar.update

    def crash_on_the_second_batch(self, report):
        calls.append(report.lines_done)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_update(self, report)

    monkeypatch.setattr(import_clarifications.ProgressBar, "update", crash_on_the_second_batch)
    err = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command(
            "import_clarifications", str(path), "--batch-size", "25", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert ImportProgress.objects.get().lines_done == calls[-1]
    monkeypatch.setattr(import_clarifications.ProgressBar, "update", real_update)

    out = io.StringIO()
    call_command("import_clarifications", str(path), "--batch-size", "25", stdout=out, stderr=err)

    assert f"Continuing {path} after line {calls[-1]}" in err.getvalue()
    total = Clarification.objects.count()
    assert (
        f"Imported {path}: {total} created, 1 updated, 5 skipped (continued after line {calls[-1]})" in out.getvalue()
    )
    # Every line once: no clarification was written twice.
    titles = Counter(Clarification.objects.values_list("title", flat=True))
    assert max(titles.values()) == 1
    assert not ImportProgress.objects.exists()


def test_the_same_file_imported_again_writes_only_its_lines_without_an_id(tmp_path):
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(archive_lines(count=40)), encoding="utf-8")
    call_command("import_clarifications", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with_id = Clarification.objects.filter(external_id__startswith="old-archive-")
    without_id = Clarification.objects.count() - with_id.count()
    history = Clarification.history.filter(external_id__startswith="old-archive-").count()

    out = io.StringIO()
    call_command("import_clarifications", str(path), stdout=out, stderr=io.StringIO())

    summary = f"{without_id} created, 0 updated, 3 skipped, {with_id.count()} already stored as they are"
    assert summary in out.getvalue()
    assert Clarification.history.filter(external_id__startswith="old-archive-").count() == history


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere():
    report = archive.ImportReport(created=500, lines_done=500)
    terminal, log = io.StringIO(), io.StringIO()
    from django.core.management.base import OutputWrapper

    bar = import_clarifications.ProgressBar(OutputWrapper(terminal), 1000, interactive=True)
    bar.update(report)
    bar.finish()
    assert terminal.getvalue().startswith("\r[###############...............]  50% 500/1,000 lines")
    plain = import_clarifications.ProgressBar(OutputWrapper(log), 1000, interactive=False)
    for done in (100, 150, 500, 1000):
        plain.update(archive.ImportReport(created=done, lines_done=done))
    assert [line.split(":")[0] for line in log.getvalue().splitlines()] == ["10%", "50%", "100%"]
    assert "\r" not in log.getvalue()
