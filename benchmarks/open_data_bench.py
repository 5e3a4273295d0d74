"""Open-data benchmark: the monthly statistics' queries and the downloads, at archive scale.

Generates N clarifications (default 100,000; nine in ten published over the last five years, the rest
drafts, reviews, withdrawn and scheduled ones, with one or two of 30 topics) and M tips (default
1,000,000 over the same years; two in five answered by a clarification published after them) with
bulk inserts into throwaway databases, then prints:

- the time of each query of ``opendata.statistics.compute()`` and of the whole computation (median of
  ``--repeat`` runs after one warm-up run), against the 200 ms target;
- the time and the peak Python memory (tracemalloc) of each download (JSON Lines and CSV) read to the
  end, and its size;
- with ``--http``, through a real gunicorn (the repository's ``gunicorn.conf.py``, 4 workers, on the
  SQLite database just loaded): the CSV downloaded once, then again, then by 16 clients at once, each
  downloading again and again for at least 20 s with a new query string each time (as clients bypassing
  a cache would), while a cached page (the home page) is asked for every 0.2 s: each download's time and
  the page's latency meanwhile (p50, p95, max, and how many took over 5 s or failed). ``--body-chars``
  gives each clarification a body of that length, so that the CSV weighs what a real archive's does
  (30,031 clarifications with bodies of 1,000 characters: an 87 MB CSV).

    python benchmarks/open_data_bench.py                                   # SQLite only
    python benchmarks/open_data_bench.py --postgres postgres://user@host:5432/dbname
    python benchmarks/open_data_bench.py --clarifications 10000 --tips 100000   # a quick run
    python benchmarks/open_data_bench.py --clarifications 30031 --tips 0 --body-chars 1000 --http

SQLite goes to a file in a temporary folder, deleted at the end. PostgreSQL: the named database is used
only inside a schema of its own (``piyao_open_data_bench``), dropped at the end. Use a database you
own, never a shared test database.
"""

import argparse
import random
import statistics
import sys
import tracemalloc
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from benchmarks import throwaway  # noqa: E402 (needs the repository on the path)
from benchmarks.measure import timed  # noqa: E402

PG_SCHEMA = "piyao_open_data_bench"
TARGET_MS = 200
YEARS = 5
BATCH = 5000
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class OnlyAlias:
    """A database router sending every query to one alias, so the site's code runs unchanged on it."""

    def __init__(self, alias):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias


@contextmanager
def routed_to(alias):
    from django.test.utils import override_settings

    with override_settings(DATABASE_ROUTERS=[OnlyAlias(alias)]):
        yield


def tip_code(number):
    chars = ""
    for _ in range(8):
        number, digit = divmod(number, 32)
        chars += CODE_ALPHABET[digit]
    return f"T-{chars[:4]}-{chars[4:]}"


