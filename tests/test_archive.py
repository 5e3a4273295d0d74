"""JSON Lines import and export (the format is documented in docs/contracts.md)."""

import io
import json
from datetime import datetime

import pytest
from django.core.management import call_command

from clarifications.archive import export_lines, import_lines
from clarifications.models import Clarification

from .factories import ClarificationFactory, SourceFactory, TopicFactory, UpdateFactory

pytestmark = pytest.mark.django_db


def record(**overrides):
    data = {
        "external_id": "archive-1",
        "title": "网传“地铁停运一周”不实",
        "claim": "紧急通知：地铁2号线下周起停运一周！",
        "verdict": "false",
        "truth": "地铁2号线运营正常，没有停运计划。",
        "body": "经向**地铁集团**核实……",
        "language": "zh-hans",
        "topics": ["交通出行", "城市建设"],
        "region": "浦东新区",
        "authority": {"name": "市交通委员会", "url": "https://jtw.example.gov.cn/"},
        "sources": [
            {
                "title": "地铁集团运营公告",
                "url": "https://metro.example.cn/n/1",
                "publisher": "地铁集团",
                "date": "2025-03-02",
            }
        ],
        "status": "published",
        "published_at": "2025-03-03T10:00:00+08:00",
        "claim_seen_on": "2025-03-01",
        "claim_platform": "wechat_group",
    }
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False)


def test_good_lines_are_imported_with_topics_and_sources():
    report = import_lines([record()])
    assert (report.created, report.updated, report.errors) == (1, 0, [])
    clarification = Clarification.objects.get(external_id="archive-1")
    assert {topic.name for topic in clarification.topics.all()} == {"城市建设", "交通出行"}
    assert clarification.sources.get().publisher == "地铁集团"
    assert clarification.published_at.isoformat() == "2025-03-03T02:00:00+00:00"
    assert clarification in Clarification.objects.published()


def test_bad_lines_are_reported_by_number_and_good_lines_kept():
    lines = [
        record(external_id="a"),
        "{not json",
        record(external_id="b", verdict="fake"),
        record(external_id="c", published_at="2025-03-03 10:00"),
        record(external_id="d", title=""),
        record(external_id="e", status="published", published_at=None),
        record(external_id="f", sources=[{"title": "x", "url": "not a url"}]),
        "[1, 2]",
        record(external_id="g"),
    ]
    report = import_lines(lines)
    assert report.created == 2
    assert [number for number, _ in report.errors] == [2, 3, 4, 5, 6, 7, 8]
    assert "verdict must be one of" in dict(report.errors)[3]
    assert "UTC offset" in dict(report.errors)[4]
    assert "missing: title" in dict(report.errors)[5]
    assert set(Clarification.objects.values_list("external_id", flat=True)) == {"a", "g"}
    # A line that fails halfway (bad source) leaves nothing behind.
    assert not Clarification.objects.filter(external_id="f").exists()


def test_reimporting_the_same_external_id_updates_instead_of_duplicating():
    import_lines([record()])
    report = import_lines([record(verdict="misleading", sources=[])])
    assert (report.created, report.updated) == (0, 1)
    clarification = Clarification.objects.get()
    assert clarification.verdict == "misleading"
    assert clarification.sources.count() == 0


def test_export_then_import_gives_the_same_content_back():
    topic = TopicFactory(name="供水")
    original = ClarificationFactory(topics=[topic], region="徐汇区", claim_seen_on="2025-01-02")
    SourceFactory(clarification=original, date="2025-01-03")
    UpdateFactory(clarification=original, note="补充说明")
    ClarificationFactory(draft=True)
    exported = list(export_lines())
    Clarification.objects.all().delete()
    report = import_lines(exported)
    assert (report.created, report.errors) == (2, [])
    assert list(export_lines()) == exported


def test_export_imports_back_onto_the_same_rows():
    ClarificationFactory()
    report = import_lines(list(export_lines()))
    # Nothing to write: the line holds what is stored.
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Clarification.objects.count() == 1


def test_import_command_prints_errors_with_line_numbers_and_a_summary(tmp_path):
    path = tmp_path / "archive.jsonl"
    path.write_text(record() + "\n\nnot json\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_clarifications", str(path), stdout=out, stderr=err)
    assert "1 created, 0 updated, 1 skipped" in out.getvalue()
    assert "line 3:" in err.getvalue()


def test_export_command_writes_a_file(tmp_path):
    ClarificationFactory(title="导出测试")
    path = tmp_path / "out.jsonl"
    call_command("export_clarifications", output=str(path))
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["title"] == "导出测试"


def test_the_claims_originator_link_and_withdrawal_date_survive_export_and_import():
    import_lines(
        [
            record(
                status="withdrawn",
                withdrawal_note="原结论有误。",
                withdrawn_at="2025-04-01T09:00:00+08:00",
                claim_author="某健康养生公众号",
                claim_url="https://mp.example.com/s/abc",
            )
        ]
    )
    (line,) = list(export_lines())
    exported = json.loads(line)
    assert exported["claim_author"] == "某健康养生公众号"
    assert exported["claim_url"] == "https://mp.example.com/s/abc"
    assert datetime.fromisoformat(exported["withdrawn_at"]) == datetime.fromisoformat("2025-04-01T09:00:00+08:00")


def test_a_line_from_an_older_export_without_the_new_keys_keeps_what_is_stored():
    import_lines([record(claim_author="某公众号", claim_url="https://mp.example.com/s/abc")])
    report = import_lines([record(title="改过的标题")])
    assert (report.updated, report.errors) == (1, [])
    clarification = Clarification.objects.get(external_id="archive-1")
    assert (clarification.title, clarification.claim_author) == ("改过的标题", "某公众号")
    assert clarification.claim_url == "https://mp.example.com/s/abc"
