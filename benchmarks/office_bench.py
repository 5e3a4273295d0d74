"""The office's aggregates at scale: rumor heat, the charts and the "most asked" ranking.

Generates N clarifications (default 100,000, over three years, 95% public), rumor groups and M
reports (default 1,000,000 tips over two years: each rumor is reported in a burst around the day it
appeared, a few rumors very often, most a few times; 60% of the groups answered by a clarification),
and 60 days of per-day view counts, with bulk inserts into throwaway databases; then times each
aggregate query the admin and the public pages run, as they run it:

    python benchmarks/office_bench.py                          # SQLite only
    python benchmarks/office_bench.py --postgres postgres://user@127.0.0.1:5432/your_db

SQLite goes to a file in a temporary folder, deleted at the end. PostgreSQL: the database named by
``--postgres`` is used only inside a schema of its own (``piyao_office_bench``), dropped at the end.
Use a database you own, never a shared test database. Target: every query under 200 ms.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from benchmarks import throwaway  # noqa: E402 (needs the repository on the path)
from benchmarks.measure import percentile, timed  # noqa: E402

PG_SCHEMA = "piyao_office_bench"
BATCH = 5000
TARGET_MS = 200
VIEW_DAYS = 60
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PLATFORMS = ["wechat_group", "wechat_group", "wechat_group", "wechat_article", "weibo", "douyin", "other"]
VERDICTS = ["false"] * 6 + ["misleading"] * 2 + ["partly_false", "unproven", "true"]


class Target:
    """A database router sending every query to the database being measured."""

    alias = "default"

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias


def code(number):
    chars = []
    for _ in range(8):
        number, digit = divmod(number, 32)
        chars.append(CODE_ALPHABET[digit])
    return f"T-{''.join(chars[:4])}-{''.join(chars[4:])}"


def bulk(model, rows):
    """Insert model instances in batches (ids are read back where needed)."""
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH], batch_size=BATCH)


def insert_raw(model, rows):
    """Insert a million rows fast: ``rows`` are dicts of some fields' attnames, the others take their
    defaults. PostgreSQL gets them by COPY, SQLite by executemany (the ORM would take minutes)."""
    from django.db import connections, router, transaction

    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row.get(field.attname, defaults[field.attname]) for field in fields])
            return
        adapt = {
            field.attname: connection.ops.adapt_datetimefield_value
            for field in fields
            if field.get_internal_type() == "DateTimeField"
        }
        placeholders = ", ".join(["%s"] * len(fields))
        batch = []
        for row in rows:
            values = []
            for field in fields:
                value = row.get(field.attname, defaults[field.attname])
                values.append(adapt[field.attname](value) if field.attname in adapt and value else value)
            batch.append(values)
            if len(batch) >= 50_000:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)  # noqa: S608
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)  # noqa: S608


def generate(count, reports, seed, now):
    from django.utils import timezone

    from clarifications.models import Clarification, DailyViews, Topic
    from tips.models import Rumor, Tip

    rng = random.Random(seed)
    topics = [Topic(name=f"话题{number}", name_en=f"Topic {number}", slug=f"topic-{number}") for number in range(30)]
    bulk(Topic, topics)
    topic_ids = list(Topic.objects.values_list("pk", flat=True))

    def clarifications():
        for number in range(count):
            public = rng.random() < 0.95
            yield {
                "title": f"网传消息{number}不实",
                "claim": f"网传消息{number}",
                "truth": "经核实，该消息不实。",
                "verdict": rng.choice(VERDICTS),
                "claim_platform": rng.choice(PLATFORMS),
                "status": "published" if public else "draft",
                "published_at": now - timedelta(days=rng.random() * 3 * 365) if public else None,
                "external_id": f"bench-{number}",
                "created_at": now,
                "modified_at": now,
            }

    insert_raw(Clarification, clarifications())
    published = list(
        Clarification.objects.filter(status="published").order_by("published_at").values_list("pk", "published_at")
    )
    insert_raw(
        Clarification.topics.through,
        (
            {"clarification_id": pk, "topic_id": topic_id}
            for pk, _published_at in published
            for topic_id in rng.sample(topic_ids, rng.choice([1, 1, 2, 3]))
        ),
    )

    # Rumor groups: reports per group follow a Zipf-like law (a few hundreds, most a handful).
    groups = max(1, reports // 10)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(groups)]
    scale = reports / sum(weights)
    sizes = [max(1, round(weight * scale)) for weight in weights]
    for _ in range(reports - sum(sizes)):  # rounding left a few over: to random groups
        sizes[rng.randrange(groups)] += 1
    rng.shuffle(sizes)
    insert_raw(Rumor, ({"label": f"传言{number}", "created_at": now} for number in range(groups)))
    rumor_ids = list(Rumor.objects.order_by("pk").values_list("pk", flat=True))

    def tips():
        made = 0
        for rumor_id, size in zip(rumor_ids, sizes, strict=True):
            appeared = now - timedelta(days=rng.random() * 730)
            answer = rng.choice(published)[0] if rng.random() < 0.6 else None
            for position in range(size):
                if made >= reports:
                    return
                # A burst: most reports in the first days after the rumor appeared.
                at = min(now, appeared + timedelta(days=rng.expovariate(1 / 2.5)))
                answered = answer is not None and position == 0
                yield {
                    "code": code(made),
                    "text": f"传言{rumor_id}",
                    "platform": rng.choice(PLATFORMS),
                    "rumor_id": rumor_id,
                    "status": "answered" if answered else rng.choice(["new", "reviewing", "not_actionable"]),
                    "clarification_id": answer if answered else None,
                    "client_hash": "0" * 64,
                    "submitted_at": at,
                }
                made += 1

    insert_raw(Tip, tips())
    # What the site keeps with each group as its reports arrive (the queue's counts and heat key).
    from tips.casework import rumors

    rumors.recount(rumor_ids)

    # Views: each day 10,000 clarifications read, mostly recent ones, a few very often; VIEW_DAYS days
    # of them, so that the ranking's week is a part of the table, as it is on a site that has run a while.
    today = timezone.localdate(now)
    candidates = [pk for pk, _at in published[-20000:]] + [
        pk for pk, _at in rng.sample(published, min(10000, len(published)))
    ]
    insert_raw(
        DailyViews,
        (
            {"clarification_id": pk, "day": today - timedelta(days=day), "views": 1 + int(rng.paretovariate(1.2))}
            for day in range(VIEW_DAYS)
            for pk in set(rng.sample(candidates, min(10000, len(candidates))))
        ),
    )
    return Tip.objects.count()


def queries(now):
    from tips.analytics import heat, popularity, trends
    from tips.models import Rumor

    every = heat.hottest_first(Rumor.objects.all())
    recent = heat.recently_reported(every, now=now)
    hottest = recent.first()

    def triage_queue(queue):
        """What the admin's list runs: the count, a page of 100 with their heat, the reports of those rumors."""
        page = list(queue[:100])
        shown = [heat.heat_of(rumor, now=now) for rumor in page]
        return queue.count(), shown, heat.rumor_heats([rumor.pk for rumor in page], now=now)

    return [
        ("rumor queue (reported in 30 days) by heat, page of 100", lambda: triage_queue(recent)),
        ("rumor queue, accelerating only", lambda: triage_queue(heat.accelerating(every, now=now))),
        ("rumor queue, every group ever reported, by heat", lambda: triage_queue(every)),
        ("one rumor: heat, counts, first/latest", lambda: heat.rumor_heat(hottest, now=now)),
        ("one rumor: reports per day, 90 days", lambda: heat.daily_reports(days=90, rumor=hottest, now=now)),
        ("all reports per day, 30 days", lambda: heat.daily_reports(days=30, now=now)),
        ("all reports per day, 90 days", lambda: heat.daily_reports(days=90, now=now)),
        ("clarifications per week, 26 weeks", lambda: trends.clarifications_per_week(now=now)),
        ("most asked this week (top 20)", lambda: popularity.most_asked(20, now=now)),
    ]


