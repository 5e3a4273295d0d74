"""Load benchmark: Piyao's pages against a hello-world Django app, under the same gunicorn settings.

    python benchmarks/http_bench.py [--clarifications 10000] [--rounds 5] [--duration 4] [--workers 2]
                                    [--connections 32] [--modes direct,nginx,nginx-cache]
                                    [--database-url postgres://.../empty_db --redis-url redis://.../9]

It builds a throwaway DATA_DIR with a SQLite database of realistic size (or fills the given empty
PostgreSQL database, and uses the given empty Redis database as the cache; both are emptied again at
the end), collects static files, and starts two gunicorn servers from the repo's gunicorn.conf.py with
the shipped production settings behind a TLS proxy (DEBUG off, HTTPS, TRUST_PROXY_SSL_HEADER,
TRUSTED_PROXY_COUNT=1, the default access log and log level): the site, and the one-view app in
benchmarks/hello/. Both get the same workers, threads, worker class and logging. wrk (Debian:
``apt-get install wrk``) then loads each page for ``--duration`` seconds as a browser asks for it
(``Accept-Encoding: gzip, br``), right after hello world each time, in several rounds, the order
rotating from round to round. Each mode is a way in:

- ``direct``: wrk talks to gunicorn and sends what the proxy would add (``X-Forwarded-Proto``,
  ``X-Forwarded-For``);
- ``nginx``: through deploy/nginx.conf (TLS, buffering, its access log) without its optional page
  cache, so that every request reaches gunicorn; hello world behind an identical nginx;
- ``nginx-cache``: the same with the shipped one-second page cache, which answers most requests for a
  public page itself.

Reported per mode: median requests per second and latency, the median and the range over rounds of
the page's throughput divided by hello world's just before it (the same moment's conditions for both),
how connections were spread over the site's workers, then the peak resident memory of a worker and how
long after a publish's commit the old page was still served by some worker (four clients asking all
the time).

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
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

# Run as a script from the repository, or imported by the tests as benchmarks.*.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import (
    NGINX,
    REPO,
    NginxProxy,
    publish_delay,
    rename_clarification,
    start_gunicorn,
    stop_gunicorn,
)

SEARCH_WORDS = "疫苗"
BROWSER_HEADERS = {"Accept-Encoding": "gzip, br"}
# What a TLS proxy adds (TRUSTED_PROXY_COUNT=1): in the direct mode wrk sends it itself.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
PUBLISHES = 3
MODES = ["direct", "nginx", "nginx-cache"]

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
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per page and round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, among {', '.join(MODES)}")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to fill (emptied again at the end)")
    parser.add_argument("--redis-url", help="an EMPTY Redis database to use as the cache (emptied at the end)")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary DATA_DIR")
    arguments = parser.parse_args()
    modes = [mode.strip() for mode in arguments.modes.split(",") if mode.strip()]
    if unknown := set(modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")

    if not shutil.which("wrk"):
        sys.exit("wrk is not installed. On Debian or Ubuntu: apt-get install wrk")
    if any(mode.startswith("nginx") for mode in modes) and not (NGINX and shutil.which("openssl")):
        sys.exit("nginx and openssl are needed for the nginx modes (Debian: apt-get install nginx openssl).")

    data_dir = Path(tempfile.mkdtemp(prefix="piyao-bench-"))
    stores = Stores(arguments.database_url, arguments.redis_url)
    stores.check_empty()
    servers, proxies, results = [], [], {}
    try:
        environment = site_environment(data_dir, arguments.workers, stores)
        print(f"Preparing {arguments.clarifications} clarifications on {stores.description} ...", flush=True)
        manage(environment, "migrate", "--noinput", "-v0")
        detail, external_id, title = run_python(environment, "generate", str(arguments.clarifications)).split("\t")
        title = title.strip()
        manage(environment, "collectstatic", "--noinput", "-v0")

        site = Server("site", environment)
        hello = Server("hello", {**environment, "DJANGO_SETTINGS_MODULE": "benchmarks.hello.settings"})
        servers = [site, hello]
        for server in servers:
            server.start()

        notes = []
        for mode in modes:
            proxies = []
            if mode == "direct":
                site_base, hello_base, headers = site.base_url, hello.base_url, {**BROWSER_HEADERS, **PROXY_HEADERS}
            else:
                proxies = [proxy(server, data_dir, mode) for server in servers]
                site_base, hello_base, headers = proxies[0].https, proxies[1].https, BROWSER_HEADERS
            pages = []
            for name, path in PAGES:
                url = site_base + path.format(detail=detail)
                status = fetch_status(url, headers, proxies[0] if proxies else None)
                if status == 200:
                    pages.append((name, url))
                elif mode == modes[0]:
                    notes.append(f"{name} ({path}) skipped: it answers {status}")
            print(f"== {mode}", flush=True)
            results[mode] = measure(pages, hello_base + "/", headers, site, arguments)
            for running in proxies:
                running.stop()
            proxies = []

        delays = measure_publishes(site.url(detail), environment, external_id, title)
        data = summary(results, servers, notes, arguments, stores, delays)
        report(data)
        report_in_process(environment, hello.environment, ["/", "/clarifications/", detail])
        if arguments.json:
            Path(arguments.json).write_text(json.dumps(data, indent=2, ensure_ascii=False))
    finally:
        for running in proxies:
            running.stop()
        for server in servers:
            server.stop()
        stores.empty()
        if arguments.keep:
            print(f"Data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


# --- The servers ---------------------------------------------------------------------------------


class Stores:
    """SQLite in the throwaway DATA_DIR, or the given empty PostgreSQL and Redis databases."""

    def __init__(self, database_url, redis_url):
        self.database_url, self.redis_url = database_url, redis_url
        names = ["PostgreSQL" if database_url else "SQLite", "Redis cache" if redis_url else "local-memory cache"]
        self.description = " + ".join(names)

    def check_empty(self):
        if self.database_url:
            with self._postgres() as connection:
                tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
            if tables:
                sys.exit(f"--database-url must name an empty database; it has {tables} tables.")
        if self.redis_url and self._redis().dbsize():
            sys.exit("--redis-url must name an empty Redis database.")

    def empty(self):
        if self.database_url:
            with self._postgres() as connection:
                connection.execute("DROP SCHEMA public CASCADE")
                connection.execute("CREATE SCHEMA public")
        if self.redis_url:
            self._redis().flushdb()

    def _postgres(self):
        import psycopg

        return psycopg.connect(self.database_url, autocommit=True)

    def _redis(self):
        import redis

        return redis.Redis.from_url(self.redis_url)


def site_environment(data_dir, workers, stores):
    """Production settings as deployed behind one TLS proxy; everything else as shipped."""
    dropped = ("DATABASE_URL", "REDIS_URL", "DEBUG", "GUNICORN_ACCESS_LOG", "LOG_LEVEL", "GUNICORN_THREADS")
    environment = {key: value for key, value in os.environ.items() if key not in dropped}
    if stores.database_url:
        environment["DATABASE_URL"] = stores.database_url
    if stores.redis_url:
        environment["REDIS_URL"] = stores.redis_url
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATA_DIR": str(data_dir),
            "DEBUG": "false",
            "HTTPS": "true",
            "TRUST_PROXY_SSL_HEADER": "true",
            "TRUSTED_PROXY_COUNT": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WEB_CONCURRENCY": str(workers),
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


def proxy(server, data_dir, mode):
    """An nginx of deploy/nginx.conf in front of ``server``, in a folder of its own."""
    root = Path(tempfile.mkdtemp(prefix=f"nginx-{server.name}-", dir=data_dir))
    address = server.base_url.removeprefix("http://")
    nginx = NginxProxy(root, upstreams=[address], data_dir=data_dir, page_cache=mode == "nginx-cache", processes="auto")
    return nginx.start(ready_path="/")


def fetch_status(url, headers, through=None):
    if through is not None:
        return through.get(url, headers=headers)[0]
    import urllib.request

    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Server:
    """gunicorn with the repo's gunicorn.conf.py, and a sampler of its workers' memory."""

    def __init__(self, name, environment):
        self.name = name
        self.environment = environment
        self.process = None
        self.base_url = None
        self.peak_rss = {}
        self.peak_uss = {}
        self.peak_pss = {}
        self.peak_file_map = {}
        self._stop = threading.Event()

    def url(self, path):
        return f"{self.base_url}{path}"

    @property
    def port(self):
        return int(self.base_url.rsplit(":", 1)[1])

    def start(self):
        try:
            # Straight to gunicorn, as the proxy asks (its plain-HTTP requests are taken for HTTPS).
            self.process, self.base_url = start_gunicorn(
                self.environment, ready_path="/healthz" if self.name == "site" else "/"
            )
        except RuntimeError as error:
            raise SystemExit(f"the {self.name} server did not start: {error}") from None
        threading.Thread(target=self._sample_memory, daemon=True).start()

    def _sample_memory(self):
        import psutil

        master = psutil.Process(self.process.pid)
        while not self._stop.is_set():
            try:
                for worker in master.children():
                    # RSS counts the pages a worker still shares with the master (preload_app); USS
                    # is what the worker alone adds, the memory one more worker costs; PSS divides
                    # each shared page among the processes that share it (their sum is the total).
                    memory = worker.memory_full_info()
                    self.peak_rss[worker.pid] = max(memory.rss, self.peak_rss.get(worker.pid, 0))
                    self.peak_uss[worker.pid] = max(memory.uss, self.peak_uss.get(worker.pid, 0))
                    self.peak_pss[worker.pid] = max(memory.pss, self.peak_pss.get(worker.pid, 0))
                    mapped = database_file_rss(worker.pid)
                    self.peak_file_map[worker.pid] = max(mapped, self.peak_file_map.get(worker.pid, 0))
            except psutil.Error:
                pass
            time.sleep(0.5)

    def connections_per_worker(self):
        """How many established connections each worker holds on the server's port, largest first."""
        if not shutil.which("ss"):
            return []
        output = subprocess.run(  # noqa: S603
            [shutil.which("ss"), "-tnpH", "state", "established", f"( sport = :{self.port} )"],
            capture_output=True,
            text=True,
        ).stdout
        return sorted(Counter(re.findall(r"pid=(\d+)", output)).values(), reverse=True)

    def stop(self):
        self._stop.set()
        if self.process:
            stop_gunicorn(self.process)


