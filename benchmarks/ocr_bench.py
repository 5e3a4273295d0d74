"""OCR benchmark: how well and how fast screenshots are read by each engine, and what the task queue
does with them.

    .venv/bin/python benchmarks/ocr_bench.py                    # both engines: about ten minutes on two cores
    .venv/bin/python benchmarks/ocr_bench.py --engines tesseract --queue-tasks 0
    .venv/bin/python benchmarks/ocr_bench.py --messages 40 --queue-tasks 80 --json ocr.json

Each engine of ``OCR_ENGINE`` (tesseract, and rapidocr where requirements-rapidocr.txt is installed)
reads the same pictures, within its own default bounds unless ``OCR_MEMORY_MB`` and the others are set.

1. Accuracy and time. Rumor messages (a claim of the labelled relevance set, ``relevance_data/``,
   lengthened with the digits, English and symbols chain messages carry) are drawn as WeChat
   screenshots (``wechat_screens``): a chat, the chat in dark mode, an article; each also re-compressed
   (JPEG 60), downscaled (half size) and photographed from another screen. ``tips.intake.ocr.read_text`` reads
   each in this process. CER is the edit distance between the message and the closest stretch of the
   text read (the status bar, names and other bubbles are not counted against it), over the message's
   length, whitespace removed. "found" counts the texts whose closest claim among all 1,250 Chinese
   claims of the set (by the share of shared search terms, as tips are grouped) is the right one.
2. Fingerprints. The perceptual distance of each picture to its re-compressed, halved and
   status-bar-cropped copies, and the smallest distance between different pictures (``tips.casework.fingerprints``).
3. The queue on this machine. ``--queue-tasks`` tips with screenshots are stored in a throwaway site,
   then read by one and by two worker processes (``manage.py run_worker``) with each engine: tasks per
   second, and the peak resident memory of one worker with its OCR child process.

The summary table puts the engines side by side: CER over all pictures, right claims found, the
median wall-clock and CPU seconds per picture (wall-clock time depends on what else the machine runs;
CPU time much less), and the peak resident memory of the engine's own process.
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402
import psutil  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402

from benchmarks import wechat_screens  # noqa: E402
from benchmarks.measure import percentile  # noqa: E402
from benchmarks.relevance import load_dataset  # noqa: E402
from tips.casework import fingerprints, grouping  # noqa: E402
from tips.intake import ocr  # noqa: E402

EXTRAS = [
    "据说是CCTV新闻报道的，已经有3000多人转发了！",
    "Please share with your family!!",
    "消息来源：市政府内部人士，100%可靠。",
    "今天下午5点前转发到10个群，不转不是中国人！",
    "详情见 www.example-news.cn/2024/notice",
    "我朋友在医院上班，亲口说的，大家注意！",
    "Forwarded from a friend in the government office.",
]
VARIANTS = ["clean", "jpeg60", "half", "photo"]


def messages(count, seed=7):
    rng = random.Random(seed)
    claims, _queries = load_dataset()
    chinese = [item["claim"] for item in claims if item["language"] == "zh-hans"]
    chosen = rng.sample(chinese, count)
    result = []
    for claim in chosen:
        text = claim
        while len(text) < rng.randint(60, 200):
            text += rng.choice(EXTRAS)
        result.append((claim, text))
    return chinese, result


def pictures(text, index):
    layouts = {
        "chat": wechat_screens.chat(text, seed=index),
        "dark": wechat_screens.chat(text, dark=True, seed=index),
        "article": wechat_screens.article(text[:24], text),
    }
    for layout, image in layouts.items():
        yield layout, "clean", image
        yield layout, "jpeg60", wechat_screens.jpeg(image, 60)
        yield layout, "half", wechat_screens.half(image)
        yield layout, "photo", wechat_screens.photographed(image, seed=index)


def closest_stretch_distance(reference, text):
    """Edit distance between ``reference`` and the substring of ``text`` closest to it (free ends in text)."""
    previous = list(range(len(reference) + 1))
    best = previous[-1]
    for char in text:
        current = [0]
        for position, expected in enumerate(reference, 1):
            current.append(
                min(previous[position] + 1, current[position - 1] + 1, previous[position - 1] + (char != expected))
            )
        previous = current
        best = min(best, current[-1])
    return best


def squeeze(text):
    return "".join(text.split())


def engine_settings(engine):
    """The settings that make ``engine`` read, within its own default bounds unless they are set."""
    bounds = {name: int(os.environ.get(name) or value) for name, value in settings.OCR_BOUNDS_BY_ENGINE[engine].items()}
    return override_settings(OCR_ENGINE=engine, **bounds)


def accuracy(count):
    chinese, chosen = messages(count)
    claim_terms = [grouping.terms(claim) for claim in chinese]
    rows = []
    for index, (claim, text) in enumerate(chosen):
        for layout, variant, image in pictures(text, index):
            started = time.perf_counter()
            read = ocr.read_text(image)
            seconds = time.perf_counter() - started
            figures = ocr.last_reading()
            reference = squeeze(text)
            cer = closest_stretch_distance(reference, squeeze(read)) / len(reference)
            terms = grouping.terms(read)
            scores = [len(terms & other) / max(1, min(len(terms), len(other))) for other in claim_terms]
            found = chinese[max(range(len(scores)), key=scores.__getitem__)] == claim
            rows.append(
                {
                    "layout": layout,
                    "variant": variant,
                    "cer": cer,
                    "seconds": seconds,
                    "cpu_seconds": figures["cpu_seconds"],
                    "peak_mb": figures["peak_mb"],
                    "found": found,
                }
            )
    ocr.stop_engine()
    return rows


def fingerprint_distances(count):
    _chinese, chosen = messages(count, seed=11)
    same, different, originals = {"jpeg60": [], "half": [], "no status bar": [], "all three": []}, [], []
    for index, (_claim, text) in enumerate(chosen):
        image = wechat_screens.chat(text, seed=index)
        mark = fingerprints.fingerprint(image)
        originals.append(mark)
        copies = {
            "jpeg60": wechat_screens.jpeg(image, 60),
            "half": wechat_screens.half(image),
            "no status bar": wechat_screens.without_status_bar(image),
            "all three": wechat_screens.jpeg(wechat_screens.half(wechat_screens.without_status_bar(image)), 60),
        }
        for name, copy in copies.items():
            same[name].append(fingerprints.distance(mark, fingerprints.fingerprint(copy)))
    for first in range(len(originals)):
        for second in range(first + 1, len(originals)):
            different.append(fingerprints.distance(originals[first], originals[second]))
    return same, different


# --- the queue, in a throwaway site with real worker processes --------------------------------------

STORE = """
from django.core.files.base import ContentFile
from benchmarks import wechat_screens
from tips.models import Tip
from core.storage import private_storage
texts = {texts!r}
tips = []
for index, text in enumerate(texts):
    picture = wechat_screens.encoded(wechat_screens.chat(text, width=1080, height=2340, seed=index))
    name = private_storage().save(f"tips/bench/{{index}}.png", ContentFile(picture))
    tips.append(Tip(code=f"T-BNCH-{{index:04d}}", text="see it", screenshot=name, screenshot_reading="pending"))
