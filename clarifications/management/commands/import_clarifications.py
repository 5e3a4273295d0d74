import contextlib
import hashlib
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clarifications.archive import BATCH_SIZE, import_lines
from clarifications.models import ImportProgress


class Command(BaseCommand):
    help = (
        "Import clarifications from a JSON Lines file (one clarification per line, format in docs/contracts.md), "
        f"{BATCH_SIZE} lines to a transaction. A line whose external_id already exists updates that "
        "clarification (or is left alone when it holds the same content). Bad lines are reported with their "
        "line number and skipped; good lines are kept. Run again on the same file after a crash, it continues "
        "after the last batch it stored. Shows a progress bar on a terminal, a line every tenth otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .jsonl file, or - for standard input (not resumable).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Lines per transaction.")

    def handle(self, *args, file, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        progress, total = None, None
        try:
            if file != "-":
                digest, total = fingerprint(Path(file))
                progress = ImportProgress.objects.filter(file_sha256=digest).first() or ImportProgress(
                    file_sha256=digest, file_name=Path(file).name[:500]
                )
            before = 0
            if progress is not None and progress.pk:
                before = progress.created + progress.updated + progress.unchanged
                self.stderr.write(f"Continuing {file} after line {progress.lines_done}, where an earlier run stopped.")
            with open(file, encoding="utf-8") if file != "-" else contextlib.nullcontext(sys.stdin) as stream:
                bar = ProgressBar(self.stderr, total, interactive=self.stderr.isatty(), records_before=before)
                started = time.monotonic()
                report = import_lines(stream, batch_size=batch_size, progress=progress, on_batch=bar.update)
                bar.finish()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        if progress is not None and progress.pk:
            progress.delete()  # done: the same file imported again is a new import
        for number, message in report.errors:
            self.stderr.write(f"line {number}: {message}")
        seconds = time.monotonic() - started
        records = report.records - before
        rate = f", {records / seconds:,.0f} records a second" if seconds > 0 and records else ""
        resumed = f" (continued after line {report.resumed_after})" if report.resumed_after else ""
        self.stdout.write(f"Imported {file}: {report.summary}{resumed}, in {seconds:.1f} s{rate}.")


def fingerprint(path):
    """(SHA-256 of the file, its number of lines), read in one pass."""
    digest, lines, last = hashlib.sha256(), 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return digest.hexdigest(), lines + (last != b"\n")


class ProgressBar:
    """A bar redrawn in place on a terminal; elsewhere (a log, a pipe) a plain line every tenth of the file."""

    WIDTH = 30

    def __init__(self, stream, total, *, interactive, records_before=0):
        self.stream, self.total, self.interactive = stream, total, interactive
        self.started = time.monotonic()
        self.records_before = records_before
        self.next_tenth = 1
        self.drawn = False

    def update(self, report):
        done = report.lines_done
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (report.records - self.records_before) / elapsed
        counts = f"{report.created:,} created, {report.updated:,} updated, {report.skipped:,} skipped"
        if self.total:
            share = min(done / self.total, 1.0)
            if self.interactive:
                filled = int(share * self.WIDTH)
                bar = "#" * filled + "." * (self.WIDTH - filled)
                self.stream.write(f"\r[{bar}] {share:4.0%} {done:,}/{self.total:,} lines, {rate:,.0f}/s", ending="")
                self.stream.flush()
                self.drawn = True
            elif share * 10 >= self.next_tenth:
                self.next_tenth = int(share * 10) + 1
                line = f"{share:.0%}: {done:,} of {self.total:,} lines, {counts}, {rate:,.0f} records a second"
                self.stream.write(line)
        elif self.interactive:
            self.stream.write(f"\r{done:,} lines, {counts}, {rate:,.0f}/s", ending="")
            self.stream.flush()
            self.drawn = True

    def finish(self):
        if self.drawn:
            self.stream.write("")  # the line after the bar