def database_file_rss(pid):
    """Bytes of the SQLite database file a worker has memory-mapped (``PRAGMA mmap_size``) and read:
    counted in its RSS, yet they are the operating system's page cache of the file, one copy shared by
    every worker and process that reads it, not memory the worker holds."""
    total, in_database = 0, False
    try:
        with open(f"/proc/{pid}/smaps") as smaps:
            for line in smaps:
                fields = line.split()
                if "-" in fields[0] and len(fields) >= 5:  # a mapping's header line: its file is the last field
                    in_database = fields[-1].endswith(".sqlite3")
                elif in_database and fields[0] == "Rss:":
                    total += int(fields[1]) * 1024
    except OSError:
        return 0
    return total


# --- Load and report -----------------------------------------------------------------------------


def wrk(url, duration, arguments, headers, *, watch=None):
    """One wrk run; ``watch`` (a Server) has its connections per worker sampled halfway through."""
    command = [
        shutil.which("wrk"),
        f"-t{arguments.threads}",
        f"-c{arguments.connections}",
        f"-d{duration}s",
        "--latency",
        *[argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")],
        url,
    ]
    spread = []
    sampler = None
    if watch is not None:
        sampler = threading.Timer(duration / 2, lambda: spread.extend(watch.connections_per_worker()))
        sampler.start()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    if sampler is not None:
        sampler.join()
    requests_per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {
        percentile: to_milliseconds(value)
        for percentile, value in re.findall(r"^\s+(50|90|99)(?:\.000)?%\s+([\d.]+\w+)", output, re.MULTILINE)
    }
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": requests_per_second,
        "p50_ms": latency.get("50"),
        "p99_ms": latency.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(number) for number in errors.groups()) if errors else 0,
        "connections_per_worker": spread,
    }