Tip.objects.bulk_create(tips)
"""

ENQUEUE = """
from tips.models import Tip
from tips.intake.tasks import read_tip_screenshot
Tip.objects.update(screenshot_reading="pending", screenshot_text="")
for pk in Tip.objects.values_list("pk", flat=True):
    read_tip_screenshot.enqueue(pk)
"""


def with_children_rss(process):
    """The resident memory of ``process`` and its children (a worker and its OCR engine), in bytes."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total


def queue_throughput(task_count, engine, worker_counts=(1, 2)):
    from tests.servers import site_environment

    workdir = Path(tempfile.mkdtemp(prefix="piyao-ocr-bench-"))
    environment = site_environment(workdir, LOG_LEVEL="WARNING", OCR_ENGINE=engine)
    manage = [sys.executable, str(REPO / "manage.py")]
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=REPO, env=environment, check=True)  # noqa: S603
        _all, chosen = messages(task_count, seed=13)
        texts = [text for _claim, text in chosen]
        shell = [*manage, "shell", "-v0", "-c"]
        subprocess.run([*shell, STORE.format(texts=texts)], cwd=REPO, env=environment, check=True)  # noqa: S603
        results = {}
        import sqlite3

        database = sqlite3.connect(workdir / "db.sqlite3")
        for workers in worker_counts:
            database.execute("DELETE FROM django_tasks_database_dbtaskresult")
            database.commit()
            subprocess.run([*shell, ENQUEUE], cwd=REPO, env=environment, check=True)  # noqa: S603
            command = [*manage, "run_worker", "-v0", "--interval", "0.1", "--no-startup-delay"]
            processes = [
                subprocess.Popen(command, cwd=REPO, env=environment)  # noqa: S603
                for _ in range(workers)
            ]
            started, peak = time.perf_counter(), 0
            watched = [psutil.Process(process.pid) for process in processes]
            while True:
                for process in watched:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        peak = max(peak, with_children_rss(process))
                (left,) = database.execute(
                    "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
                ).fetchone()
                if not left:
                    break
                time.sleep(0.1)
            elapsed = time.perf_counter() - started
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
            (failed,) = database.execute(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status != 'SUCCESSFUL'"
            ).fetchone()
            results[workers] = {
                "seconds": elapsed,
                "per_second": task_count / elapsed,
                "peak_rss_mb": peak / 1048576,
                "not_successful": failed,
            }
        database.close()
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def layout_table(rows):
    """CER by layout and variant, and the right claims found, for one engine's rows."""
    print("| layout | " + " | ".join(VARIANTS) + " | all | found |")
    print("| --- " * (len(VARIANTS) + 3) + "|")
    report = {}
    for layout in ("chat", "dark", "article", "all"):
        mine = [row for row in rows if layout in ("all", row["layout"])]
        cells = [statistics.mean(row["cer"] for row in mine if row["variant"] == variant) for variant in VARIANTS]
        found = sum(row["found"] for row in mine)
        overall = statistics.mean(row["cer"] for row in mine)
        figures = " | ".join(f"{cell:.3f}" for cell in cells)
        print(f"| {layout} | {figures} | {overall:.3f} | {found}/{len(mine)} |")
        report[layout] = {"cer": dict(zip(VARIANTS, cells, strict=True)), "all": overall, "found": found}
    return report


