"""Open data: monthly statistics on a public page, and every public clarification to download."""

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from clarifications.archive import import_lines
from clarifications.models import Clarification
from opendata.statistics import compute, month_starts
from tips.models import ReportStatus, Tip

from .factories import ClarificationFactory, TipFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=SHANGHAI)
JANUARY, FEBRUARY, MARCH = (datetime(2026, month, 10, 9, 0, tzinfo=SHANGHAI) for month in (1, 2, 3))


def month(statistics, year, number):
    return next(item for item in statistics.months if (item.start.year, item.start.month) == (year, number))


def tip_at(submitted_at, **fields):
    tip = TipFactory(**fields)
    Tip.objects.filter(pk=tip.pk).update(submitted_at=submitted_at)
    return tip


def hidden_clarifications(**fields):
    return [
        ClarificationFactory(draft=True, **fields),
        ClarificationFactory(in_review=True, **fields),
        ClarificationFactory(scheduled=True, **fields),
        ClarificationFactory(withdrawn=True, published_at=FEBRUARY, **fields),
    ]


def test_the_window_is_the_last_twelve_local_calendar_months():
    starts = month_starts(datetime(2026, 2, 28, 17, 0, tzinfo=ZoneInfo("UTC")))  # 1 March in Shanghai
    assert starts[0] == datetime(2025, 4, 1, tzinfo=SHANGHAI)
    assert starts[-2] == datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert starts[-1] == datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert len(starts) == 13


def test_clarifications_are_counted_by_month_verdict_and_topic_as_the_public_sees_them(frozen):
    health = TopicFactory(name="健康", name_en="Health")
    transport = TopicFactory(name="交通", name_en="Transport")
    ClarificationFactory(published_at=JANUARY, verdict="false", topics=[health])
    ClarificationFactory(published_at=FEBRUARY, verdict="false", topics=[health, transport])
    ClarificationFactory(published_at=FEBRUARY, verdict="misleading", topics=[transport])
    ClarificationFactory(published_at=datetime(2024, 5, 1, tzinfo=SHANGHAI))  # before the window
    hidden_clarifications(topics=[health])

    statistics = compute()
    assert month(statistics, 2026, 1).published == 1
    assert month(statistics, 2026, 2).published == 2
    assert month(statistics, 2026, 2).by_verdict == {"false": 1, "misleading": 1}
    assert month(statistics, 2026, 3).published == 0
    assert month(statistics, 2026, 3).current
    assert sum(item.published for item in statistics.months) == 3
    rows = {row.topic.name_en: row.counts for row in statistics.topics}
    assert rows["Health"][-3:] == [1, 1, 0]
    assert rows["Transport"][-3:] == [0, 2, 0]


def test_reports_received_and_answered_are_counted_by_month(frozen):
    answer = ClarificationFactory(published_at=FEBRUARY)
    tip_at(JANUARY)
    tip_at(JANUARY + timedelta(days=5))
    tip_at(FEBRUARY, status=ReportStatus.ANSWERED, clarification=answer, closed_at=MARCH)
    tip_at(MARCH, status=ReportStatus.NOT_ACTIONABLE, closed_at=MARCH)

    statistics = compute()
    assert [month(statistics, 2026, n).received for n in (1, 2, 3)] == [2, 1, 1]
    assert [month(statistics, 2026, n).answered for n in (1, 2, 3)] == [0, 0, 1]


def test_the_median_runs_from_a_clarifications_first_report_to_its_publication(frozen):
    for days in (2, 4, 10):
        clarification = ClarificationFactory(published_at=FEBRUARY)
        tip_at(FEBRUARY - timedelta(days=days), status=ReportStatus.ANSWERED, clarification=clarification)
        # A later report does not move the first one.
        tip_at(FEBRUARY - timedelta(days=1), status=ReportStatus.ANSWERED, clarification=clarification)
    # Reported only after publication: no time to clarification to speak of.
    late = ClarificationFactory(published_at=FEBRUARY)
    tip_at(FEBRUARY + timedelta(days=1), status=ReportStatus.ANSWERED, clarification=late)
    # Withdrawn: not public, so not counted.
    withdrawn = ClarificationFactory(withdrawn=True, published_at=FEBRUARY)
    tip_at(FEBRUARY - timedelta(days=30), status=ReportStatus.ANSWERED, clarification=withdrawn)

    february = month(compute(), 2026, 2)
    assert february.timed == 3
    assert february.median_days == pytest.approx(4.0)
    assert month(compute(), 2026, 1).median_days is None