def to_milliseconds(value):
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def measure(pages, hello_url, headers, site, arguments):
    """{page: [run per round]}, each run with the hello-world run made just before it."""
    print(f"Warming up {len(pages) + 1} targets ...", flush=True)
    for _, url in [("hello world", hello_url), *pages]:
        wrk(url, 2, arguments, headers)
    results = {name: [] for name, _ in pages}
    for number in range(arguments.rounds):
        # Rotate the order so that no page always runs right after another.
        order = pages[number % len(pages) :] + pages[: number % len(pages)]
        for name, url in order:
            hello = wrk(hello_url, arguments.duration, arguments, headers)
            run = wrk(url, arguments.duration, arguments, headers, watch=site)
            run["hello"] = hello
            results[name].append(run)
        print(f"round {number + 1}/{arguments.rounds} done", flush=True)
    return results


def measure_publishes(url, environment, external_id, title):
    """Seconds from each of a few publishes' commit to the last old page served (see publish_delay)."""
    delays = []
    headers = PROXY_HEADERS
    for number in range(PUBLISHES):
        new_title = f"基准测试的第{number + 2}版标题"  # not a substring of the one before
        delay, _ = publish_delay(
            url,
            lambda new_title=new_title: rename_clarification(environment, external_id, new_title),
            title,
            headers=headers,
        )
        delays.append(delay)
        title = new_title
    return delays


