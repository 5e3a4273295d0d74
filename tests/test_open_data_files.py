"""The open-data downloads are built once per content version into files, served like static files
(ETag, conditional requests, Range, gzip), whatever the query string, and limited per client."""

import gzip
import threading

import pytest
from django.urls import reverse

from opendata import downloads, files

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db

CSV = reverse("downloads:clarifications_csv")
JSONL = reverse("downloads:clarifications_jsonl")


@pytest.fixture
def builds(monkeypatch):
    """How many times each export ran."""
    counts = {"csv": 0, "jsonl": 0}
    real_csv, real_jsonl = downloads.csv_lines, downloads.jsonl_lines

    def csv_lines(absolute_url):
        counts["csv"] += 1
        return real_csv(absolute_url)

    def jsonl_lines():
        counts["jsonl"] += 1
        return real_jsonl()

    monkeypatch.setattr(downloads, "csv_lines", csv_lines)
    monkeypatch.setattr(downloads, "jsonl_lines", jsonl_lines)
    return counts


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def archive(db):
    return [ClarificationFactory(title=f"网传消息{number}不实") for number in range(5)]


def test_each_download_is_built_once_per_content_version_whatever_the_query_string(client, archive, builds, settings):
    first = client.get(CSV)
    content = body(first)
    again = [client.get(f"{CSV}?n={number}&utm_source=x") for number in range(5)]
    assert builds["csv"] == 1
    assert {response["ETag"] for response in again} == {first["ETag"]}
    assert {body(response) for response in again} == {content}
    assert "网传消息4不实" in content.decode("utf-8-sig")
    client.get(JSONL)
    client.get(f"{JSONL}?x")
    assert builds["jsonl"] == 1
    # A publication is a new version: built again, and the old file goes.
    ClarificationFactory(title="刚刚发布的辟谣")
    fresh = client.get(f"{CSV}?n=0")
    assert builds["csv"] == 2
    assert fresh["ETag"] != first["ETag"]
    assert "刚刚发布的辟谣" in body(fresh).decode("utf-8-sig")
    names = sorted(path.name for path in settings.OPEN_DATA_ROOT.glob("clarifications-csv-*"))
    assert len(names) == 2
    assert names[0].endswith(".csv")
    assert names[1].endswith(".csv.gz")


def test_a_client_with_the_etag_gets_304_and_no_body(client, archive):
    first = client.get(CSV)
    assert first["Last-Modified"]
    assert first["Accept-Ranges"] == "bytes"
    cached = client.get(CSV, headers={"if-none-match": first["ETag"]})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached["ETag"] == first["ETag"]
    assert client.get(CSV, headers={"if-modified-since": first["Last-Modified"]}).status_code == 304


def test_byte_ranges_are_served_like_a_static_files(client, archive):
    whole = body(client.get(CSV))
    part = client.get(CSV, headers={"range": "bytes=10-109"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 10-109/{len(whole)}"
    assert part["Content-Length"] == "100"
    assert body(part) == whole[10:110]
    tail = client.get(CSV, headers={"range": "bytes=-20"})
    assert body(tail) == whole[-20:]
    resumed = client.get(CSV, headers={"range": f"bytes={len(whole) - 5}-"})
    assert body(resumed) == whole[-5:]
    beyond = client.get(CSV, headers={"range": f"bytes={len(whole) + 10}-"})
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(whole)}"
    # A range of another version (If-Range with an old ETag) gets the whole new file.
    stale = client.get(CSV, headers={"range": "bytes=0-9", "if-range": '"an-old-version"'})
    assert stale.status_code == 200
    assert body(stale) == whole
    current = client.get(CSV, headers={"range": "bytes=0-9", "if-range": part["ETag"]})
    assert current.status_code == 206
    assert body(current) == whole[:10]


def test_clients_that_accept_gzip_get_the_compressed_copy(client, archive):
    plain = client.get(JSONL)
    packed = client.get(JSONL, headers={"accept-encoding": "gzip, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert packed["ETag"] != plain["ETag"]
    assert gzip.decompress(body(packed)) == body(plain)
    assert not plain.has_header("Content-Encoding")


def test_head_answers_the_size_without_the_body(client, archive):
    whole = body(client.get(CSV))
    head = client.head(CSV)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(whole))
    assert head.content == b""


def test_downloads_are_limited_per_client_and_revalidations_are_free(client, archive, settings):
    settings.OPEN_DATA_RATE = "2/h"
    first = client.get(CSV, REMOTE_ADDR="2001:db8:9:9::1")
    for _ in range(5):
        assert (
            client.get(CSV, headers={"if-none-match": first["ETag"]}, REMOTE_ADDR="2001:db8:9:9::2").status_code == 304
        )
        assert client.head(CSV, REMOTE_ADDR="2001:db8:9:9::3").status_code == 200
    assert client.get(f"{JSONL}?a", REMOTE_ADDR="2001:db8:9:9::4").status_code == 200
    refused = client.get(f"{CSV}?b", REMOTE_ADDR="2001:db8:9:9::5")  # the same /64
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert "Too many downloads" in refused.content.decode() or "下载次数过多" in refused.content.decode()
    assert client.get(CSV, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_request_waiting_too_long_for_a_build_gets_503(client, archive, monkeypatch, settings):
    monkeypatch.setattr(files, "BUILD_WAIT_SECONDS", 0.2)
    settings.OPEN_DATA_ROOT.mkdir(parents=True)
    # Another worker is building the JSON Lines: it holds the lock.
    with files._build_lock(settings.OPEN_DATA_ROOT / ".jsonl.lock"):
        holder = threading.Thread(target=lambda: None)
        holder.start()
        response = client.get(JSONL)
        holder.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert client.get(JSONL).status_code == 200
