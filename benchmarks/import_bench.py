"""Import benchmark: ``manage.py import_clarifications`` on a generated archive, SQLite and PostgreSQL.

    python benchmarks/import_bench.py [--records 10000 100000] [--postgres postgres://.../empty_db]
    python benchmarks/import_bench.py --write archive.jsonl --records 100000   # only the file

It writes an archive of realistic clarifications (both languages, two to four topics among 40, one to
three sources, updates on one in five, a body of a few paragraphs; 95 in 100 with an ``external_id``),
then imports it with the command into a fresh SQLite ``DATA_DIR``, and with ``--postgres`` into the
given empty PostgreSQL database (emptied again afterwards), each in a process of its own, and prints
records a second (the command's own summary, timed from the start of the import to its last batch)
and records per second of the command's processor time (what a core of its own would give).
"""

import argparse
import json
import os
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import REPO

SUBJECTS_ZH = ["地铁2号线", "自来水", "学校", "医院", "菜价", "社保卡", "台风", "高架桥", "外卖平台", "疫苗接种点"]
CLAIMS_ZH = ["明天起停运一周", "全市停水三天", "下周全部停课", "不再接收病人", "将上涨一倍", "即将作废", "今晚登陆"]
SUBJECTS_EN = ["Metro line 2", "tap water", "schools", "hospitals", "vegetable prices", "the social security card"]
CLAIMS_EN = ["will close for a week", "is unsafe to drink", "will shut next week", "will double", "is being cancelled"]
REGIONS = ["浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区"]
TOPICS = [f"话题{number}" for number in range(30)] + [f"Topic {number}" for number in range(10)]


def write_archive(path, count, seed=11):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(count):
            english = rng.random() < 0.2
            if english:
                subject, claim = rng.choice(SUBJECTS_EN), rng.choice(CLAIMS_EN)
                title, claim_text = f"No, {subject} {claim} ({number})", f"URGENT: {subject} {claim}! Please share."
                truth = f"The claim that {subject} {claim} is false; the authorities confirmed normal service."
                body = "\n\n".join(f"We checked with the authorities about {subject} ({part})." for part in range(4))
            else:
                subject, claim = rng.choice(SUBJECTS_ZH), rng.choice(CLAIMS_ZH)
                title, claim_text = (
                    f"网传{subject}{claim}不实（{number}）",
                    f"紧急通知！{subject}{claim}，请转发给家人。",
                )
                truth = f"经核实，{subject}{claim}的说法不实，相关部门表示一切正常。"
                body = "\n\n".join(f"经向有关部门核实，**{subject}**运行正常（{part}）。" for part in range(4))
            year, month, day = 2019 + number % 6, 1 + number % 12, 1 + number % 28
            record = {
                "title": title,
                "claim": claim_text,
                "verdict": rng.choice(["false"] * 6 + ["misleading", "partly_false", "unproven", "true"]),
                "truth": truth,
                "body": body,
                "language": "en" if english else "zh-hans",
                "topics": rng.sample(TOPICS, rng.randint(2, 4)),
                "region": rng.choice(REGIONS),
                "authority": {"name": "市互联网信息办公室", "url": "https://www.example.gov.cn/"},
                "sources": [
                    {
                        "title": f"相关部门的说明 {part}",
                        "url": f"https://www.example.gov.cn/notice/{number}/{part}",
                        "publisher": "市政府",
                        "date": f"{year}-{month:02d}-{day:02d}",
                    }
                    for part in range(rng.randint(1, 3))
                ],
                "status": "published" if rng.random() < 0.95 else "draft",
                "claim_seen_on": f"{year}-{month:02d}-{day:02d}",
                "claim_platform": rng.choice(["wechat_group", "wechat_article", "weibo", "douyin", "other"]),
            }
            record["published_at"] = (
                f"{year}-{month:02d}-{day:02d}T10:00:00+08:00" if record["status"] == "published" else None
            )
            if rng.random() < 0.95:
                record["external_id"] = f"old-{number}"
            if rng.random() < 0.2:
                record["updates"] = [{"date": f"{year}-{month:02d}-{day:02d}T18:00:00+08:00", "note": "补充了来源。"}]
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")


def environment(data_dir, database_url=None):
    variables = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    variables.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATA_DIR=str(data_dir),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        LOG_LEVEL="WARNING",
    )
    if database_url:
        variables["DATABASE_URL"] = database_url
    return variables


def manage(variables, *arguments):
    return subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(REPO / "manage.py"), *arguments],
        cwd=REPO,
        env=variables,
        check=True,
        capture_output=True,
        text=True,
    )


def empty_postgres(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        return tables


def drop_postgres(url):
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def measure(archive, count, database_url, root):
    data_dir = Path(tempfile.mkdtemp(prefix="import-", dir=root))
    variables = environment(data_dir, database_url)
    manage(variables, "migrate", "--noinput", "-v0")
    started, cpu = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
    output = manage(variables, "import_clarifications", str(archive)).stdout
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    summary = output.strip().splitlines()[-1]
    rate = re.search(r"([\d,]+) records a second", summary)
    if database_url:
        drop_postgres(database_url)
    return {
        "records": count,
        "database": "PostgreSQL" if database_url else "SQLite",
        "seconds_with_start_up": round(seconds, 1),
        "records_per_second": int(rate.group(1).replace(",", "")) if rate else None,
        # The command's own processor time (start-up included): what the rate would be on a core of its
        # own, which a shared machine's wall clock does not show (PostgreSQL's share is not in it).
        "records_per_cpu_second": round(count / cpu_seconds) if cpu_seconds else None,
        "summary": summary,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgres", help="an EMPTY PostgreSQL database (emptied again after each run)")
    parser.add_argument("--write", help="only write the archive of --records[0] records to this file")
    parser.add_argument("--json", help="also write the results to this file")
    arguments = parser.parse_args()
    if arguments.write:
        write_archive(arguments.write, arguments.records[0])
        return
    if arguments.postgres and empty_postgres(arguments.postgres):
        sys.exit("--postgres must name an empty database.")
    root = Path(tempfile.mkdtemp(prefix="piyao-import-bench-"))
    results = []
    try:
        for count in arguments.records:
            archive = root / f"archive-{count}.jsonl"
            write_archive(archive, count)
            for database_url in [None] + ([arguments.postgres] if arguments.postgres else []):
                result = measure(archive, count, database_url, root)
                results.append(result)
                print(
                    f"{result['records']:>7} records, {result['database']:<10}: "
                    f"{result['records_per_second']:>6,} records a second, "
                    f"{result['records_per_cpu_second']:>6,} per second of the command's processor time "
                    f"({result['seconds_with_start_up']} s with start-up) | {result['summary']}",
                    flush=True,
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