def summary(results, servers, notes, arguments, stores, delays):
    modes = {}
    for mode, pages in results.items():
        hellos = [run["hello"] for runs in pages.values() for run in runs]
        rows = {"hello world": row(hellos, None)}
        for name, runs in pages.items():
            rows[name] = row(runs, [run["hello"] for run in runs])
        modes[mode] = rows
    return {
        "settings": {**vars(arguments), "stores": stores.description},
        "modes": modes,
        "peak_rss_mb_per_worker": {
            server.name: round(max(server.peak_rss.values(), default=0) / 2**20, 1) for server in servers
        },
        "peak_uss_mb_per_worker": {
            server.name: round(max(server.peak_uss.values(), default=0) / 2**20, 1) for server in servers
        },
        "peak_pss_mb_per_worker": {
            server.name: round(max(server.peak_pss.values(), default=0) / 2**20, 1) for server in servers
        },
        "peak_database_file_mapped_mb_per_worker": {
            server.name: round(max(server.peak_file_map.values(), default=0) / 2**20, 1) for server in servers
        },
        "workers_seen": {server.name: len(server.peak_rss) for server in servers},
        "publish_visible_after_s": delays,
        "notes": notes,
    }


def row(runs, hellos):
    """Medians of a page's runs; with ``hellos``, its ratios to the hello-world run before each."""
    ratios = [run["rps"] / hello["rps"] for run, hello in zip(runs, hellos, strict=True)] if hellos else [1.0]
    shares = [
        max(run["connections_per_worker"]) / sum(run["connections_per_worker"])
        for run in runs
        if run.get("connections_per_worker")
    ]
    return {
        "rps_median": statistics.median(run["rps"] for run in runs),
        "ratio_median": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "p50_ms_median": statistics.median(run["p50_ms"] for run in runs),
        "p99_ms_median": statistics.median(run["p99_ms"] for run in runs),
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "socket_errors": sum(run["socket_errors"] for run in runs),
        "busiest_worker_share_max": max(shares) if shares else None,
        "rounds": runs,
    }


MODE_TITLES = {
    "direct": "directly to gunicorn (wrk sends the TLS proxy's headers)",
    "nginx": "through nginx (deploy/nginx.conf over TLS), its page cache off: every request reaches gunicorn",
    "nginx-cache": "through nginx as shipped, with its one-second page cache",
}