def run(alias, count, reports, repeat, seed):
    from django.core.management import call_command
    from django.db import connections, router

    Target.alias = alias
    if not any(isinstance(existing, Target) for existing in router.routers):
        router.routers.insert(0, Target())
    vendor = connections[alias].vendor
    print(f"\n== {vendor}: {count:,} clarifications, {reports:,} reports", flush=True)
    call_command("migrate", database=alias, verbosity=0)
    now = datetime.now(UTC).replace(microsecond=0)
    elapsed, made = timed(generate, count, reports, seed, now)
    print(f"generated and inserted {made:,} reports in {elapsed / 1000:.1f} s", flush=True)
    with connections[alias].cursor() as cursor:
        # As autovacuum would have by then: statistics, and PostgreSQL's visibility map (index-only scans).
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs", flush=True)
    # On a shared machine the wall time includes waiting for a CPU; "cpu" is this process's own time,
    # which on SQLite (run inside the process) is the query's cost without that wait.
    print(f"{'query':<58} {'p50':>8} {'p95':>8} {'cpu p50':>8}")
    worst = 0.0
    for name, query in queries(now):
        query()  # warm the caches once
        times, cpu = [], []
        for _ in range(repeat):
            started = time.process_time()
            times.append(timed(query)[0])
            cpu.append((time.process_time() - started) * 1000)
        worst = max(worst, statistics.median(times))
        mark = "" if statistics.median(times) < TARGET_MS else "  over target"
        print(
            f"{name:<58} {statistics.median(times):>6.1f}ms {percentile(times, 0.95):>6.1f}ms "
            f"{statistics.median(cpu):>6.1f}ms{mark}",
            flush=True,
        )
    print(f"ALL {vendor}: slowest median {worst:.1f} ms (target {TARGET_MS} ms)", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="clarifications (default 100,000)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports (default 1,000,000)")
    parser.add_argument("--postgres", metavar="DATABASE_URL", help="also run on PostgreSQL, in a throwaway schema")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs of each query (default 10)")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()

    with throwaway.databases(args.postgres, schema=PG_SCHEMA, prefix="piyao-office-bench-"):
        if not args.no_sqlite:
            run("default", args.count, args.reports, args.repeat, args.seed)
        if args.postgres:
            with throwaway.fresh_schema("postgres", PG_SCHEMA):
                run("postgres", args.count, args.reports, args.repeat, args.seed)


if __name__ == "__main__":
    main()