def generate(alias, clarification_count, tip_count, seed, body_chars=0):
    from django.db import connections, transaction
    from django.utils import timezone

    from clarifications.models import Clarification, Platform, Status, Topic, Verdict
    from tips.models import ReportStatus, Tip

    rng = random.Random(seed)
    now = timezone.now()
    span = timedelta(days=365 * YEARS).total_seconds()
    topics = Topic.objects.using(alias).bulk_create(
        [Topic(name=f"话题{n}", name_en=f"Topic {n}", slug=f"topic-{n}") for n in range(30)]
    )
    statuses = [Status.PUBLISHED] * 90 + [Status.DRAFT] * 4 + [Status.IN_REVIEW] * 3 + [Status.WITHDRAWN] * 2
    paragraph = "经核实，网传消息不实。自来水公司只在部分街道做例行检修，停水不超过四小时。请大家不信谣、不传谣。\n\n"
    body = (paragraph * (body_chars // len(paragraph) + 1))[:body_chars]
    published = []  # (pk, published_at) of the public ones, for the tips to be answered by
    links = []
    Link = Clarification.topics.through
    batch = []

    def flush():
        created = Clarification.objects.using(alias).bulk_create(batch)
        for item in created:
            for topic in rng.sample(topics, rng.choice((1, 1, 2))):
                links.append(Link(clarification_id=item.pk, topic_id=topic.pk))
            if item.status == Status.PUBLISHED and item.published_at <= now:
                published.append((item.pk, item.published_at))
        Link.objects.using(alias).bulk_create(links)
        links.clear()
        batch.clear()

    for number in range(clarification_count):
        status = rng.choice(statuses)
        published_at = None
        if status in (Status.PUBLISHED, Status.WITHDRAWN):
            published_at = now - timedelta(seconds=rng.random() * span)
            if number % 100 == 0 and status == Status.PUBLISHED:
                published_at = now + timedelta(days=rng.randint(1, 30))  # scheduled
        batch.append(
            Clarification(
                title=f"网传消息{number}不实",
                claim=f"网传第{number}条消息：明天起全市停水三天。",
                truth="经核实，该消息不实。",
                body=body,
                verdict=rng.choice(Verdict.values),
                claim_platform=rng.choice(Platform.values),
                status=status,
                published_at=published_at,
                withdrawal_note="原结论有误。" if status == Status.WITHDRAWN else "",
            )
        )
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()

    # Tips by executemany of plain tuples: a million model instances would take most of the run.
    columns = ["code", "text", "platform", "language", "client_hash", "contact_email", "contact_consent"]
    columns += ["status", "clarification_id", "staff_notes", "submitted_at", "closed_at", "screenshot", "link"]
    connection = connections[alias]
    # Every other column takes its field's default, so that fields added later need nothing here.
    others = [field for field in Tip._meta.concrete_fields if not field.primary_key and field.column not in columns]
    columns += [field.column for field in others]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {Tip._meta.db_table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 (our names)
    rows = []
    tip_statuses = [ReportStatus.NEW, ReportStatus.REVIEWING, ReportStatus.NOT_ACTIONABLE] + [ReportStatus.ANSWERED] * 2
    for number in range(tip_count):
        status = rng.choice(tip_statuses)
        clarification_id, closed_at = None, None
        if status == ReportStatus.ANSWERED:
            clarification_id, published_at = rng.choice(published)
            submitted_at = published_at - timedelta(seconds=rng.random() * 10 * 86400)
            closed_at = published_at + timedelta(hours=rng.random() * 48)
        else:
            submitted_at = now - timedelta(seconds=rng.random() * span)
            if status == ReportStatus.NOT_ACTIONABLE:
                closed_at = submitted_at + timedelta(days=1)
        rows.append(
            (
                tip_code(number),
                "群里说明天全市停水三天，是真的吗？",
                rng.choice(Platform.values),
                "zh-hans",
                "",
                "",
                False,
                str(status),
                clarification_id,
                "",
                connection.ops.adapt_datetimefield_value(submitted_at),
                connection.ops.adapt_datetimefield_value(closed_at),
                "",
                "",
                *defaults,
            )
        )
        if len(rows) == BATCH:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            rows.clear()
    if rows:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return len(published)


def analyze(alias):
    """Fresh planner statistics and, on PostgreSQL, the visibility map that index-only scans need: what
    autovacuum keeps up on a live database, but has not yet done minutes after a bulk load."""
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def query_timings(repeat):
    """Median milliseconds of each figure's query (with fetching its rows) and of the whole computation."""
    from django.utils import timezone

    from clarifications.models import Clarification
    from opendata import statistics as figures

    bounds = figures.month_starts(timezone.now())
    published = Clarification.objects.published().filter(published_at__gte=bounds[0], published_at__lt=bounds[-1])
    queries = {
        "clarifications by verdict and month": lambda: figures.verdict_counts(published, bounds),
        "clarifications by topic and month": lambda: figures.topic_rows(published, bounds),
        "reports received by month": lambda: figures.reports_received(bounds),
        "reports answered by month": lambda: figures.reports_answered(bounds),
        "first report of each clarification": lambda: figures.days_to_clarification(published, bounds),
        "whole computation (with medians)": figures.compute,
    }
    results = {}
    for name, function in queries.items():
        function()  # warm-up
        results[name] = statistics.median(timed(function)[0] for _ in range(repeat))
    return results


def download(lines):
    size = 0
    for line in lines:
        size += len(line.encode())
    return size


def download_measures():
    from django.urls import reverse

    from opendata import downloads

    reverse("clarifications:list")  # load the URLconf, as a running server has
    results = []
    for name, make in (
        ("JSON Lines", downloads.jsonl_lines),
        ("CSV", lambda: downloads.csv_lines(lambda path: f"https://piyao.example{path}")),
    ):
        elapsed, size = timed(download, make())
        tracemalloc.start()
        download(make())
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append((name, elapsed, size, peak))
    return results


def http_measures(workdir, *, parallel=16, page_interval=0.2, seconds=20):
    """Downloads and a cached page's latency through gunicorn on the SQLite database in ``workdir``."""
    import os
    import threading
    import time
    import urllib.request

    from benchmarks.measure import percentile
    from tests.servers import prepare, site_environment, start_gunicorn, stop_gunicorn

    # The per-client limit is raised: this measures what downloads cost, not how many are refused.
    environment = site_environment(
        workdir, DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}", LOG_LEVEL="WARNING", OPEN_DATA_RATE="1000/h"
    )
    environment.pop("WEB_CONCURRENCY", None)
    prepare(workdir, environment)
    process, base_url = start_gunicorn(environment, log_path=workdir / "gunicorn.log")

    def fetch(path, timeout=600):
        start = time.perf_counter()
        with urllib.request.urlopen(base_url + path, timeout=timeout) as response:  # noqa: S310 (our own server)
            size = 0
            while chunk := response.read(1024 * 1024):
                size += len(chunk)
        return time.perf_counter() - start, size

    try:
        fetch("/")
        fetch("/")  # cached from now on
        first, size = fetch("/open-data/clarifications.csv")
        again, _size = fetch("/open-data/clarifications.csv")
        print(f"HTTP CSV download ({size / 1e6:.1f} MB): first {first:.2f} s, again {again:.2f} s", flush=True)
        downloads, latencies, failures = [], [], []
        done = threading.Event()

        def download(number):
            # Again and again until ``seconds`` have passed (at least once), each time another query string.
            round_number = 0
            while round_number == 0 or time.perf_counter() - started < seconds:
                try:
                    downloads.append(fetch(f"/open-data/clarifications.csv?n={number}&round={round_number}")[0])
                except OSError as error:
                    failures.append(f"download: {error}")
                round_number += 1

        def page():
            while not done.is_set():
                try:
                    latencies.append(fetch("/", timeout=30)[0])
                except OSError as error:
                    failures.append(f"page: {error}")
                time.sleep(page_interval)

        watcher = threading.Thread(target=page)
        watcher.start()
        threads = [threading.Thread(target=download, args=(number,)) for number in range(parallel)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        downloads.sort()
        spread = (
            f"each {downloads[0]:.2f} to {downloads[-1]:.2f} s (median {statistics.median(downloads):.2f} s)"
            if downloads
            else "none complete"
        )
        print(
            f"HTTP {parallel} clients downloading the CSV at once for at least {seconds} s, a new query string "
            f"each time: {len(downloads)} downloads in {wall:.1f} s; {spread}",
            flush=True,
        )
        if latencies:
            slow = sum(1 for latency in latencies if latency > 5)
            print(
                f"HTTP cached home page meanwhile: {len(latencies)} requests, p50 "
                f"{percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
                f"max {max(latencies) * 1000:.0f} ms, {slow} over 5 s",
                flush=True,
            )
        for failure in failures[:5]:
            print(f"  failed: {failure}")
        print(f"  ({len(failures)} failed requests; gunicorn with {os.cpu_count()} cores)", flush=True)
    finally:
        stop_gunicorn(process)


def run(alias, clarification_count, tip_count, repeat, seed, *, body_chars=0, http=False, workdir=None):
    from django.core.management import call_command
    from django.db import connections

    from clarifications.models import Clarification

    label = connections[alias].vendor
    print(f"\n== {label}: {clarification_count:,} clarifications, {tip_count:,} tips", flush=True)
    if alias != "default":
        call_command("migrate", database=alias, verbosity=0)
    with routed_to(alias):
        elapsed, public = timed(generate, alias, clarification_count, tip_count, seed, body_chars)
        print(f"generated and inserted in {elapsed / 1000:.1f} s ({public:,} public clarifications)", flush=True)
        analyze(alias)
        print(f"monthly statistics (12 months), median of {repeat} runs; target {TARGET_MS} ms per query:")
        for name, milliseconds in query_timings(repeat).items():
            verdict = "" if name.startswith("whole") else ("ok" if milliseconds < TARGET_MS else "OVER")
            print(f"  {name:<40} {milliseconds:>8.1f} ms  {verdict}", flush=True)
        public_now = Clarification.objects.published().count()
        for name, milliseconds, size, peak in download_measures():
            print(
                f"download {name:<10}: {public_now:,} clarifications, {size / 1e6:.1f} MB "
                f"in {milliseconds / 1000:.2f} s, "
                f"peak Python memory {peak / 1e6:.1f} MB",
                flush=True,
            )
    if http:
        from django.db import connections as all_connections

        all_connections.close_all()
        http_measures(workdir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clarifications", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--tips", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--postgres", metavar="DATABASE_URL", help="also run on PostgreSQL, in a throwaway schema")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the statistics (default 5)")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--body-chars", type=int, default=0, help="each clarification's body length (default 0)")
    parser.add_argument("--http", action="store_true", help="also through gunicorn, 16 parallel downloads (SQLite)")
    args = parser.parse_args()

    with throwaway.databases(args.postgres, schema=PG_SCHEMA, prefix="piyao-open-data-") as workdir:
        if not args.no_sqlite:
            run(
                "default",
                args.clarifications,
                args.tips,
                args.repeat,
                args.seed,
                body_chars=args.body_chars,
                http=args.http,
                workdir=workdir,
            )
        if args.postgres:
            with throwaway.fresh_schema("postgres", PG_SCHEMA):
                run("postgres", args.clarifications, args.tips, args.repeat, args.seed, body_chars=args.body_chars)


if __name__ == "__main__":
    main()
