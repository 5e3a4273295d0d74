"""The WeChat channel under load: every message answered well within WeChat's 5 seconds, retries create nothing.

Starts gunicorn (production settings, a fresh SQLite database with the demo content) and plays
WeChat: signed XML messages from many threads at once, a third quoting a published demo claim (a strong
match, answered with the clarification), a third unknown claims (each a new tip), a third pictures
(a tip each; the picture itself is fetched later and not here). Every other message is sent twice at
the same moment, as WeChat's retry of a slow answer would be. Prints one line:

    sent 300 (100 retries), answered 300, errors 0, matched 67 of 67, tips 133 (expected 133), retries answered
    alike 100 of 100, reply p50 ... ms, p95 ... ms, max ... ms, ... s in all, 4 gunicorn workers, 16 threads, SQLite

Usage: python benchmarks/wechat_flood.py [--messages 200] [--threads 16] [--workers 4] [--database-url URL]

With ``--database-url`` (PostgreSQL) the site uses that database instead of SQLite: give it an empty
database of its own, which it migrates and fills with the demo content.
"""

import argparse
import concurrent.futures
import hashlib
import json
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.measure import percentile
from tests.servers import REPO, prepare, site_environment, start_gunicorn, stop_gunicorn

TOKEN = secrets.token_urlsafe(16)  # the token shared with "WeChat", new each run
ACCOUNT = "gh_bench"


def demo_claims():
    """The claims of the demo clarifications the public can see (published, not scheduled)."""
    lines = (REPO / "clarifications" / "demo" / "clarifications.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    now = datetime.now(UTC)
    return [
        record["claim"]
        for record in records
        if record.get("status") == "published" and datetime.fromisoformat(record["published_at"]) <= now
    ]


def message_body(number, kind, claims):
    openid = f"obench{number:06d}"
    common = (
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgId>{9_000_000_000 + number}</MsgId>"
    )
    if kind == "match":
        content = "【转发】" + claims[number % len(claims)]
        return f"<xml>{common}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content></xml>"
    if kind == "unknown":
        content = f"网传第{number}号公交线路明天起永久取消，站牌全部拆除，编号{secrets.token_hex(3)}"
        return f"<xml>{common}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content></xml>"
    picture = f"http://mmbiz.qpic.cn/mmbiz_jpg/bench{number}/0"
    return (
        f"<xml>{common}<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[{picture}]]></PicUrl>"
        f"<MediaId><![CDATA[media{number}]]></MediaId></xml>"
    )


def signed_url(base_url):
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    return f"{base_url}/wechat/?{urlencode({'signature': signature, 'timestamp': timestamp, 'nonce': nonce})}"


def send(base_url, body):
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        signed_url(base_url), data=body.encode(), headers={"Content-Type": "text/xml"}, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            text = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        text, status = error.read().decode(), error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        text, status = str(error), None
    return status, text, (time.perf_counter() - started) * 1000


def count_wechat_tips(data_dir, database_url):
    query = "SELECT COUNT(*) FROM tips_tip WHERE channel = 'wechat'"
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as db:
            return db.execute(query).fetchone()[0]
    with sqlite3.connect(Path(data_dir) / "db.sqlite3") as db:
        return db.execute(query).fetchone()[0]


def run(*, messages=200, threads=16, workers=4, data_dir=None, database_url=""):
    own_dir = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="piyao-wechat-")
    env = site_environment(
        data_dir,
        TIPS_RATE="100000/1m",
        WEB_CONCURRENCY=str(workers),
        LOG_LEVEL="WARNING",
        WECHAT_TOKEN=TOKEN,
        WECHAT_ACCOUNT_ID=ACCOUNT,
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    prepare(data_dir, env)
    subprocess.run(  # noqa: S603 (this repository's command)
        [sys.executable, str(REPO / "manage.py"), "load_demo", "--if-empty", "-v0"], cwd=REPO, env=env, check=True
    )
    before = count_wechat_tips(data_dir, database_url)
    claims = demo_claims()
    kinds = ["match", "unknown", "image"]
    plan = [(number, kinds[number % 3]) for number in range(messages)]
    # Every other message twice, side by side: WeChat's retry arriving while the first is answered.
    sends = [item for item in plan for _copy in range(2 if item[0] % 2 else 1)]
    process, base_url = start_gunicorn(env, log_path=Path(data_dir) / "gunicorn.log")
    try:
        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            outcomes = list(
                pool.map(lambda item: (item, send(base_url, message_body(item[0], item[1], claims))), sends)
            )
        elapsed = time.monotonic() - started
    finally:
        stop_gunicorn(process)
    tips = count_wechat_tips(data_dir, database_url) - before
    replies = {}
    for (number, _kind), (_status, text, _ms) in outcomes:
        replies.setdefault(number, set()).add(re.sub(r"<CreateTime>\d+</CreateTime>", "", text))
    times = [ms for _item, (status, _text, ms) in outcomes if status == 200]
    figures = {
        "sent": len(sends),
        "retries": len(sends) - messages,
        "answered": sum(status == 200 for _item, (status, _text, _ms) in outcomes),
        "errors": sum(status != 200 for _item, (status, _text, _ms) in outcomes),
        "matched": sum(kind == "match" and "/clarifications/" in next(iter(replies[number])) for number, kind in plan),
        "expected_matched": sum(kind == "match" for _number, kind in plan),
        "tips": tips,
        "expected_tips": sum(kind != "match" for _number, kind in plan),
        "retries_answered_alike": sum(len(answers) == 1 for number, answers in replies.items() if number % 2),
        "p50_ms": round(percentile(times, 0.5)) if times else None,
        "p95_ms": round(percentile(times, 0.95)) if times else None,
        "max_ms": round(max(times)) if times else None,
        "seconds": round(elapsed, 2),
        "workers": workers,
        "threads": threads,
        "database": "PostgreSQL" if database_url else "SQLite",
    }
    if own_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database of its own (default: SQLite)")
    args = parser.parse_args()
    figures = run(messages=args.messages, threads=args.threads, workers=args.workers, database_url=args.database_url)
    print(
        "sent {sent} ({retries} retries), answered {answered}, errors {errors}, matched {matched} of "
        "{expected_matched}, tips {tips} (expected {expected_tips}), retries answered alike "
        "{retries_answered_alike} of {retries}, reply p50 {p50_ms} ms, p95 {p95_ms} ms, max {max_ms} ms, "
        "{seconds} s in all, {workers} gunicorn workers, {threads} threads, {database}".format(**figures)
    )
    ok = figures["errors"] == 0 and figures["tips"] == figures["expected_tips"]
    return 0 if ok and figures["retries_answered_alike"] == figures["retries"] else 1


if __name__ == "__main__":
    sys.exit(main())