def report(data):
    settings = data["settings"]
    print()
    print(
        f"{settings['clarifications']} clarifications on {settings['stores']}, "
        f"gunicorn {settings['workers']} workers per server, "
        f"wrk {settings['threads']} thread(s) x {settings['connections']} connections, "
        f"{settings['rounds']} rounds x {settings['duration']} s; each page right after hello world"
    )
    for mode, rows in data["modes"].items():
        print()
        print(f"{mode}: {MODE_TITLES[mode]}")
        print(
            f"{'page':<14} {'req/s':>8} {'x hello':>8} {'min-max':>12} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'non-2xx':>8} {'sock err':>8} {'busiest':>8}"
        )
        for name, values in rows.items():
            spread = f"{values['ratio_min']:.2f}-{values['ratio_max']:.2f}"
            share = values["busiest_worker_share_max"]
            share = f"{share:.0%}" if share is not None else "-"
            print(
                f"{name:<14} {values['rps_median']:>8.0f} {values['ratio_median']:>8.3f} {spread:>12} "
                f"{values['p50_ms_median']:>7.1f} {values['p99_ms_median']:>7.1f} {values['non_2xx']:>8} "
                f"{values['socket_errors']:>8} {share:>8}"
            )
    memory = ", ".join(
        f"{name} {mb} MB (USS {data['peak_uss_mb_per_worker'][name]} MB, "
        f"PSS {data['peak_pss_mb_per_worker'][name]} MB, "
        f"database file mapped {data['peak_database_file_mapped_mb_per_worker'][name]} MB)"
        for name, mb in data["peak_rss_mb_per_worker"].items()
    )
    print()
    print("busiest: the largest share of the site's connections one gunicorn worker held (sampled mid-run)")
    print(f"peak RSS of a worker: {memory}")
    seen = ", ".join(f"{name} {count}" for name, count in data["workers_seen"].items())
    print(f"worker processes seen: {seen} (more than --workers means a worker was replaced)")
    seconds = ", ".join(f"{delay:.3f}" for delay in data["publish_visible_after_s"])
    print(f"old page last served after a publish's commit (every worker asked all the time): {seconds} s")
    for note in data["notes"]:
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
    """``count`` clarifications with topics and a source each, bulk-inserted; prints a detail page's
    URL, external ID and title."""
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
    print(middle.get_absolute_url(), middle.external_id, middle.title, sep="\t")


# --- In one process --------------------------------------------------------------------------------

IN_PROCESS_CALLS = 2000
IN_PROCESS_ROUNDS = 5


def report_in_process(site_environment, hello_environment, paths):
    """Microseconds per cached page in one process, without HTTP or gunicorn, against hello world:
    the site and hello world take turns, and the medians of the rounds are compared."""
    site_times, hello_times = {path: [] for path in paths}, []
    for _ in range(IN_PROCESS_ROUNDS):
        for path, seconds in json.loads(run_python(site_environment, "in-process", *paths)).items():
            site_times[path].append(seconds)
        hello_times.append(json.loads(run_python(hello_environment, "in-process", "/"))["/"])
    hello = statistics.median(hello_times)
    print(f"in one process, {IN_PROCESS_CALLS} calls x {IN_PROCESS_ROUNDS} rounds (medians):")
    print(f"  hello world {hello * 1e6:.0f} us")
    for path, times in site_times.items():
        median = statistics.median(times)
        print(f"  {path} {median * 1e6:.0f} us, x hello {hello / median:.3f}")


def in_process(paths):
    """Seconds per request of each path through the WSGI application, after it is cached; as JSON."""
    import io

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def call(path):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            # As the proxy and a browser send it (see PROXY_HEADERS and BROWSER_HEADERS).
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "203.0.113.7",
            "HTTP_ACCEPT_ENCODING": "gzip, br",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        body = application(environ, lambda *_: None)
        b"".join(body)
        body.close()

    times = {}
    for path in paths:
        call(path)
        started = time.perf_counter()
        for _ in range(IN_PROCESS_CALLS):
            call(path)
        times[path] = (time.perf_counter() - started) / IN_PROCESS_CALLS
    print(json.dumps(times))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "generate":
        generate(int(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "in-process":
        in_process(sys.argv[2:])
    else:
        main()