@pytest.mark.parametrize(
    ("prefix", "heading", "so_far", "as_of"),
    [
        ("", "开放数据", "截至目前", "数据截至 2026年3月15日 12:00"),
        ("/en", "Open data", "so far", "Figures as of 15 March 2026, 12:00"),
    ],
)
def test_the_page_shows_the_figures_in_the_pages_language(client, frozen, prefix, heading, so_far, as_of):
    ClarificationFactory(published_at=FEBRUARY, topics=[TopicFactory(name="健康", name_en="Health")])
    tip_at(FEBRUARY)
    response = client.get(prefix + reverse("opendata:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert so_far in page
    assert as_of in page
    assert ("Health" if prefix else "健康") in page
    assert 'href="/open-data/clarifications.jsonl"' in page
    assert 'href="/open-data/clarifications.csv"' in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>' in page


def test_the_licence_is_the_one_in_the_settings(client, settings):
    settings.OPEN_DATA_LICENCE = "开放政府信息许可 1.0"
    settings.OPEN_DATA_LICENCE_URL = "https://data.example.gov.cn/licence"
    page = client.get(reverse("opendata:index")).content.decode()
    assert 'href="https://data.example.gov.cn/licence" rel="license">开放政府信息许可 1.0</a>' in page
    response = client.get(reverse("downloads:clarifications_csv"))
    assert response["Link"] == '<https://data.example.gov.cn/licence>; rel="license"'


def test_a_download_asked_again_is_not_sent_again_until_the_public_content_changes(client):
    ClarificationFactory(title="First")
    for name in ("clarifications_jsonl", "clarifications_csv"):
        first = client.get(reverse(f"downloads:{name}"))
        etag = first["ETag"]
        assert client.get(reverse(f"downloads:{name}"), headers={"if-none-match": etag}).status_code == 304
    ClarificationFactory(title="Second")
    again = client.get(reverse("downloads:clarifications_jsonl"), headers={"if-none-match": etag})
    assert again.status_code == 200
    assert "Second" in b"".join(again.streaming_content).decode()


def test_a_publication_shows_at_once_on_the_statistics_page(client):
    client.get("/en/open-data/")
    ClarificationFactory(title="Just published")
    page = strip_tags(client.get("/en/open-data/").content.decode())
    assert "(so far)\n          1" in page


def test_the_statistics_page_needs_few_queries(client, django_assert_max_num_queries):
    topics = [TopicFactory() for _ in range(5)]
    for index in range(20):
        ClarificationFactory(topics=topics[: index % 5 + 1])
        TipFactory()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("opendata:index")).status_code == 200


# --- Downloads ---------------------------------------------------------------------------------------


@pytest.fixture
def archive(db):
    """Public clarifications beside hidden ones, with staff names and citizens' contacts in the database."""
    author = UserFactory(username="editor-wang", email="wang@office.example.org")
    topic = TopicFactory(name="健康", name_en="Health")
    public = [
        ClarificationFactory(title="网传喝醋防病不实", topics=[topic], author=author, reviewer=author),
        ClarificationFactory(title="Claim about tap water is misleading", language="en", verdict="misleading"),
        ClarificationFactory(title="网传地铁停运不实", claim_seen_on="2026-01-02", region="浦东新区"),
    ]
    hidden = hidden_clarifications(author=author)
    TipFactory(with_contact=True, status=ReportStatus.ANSWERED, clarification=public[0])
    return {"public": public, "hidden": hidden}


def download(client, name):
    response = client.get(reverse(f"downloads:{name}"))
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def listed_titles(client):
    """Every title the public list shows, page by page."""
    titles, page = set(), 1
    while True:
        response = client.get(reverse("clarifications:list"), {"page": page})
        titles |= {item.title for item in response.context["page"].object_list}
        if not response.context["page"].has_next():
            return titles
        page += 1


def test_the_downloads_hold_exactly_what_the_public_list_shows(client, archive):
    records = [json.loads(line) for line in download(client, "clarifications_jsonl").splitlines()]
    rows = list(csv.DictReader(io.StringIO(download(client, "clarifications_csv").removeprefix("\ufeff"))))
    expected = listed_titles(client)
    assert expected == {item.title for item in archive["public"]}
    assert {record["title"] for record in records} == expected
    assert {row["title"] for row in rows} == expected
    assert all(record["status"] == "published" for record in records)
    for row in rows:
        detail = client.get(row["url"].removeprefix("http://testserver"))
        assert detail.status_code == 200
        assert row["truth"] in detail.content.decode()


def test_the_downloads_carry_no_personal_data(client, archive):
    for name in ("clarifications_jsonl", "clarifications_csv"):
        text = download(client, name)
        for personal in ("editor-wang", "wang@office.example.org", "citizen@example.com", "0" * 64):
            assert personal not in text, (name, personal)
    record = json.loads(download(client, "clarifications_jsonl").splitlines()[0])
    assert not {"author", "reviewer", "review_by", "tips"} & set(record)


def test_the_json_lines_are_the_import_format_and_import_back(client, archive):
    text = download(client, "clarifications_jsonl")
    Tip.objects.all().delete()
    Clarification.objects.all().delete()
    report = import_lines(text.splitlines())
    assert report.errors == []
    assert report.created == len(archive["public"])
    assert set(Clarification.objects.published().values_list("title", flat=True)) == {
        item.title for item in archive["public"]
    }


def test_the_downloads_are_attachments_with_their_type_and_licence(client, archive):
    jsonl = client.get(reverse("downloads:clarifications_jsonl"))
    assert jsonl["Content-Type"] == "application/jsonl; charset=utf-8"
    assert jsonl["Content-Disposition"] == 'attachment; filename="clarifications.jsonl"'
    assert jsonl["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    assert client.get(reverse("downloads:clarifications_csv"))["Content-Type"] == "text/csv; charset=utf-8"
    assert client.post(reverse("downloads:clarifications_csv")).status_code == 405


def test_the_downloads_read_in_chunks_with_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    ClarificationFactory.create_batch(30, topics=[TopicFactory()])
    for name in ("clarifications_jsonl", "clarifications_csv"):
        # Up to 6 to read every clarification in chunks (once per content version), 8 to count the
        # download against OPEN_DATA_RATE (core/ratelimit.py's row, on SQLite).
        with django_assert_max_num_queries(6 + 8):
            assert len(download(client, name).splitlines()) >= 30


def test_the_sitemap_lists_the_open_data_page_in_both_languages(client):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/open-data/</loc>" in sitemap
    assert "<loc>http://testserver/en/open-data/</loc>" in sitemap
