"""Load benchmark: Piyao's pages against a hello-world Django app, under the same gunicorn settings.

    python benchmarks/http_bench.py [--clarifications 10000] [--rounds 5] [--duration 10] [--workers 2]

It builds a throwaway DATA_DIR with a SQLite database of realistic size, collects static files, and
starts two gunicorn servers from the repo's gunicorn.conf.py with production settings (DEBUG off):
the site, and the one-view app in benchmarks/hello/. wrk (Debian: ``apt-get install wrk``) then loads
each page for ``--duration`` seconds, hello world included in every round, the order rotating from
round to round. Reported: median requests per second and latency, the median of the per-round ratios
to hello world (the same round's conditions for both), and the peak resident memory of a worker.

Numbers depend on the machine and on whatever else runs on it; compare ratios, not absolute rates.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

# Run as a script from the repository, or imported by the tests as benchmarks.*.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.local_server import REPO, fetch, start_gunicorn, stop_gunicorn  # noqa: E402

SEARCH_WORDS = "疫苗"

# What is measured: (name, path). A page that does not answer 200 yet (the tip form before it
# exists) is skipped with a note instead of measured.
PAGES = [
    ("home", "/"),
    ("list", "/clarifications/"),
    ("detail", "{detail}"),
    ("search", f"/clarifications/?q={quote(SEARCH_WORDS)}"),
    ("tip form", "/tips/new/"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clarifications", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page and round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")
    arguments = parser.parse_args()

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed. On Debian or Ubuntu: apt-get install wrk")

    data_dir = Path(tempfile.mkdtemp(prefix="piyao-bench-"))
    servers = []
    try:
        environment = site_environment(data_dir, arguments.workers)
        print(f"Preparing {arguments.clarifications} clarifications in {data_dir} ...", flush=True)
        manage(environment, "migrate", "--noinput", "-v0")
        detail = run_python(environment, "generate", str(arguments.clarifications)).strip()
        manage(environment, "collectstatic", "--noinput", "-v0")

        site = Server("site", environment)
        hello = Server("hello", {**environment, "DJANGO_SETTINGS_MODULE": "benchmarks.hello.settings"})
        servers = [site, hello]
        for server in servers:
            server.start()

        targets = [("hello world", hello.url("/"))]
        notes = []
        for name, path in PAGES:
            url = site.url(path.format(detail=detail))
            status = fetch(url)[0]
            if status == 200:
                targets.append((name, url))
            else:
                notes.append(f"{name} ({path}) skipped: it answers {status}")

        results = measure(targets, arguments)
        report(results, servers, notes, arguments)
        if arguments.json:
            Path(arguments.json).write_text(json.dumps(summary(results, servers, notes, arguments), indent=2))
    finally:
        for server in servers:
            server.stop()
        if arguments.keep:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# --- The servers ---------------------------------------------------------------------------------


def site_environment(data_dir, workers):
    environment = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": os.devnull,
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(REPO),
        }
    )
    return environment


def manage(environment, *arguments):
    subprocess.run([sys.executable, "manage.py", *arguments], env=environment, cwd=REPO, check=True)  # noqa: S603


def run_python(environment, *arguments):
    return subprocess.run(  # noqa: S603
        [sys.executable, __file__, *arguments], env=environment, cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


class Server:
    """gunicorn with the repo's gunicorn.conf.py, and a sampler of its workers' memory."""

    def __init__(self, name, environment):
        self.name = name
        self.environment = environment
        self.process = None
        self.base_url = None
        self.peak_rss = {}
        self._stop = threading.Event()

    def url(self, path):
        return f"{self.base_url}{path}"

    def start(self):
        try:
            self.process, self.base_url = start_gunicorn(self.environment, ready_path="/")
        except RuntimeError as error:
            raise SystemExit(f"the {self.name} server did not start: {error}") from None
        threading.Thread(target=self._sample_memory, daemon=True).start()

    def _sample_memory(self):
        import psutil

        master = psutil.Process(self.process.pid)
        while not self._stop.is_set():
            try:
                for worker in master.children():
                    rss = worker.memory_info().rss
                    self.peak_rss[worker.pid] = max(rss, self.peak_rss.get(worker.pid, 0))
            except psutil.Error:
                pass
            time.sleep(0.5)

    def stop(self):
        self._stop.set()
        if self.process:
            stop_gunicorn(self.process)


# --- Load and report -----------------------------------------------------------------------------


def wrk(url, duration, arguments):
    command = [
        shutil.which("wrk"),
        f"-t{arguments.threads}",
        f"-c{arguments.connections}",
        f"-d{duration}s",
        "--latency",
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        percentile: to_milliseconds(value)
        for percentile, value in re.findall(r"^\s+(50|90|99)(?:\.000)?%\s+([\d.]+\w+)", output, re.MULTILINE)
    }
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": requests_per_second,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def to_milliseconds(value):
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def measure(targets, arguments):
    print(f"Warming up {len(targets)} targets ...", flush=True)
    for _, url in targets:
        wrk(url, 2, arguments)
    results = {name: [] for name, _ in targets}
    for number in range(arguments.rounds):
        # Rotate the order so that no page always runs right after another.
        order = targets[number % len(targets) :] + targets[: number % len(targets)]
        for name, url in order:
            results[name].append(wrk(url, arguments.duration, arguments))
        print(f"round {number + 1}/{arguments.rounds} done", flush=True)
    return results


def summary(results, servers, notes, arguments):
    reference = [run["rps"] for run in results["hello world"]]
    rows = {}
    for name, runs in results.items():
        rows[name] = {
            "rps_median": statistics.median(run["rps"] for run in runs),
            "ratio_median": statistics.median(run["rps"] / hello for run, hello in zip(runs, reference, strict=True)),
            "p50_ms_median": statistics.median(run["p50_ms"] for run in runs),
            "p99_ms_median": statistics.median(run["p99_ms"] for run in runs),
            "non_2xx": sum(run["non_2xx"] for run in runs),
            "rounds": runs,
        }
    return {
        "settings": vars(arguments),
        "pages": rows,
        "peak_rss_mb_per_worker": {
            server.name: round(max(server.peak_rss.values(), default=0) / 2**20, 1) for server in servers
        },
        "workers_seen": {server.name: len(server.peak_rss) for server in servers},
        "notes": notes,
    }


def report(results, servers, notes, arguments):
    data = summary(results, servers, notes, arguments)
    print()
    print(
        f"{arguments.clarifications} clarifications on SQLite, gunicorn {arguments.workers} sync workers per server, "
        f"wrk {arguments.threads} thread(s) x {arguments.connections} connections, "
        f"{arguments.rounds} rounds x {arguments.duration} s (medians)"
    )
    print(f"{'page':<12} {'req/s':>9} {'x hello':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, row in data["pages"].items():
        print(
            f"{name:<12} {row['rps_median']:>9.1f} {row['ratio_median']:>8.3f} "
            f"{row['p50_ms_median']:>8.1f} {row['p99_ms_median']:>8.1f} {row['non_2xx']:>8}"
        )
    memory = ", ".join(f"{name} {mb} MB" for name, mb in data["peak_rss_mb_per_worker"].items())
    print(f"peak RSS of a worker: {memory} (workers are recycled after max_requests)")
    for note in notes:
        print(f"note: {note}")


# --- Test data -----------------------------------------------------------------------------------

TOPICS = [
    ("公共卫生", "Public health"),
    ("交通出行", "Transport"),
    ("食品安全", "Food safety"),
    ("疫苗", "Vaccines"),
    ("天气灾害", "Weather and disasters"),
    ("教育", "Education"),
    ("社会保障", "Social security"),
    ("网络诈骗", "Online scams"),
    ("物价民生", "Prices and living costs"),
    ("城市建设", "Urban development"),
]
REGIONS = ["浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区"]
SUBJECTS_ZH = ["地铁2号线", "自来水", "学校", "医院", "菜价", "社保卡", "台风", "高架桥", "外卖平台", "疫苗接种点"]
CLAIMS_ZH = [
    "明天起停运一周",
    "全市停水三天",
    "下周全部停课",
    "不再接收病人",
    "将上涨一倍",
    "即将作废",
    "今晚登陆",
    "出现裂缝即将封闭",
]
SUBJECTS_EN = ["Metro line 2", "tap water", "schools", "hospitals", "vegetable prices", "the social security card"]
CLAIMS_EN = ["will close for a week", "is unsafe to drink", "will shut next week", "will double", "is being cancelled"]


def generate(count):
    """``count`` clarifications with topics and a source each, bulk-inserted; prints a detail URL."""
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from clarifications.models import Clarification, Notice, Source, Status, Topic, Verdict

    rng = random.Random(7)
    now = timezone.now()
    verdicts = [Verdict.FALSE] * 6 + [Verdict.MISLEADING] * 2 + [Verdict.PARTLY_FALSE, Verdict.UNPROVEN, Verdict.TRUE]
    with transaction.atomic():
        topics = [Topic.objects.create(name=name, name_en=name_en) for name, name_en in TOPICS]
        rows = []
        for number in range(count):
            english = rng.random() < 0.2
            if english:
                subject, claim = rng.choice(SUBJECTS_EN), rng.choice(CLAIMS_EN)
                title = f"No, {subject} {claim} (#{number})"
                truth = f"The claim that {subject} {claim} is false; the authorities confirmed normal service."
                body = f"We checked with the authorities.\n\n**{subject}**: no change is planned. Vaccine rumors aside."
            else:
                subject, claim = rng.choice(SUBJECTS_ZH), rng.choice(CLAIMS_ZH)
                title = f"网传{subject}{claim}不实（{number}）"
                truth = f"经核实，{subject}{claim}的说法不实，相关部门表示一切正常。"
                body = f"经向有关部门核实，**{subject}**运行正常。" + (
                    "近期关于疫苗的传言同样不实。" if number % 50 == 0 else ""
                )
            rand = rng.random()
            status = Status.PUBLISHED if rand < 0.95 else Status.DRAFT if rand < 0.98 else Status.WITHDRAWN
            rows.append(
                Clarification(
                    title=title,
                    claim=f"紧急通知！{subject}{claim}，请转发给家人。"
                    if not english
                    else f"URGENT: {subject} {claim}!",
                    verdict=rng.choice(verdicts),
                    truth=truth,
                    body=body,
                    authority_name="市互联网信息办公室",
                    region=rng.choice(REGIONS),
                    language="en" if english else "zh-hans",
                    status=status,
                    published_at=None
                    if status == Status.DRAFT
                    else now - timedelta(days=rng.randint(1, 1000), minutes=rng.randint(0, 1440)),
                    withdrawal_note="新的证据表明原结论有误。" if status == Status.WITHDRAWN else "",
                )
            )
        created = Clarification.objects.bulk_create(rows, batch_size=1000)
        through = Clarification.topics.through
        links = []
        for clarification in created:
            for topic in rng.sample(topics, rng.randint(1, 2)):
                links.append(through(clarification_id=clarification.pk, topic_id=topic.pk))
        through.objects.bulk_create(links, batch_size=5000)
        Source.objects.bulk_create(
            [
                Source(clarification=clarification, title="相关部门的说明", url="https://example.gov.cn/notice")
                for clarification in created
            ],
            batch_size=2000,
        )
        Notice.objects.bulk_create(
            [
                Notice(title=f"通告{number}", body="请广大网民自觉抵制网络谣言。", is_published=True)
                for number in range(20)
            ]
        )
    middle = Clarification.objects.published().order_by("pk")[count // 2]
    print(middle.get_absolute_url())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "generate":
        generate(int(sys.argv[2]))
    else:
        main()