def summary(rows):
    seconds = [row["seconds"] for row in rows]
    return {
        "cer": statistics.mean(row["cer"] for row in rows),
        "found": sum(row["found"] for row in rows),
        "pictures": len(rows),
        "median_seconds": statistics.median(seconds),
        "p95_seconds": percentile(seconds, 0.95),
        "median_cpu_seconds": statistics.median(row["cpu_seconds"] for row in rows),
        "peak_mb": max(row["peak_mb"] for row in rows),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="tesseract,rapidocr", help="comma-separated OCR_ENGINE values")
    parser.add_argument("--messages", type=int, default=12, help="messages drawn (12 pictures each)")
    parser.add_argument("--queue-tasks", type=int, default=40, help="tips read through the queue by each engine")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args()
    engines = []
    for engine in options.engines.split(","):
        with engine_settings(engine):
            state = ocr.status()
        if state.available:
            engines.append(engine)
        else:
            print(f"OCR engine {engine} is unavailable, left out: {state.reason}")
    if not engines:
        sys.exit("No OCR engine is available.")

    report = {"engines": {}}
    for engine in engines:
        with engine_settings(engine):
            rows = accuracy(options.messages)
        print(f"\nOCR engine {engine}: {len(rows)} pictures ({options.messages} messages), CER\n")
        report["engines"][engine] = {"layouts": layout_table(rows), "summary": summary(rows)}

    print("\n| engine | CER | right claim | s/picture (median, p95) | CPU s/picture | engine peak RSS |")
    print("| --- | --- | --- | --- | --- | --- |")
    for engine in engines:
        figures = report["engines"][engine]["summary"]
        print(
            f"| {engine} | {figures['cer']:.3f} | {figures['found']} of {figures['pictures']} "
            f"| {figures['median_seconds']:.2f}, {figures['p95_seconds']:.2f} | {figures['median_cpu_seconds']:.2f} "
            f"| {figures['peak_mb']} MB |"
        )

    same, different = fingerprint_distances(options.messages)
    print(f"\nFingerprints (bits of 256; same picture at most {fingerprints.SAME_PICTURE_BITS}):")
    for name, values in same.items():
        print(f"  copy {name}: max {max(values)}")
    report["fingerprints"] = {"same_max": {name: max(values) for name, values in same.items()}}
    if different:  # two messages at least
        print(f"  different pictures: min {min(different)}, median {statistics.median(different)}")
        report["fingerprints"]["different_min"] = min(different)

    if options.queue_tasks:
        report["queue"] = {}
        for engine in engines:
            queue = queue_throughput(options.queue_tasks, engine)
            print(f"\nQueue, {engine}: {options.queue_tasks} tips with 1080x2340 screenshots, read by worker processes")
            for workers, figures in queue.items():
                print(
                    f"  {workers} worker(s): {figures['seconds']:.1f} s, {figures['per_second']:.2f} tips/s, "
                    f"peak RSS of a worker with its OCR process {figures['peak_rss_mb']:.0f} MB, "
                    f"not successful {figures['not_successful']}"
                )
            report["queue"][engine] = queue
    if options.json:
        Path(options.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
