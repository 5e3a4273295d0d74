"""Reading the text of a screenshot (OCR), offline, in Simplified Chinese and English.

The engine is tesseract 5 with its ``chi_sim`` model, called through ``tesserocr`` (whose wheel
carries tesseract itself) in a child process of the worker (``ocr_engine``, see below); the model is
the one system package to install (Debian/Ubuntu: ``tesseract-ocr-chi-sim``). Why this engine
(the figures, with the commit they were measured on, are in docs/benchmarks.md, *OCR*):

- measured with ``benchmarks/ocr_bench.py`` (chats, dark mode, articles; JPEG 60, half size,
  photographed), it misreads few of a message's characters and its text nearly always finds the
  right claim among the set's near-twins; a picture takes under a second on one thread, and a worker
  process stays small enough that one worker fits beside gunicorn on a shared two-core server;
- the PP-OCR engines (RapidOCR, models inside their wheels) read far better on such pictures (in an
  earlier measurement on similar generated screenshots that this benchmark does not repeat) but
  peaked near 1 GB per process and used both cores: a later swap if the office can spare the memory,
  behind this same module;
- its errors fall mostly on the status bar, names and the edges of photographed screens; staff always
  see the picture beside the text, and matching tolerates a few wrong characters;
- it installs from the package registries (a wheel and a 2.4 MB data package) and never downloads
  anything (``tests/test_screenshots.py`` reads a picture with no network at all).

``chi_sim`` alone reads the English in Chinese screenshots; ``chi_sim+eng`` was slower and worse.
Only this module knows the engine: ``read_text()`` takes a path, a file or a Pillow image and returns
text; ``status()`` says whether the engine can run, and why not. Callers are the task queue's tasks
(``tips.intake.tasks``), never a request.

**Every reading is bounded.** What a picture costs the engine is not what its size says: a 3000 x
3300 PNG of random dots (1.2 MB, within every upload limit) kept tesseract busy for 714 s, holding the
task worker, and every citizen's and visitor's picture behind it, past the queue's own 600 s stall
limit. So the engine runs in a child process of the worker (``ocr_engine``: one per worker process,
started at the first reading and kept, since loading the model costs a few tenths of a second),
within three limits read from the environment:

- ``OCR_TIMEOUT_SECONDS`` (60): the wall-clock time of one reading, after which the child is killed;
- ``OCR_CPU_SECONDS`` (30): the CPU time of one reading (``RLIMIT_CPU``: the kernel stops the child);
- ``OCR_MEMORY_MB`` (1024): the child's address space (``RLIMIT_AS``).

A reading that passes one, or whose child fails in any way, raises ``ReadingFailed``: the picture
"could not be read" (``reading.read_picture``), the report is kept, and the next reading starts a new
child. Real screenshots are far inside the limits: a 1080 x 9000 capture of an article (1,655
characters) took 2.5 s and 180 MB; the random dots stop at a bound (``benchmarks/dependency_faults.py``).
"""

import atexit
import contextlib
import importlib.util
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

SYSTEM_PACKAGE = "tesseract-ocr-chi-sim"
MODEL_FILE = "chi_sim.traineddata"
# Where the distributions put tesseract's models (Debian and Ubuntu, Fedora, Homebrew, source builds).
KNOWN_TESSDATA = [
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/usr/local/share/tessdata",
]


class OcrUnavailable(Exception):
    """The engine or its Chinese model is not installed: the reason says which, for staff."""


class ReadingFailed(Exception):
    """This picture could not be read: it passed a limit, or the engine failed on it (the reason says)."""


@dataclass(frozen=True)
class EngineStatus:
    available: bool
    reason: str = ""


def tessdata_dir():
    """The folder holding ``chi_sim.traineddata``: ``OCR_TESSDATA`` if set, else the usual places."""
    configured = getattr(settings, "OCR_TESSDATA", "") or os.environ.get("TESSDATA_PREFIX", "")
    candidates = [configured] if configured else KNOWN_TESSDATA
    for folder in candidates:
        if folder and (Path(folder) / MODEL_FILE).is_file():
            return str(Path(folder))
    return None


def status():
    """Whether screenshots can be read here, and if not why (shown to staff in the admin)."""
    if not getattr(settings, "OCR_ENABLED", True):
        return EngineStatus(False, _("OCR is switched off (OCR_ENABLED=false)."))
    # Found, not imported: the engine loads in its own process (ocr_engine), never in the web workers.
    if importlib.util.find_spec("tesserocr") is None:
        return EngineStatus(False, _("The tesserocr package is not installed (pip install -r requirements.txt)."))
    if tessdata_dir() is None:
        reason = _("The Simplified Chinese OCR model is not installed (Debian/Ubuntu: apt-get install %(package)s).")
        return EngineStatus(False, reason % {"package": SYSTEM_PACKAGE})
    return EngineStatus(True)


class _Engine:
    """The child process that reads pictures, within this process's limits (see the module docstring)."""

    def __init__(self, tessdata, memory_mb):
        self.key = (tessdata, memory_mb)
        self.pid = os.getpid()
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter and our own module)
            [sys.executable, "-m", "tips.intake.ocr_engine", tessdata, str(memory_mb)],
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": _python_path()},
        )

    def read(self, path, *, wall_seconds, cpu_seconds):
        cpu_before = self._cpu_seconds()
        request = json.dumps({"path": str(path), "cpu_seconds": cpu_seconds}) + "\n"
        try:
            self.process.stdin.write(request.encode())
            self.process.stdin.flush()
        except OSError:
            self.stop()
            raise ReadingFailed(self._ended()) from None
        deadline = time.monotonic() + wall_seconds
        line, stdout = b"", self.process.stdout
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise ReadingFailed(f"took longer than {wall_seconds} s")
            if select.select([stdout], [], [], min(remaining, WATCH_SECONDS))[0]:
                chunk = os.read(stdout.fileno(), 65536)
                if not chunk:
                    raise ReadingFailed(self._ended())
                line += chunk
            elif self._used_more_than(cpu_before, cpu_seconds + 1):
                # The child's own RLIMIT_CPU normally stops it first; this holds should its signal not.
                self.stop()
                raise ReadingFailed(f"used more than its {cpu_seconds} s of CPU time")
        answer = json.loads(line)
        if "error" in answer:
            raise ReadingFailed(answer["error"])
        return answer["text"]

    def _cpu_seconds(self):
        """The child's CPU time so far (Linux's /proc), or None where it cannot be read."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _used_more_than(self, before, seconds):
        now = self._cpu_seconds()
        return before is not None and now is not None and now - before > seconds

    def _ended(self):
        code = self.process.wait()
        if code == -signal.SIGXCPU:
            return f"used more than its {settings.OCR_CPU_SECONDS} s of CPU time"
        if code < 0:
            return f"the engine was stopped by {signal.Signals(-code).name}"
        return f"the engine ended with status {code}"

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _python_path():
    """The child imports ``tips.intake.ocr_engine`` from this repository, whatever the working directory."""
    return os.pathsep.join(filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH", "")]))


# How often a reading's CPU time is looked at while it runs.
WATCH_SECONDS = 0.5
_engine = None
_engine_lock = threading.Lock()


def _running_engine():
    """This process's child, started (again) when there is none, it ended, or the limits changed."""
    global _engine
    key = (tessdata_dir(), settings.OCR_MEMORY_MB)
    stale = _engine is None or _engine.pid != os.getpid() or _engine.key != key
    if _engine is not None and _engine.pid == os.getpid() and (stale or _engine.process.poll() is not None):
        _engine.stop()
        stale = True
    if stale:
        _engine = _Engine(*key)
    return _engine


def stop_engine():
    """Stop this process's child (at exit, and in tests)."""
    global _engine
    with _engine_lock:
        if _engine is not None and _engine.pid == os.getpid():
            _engine.stop()
        _engine = None


atexit.register(stop_engine)


def read_text(image):
    """The text of ``image`` (a path, a binary file or a Pillow image); raises ``OcrUnavailable``, or
    ``ReadingFailed`` for a picture that passed a limit or failed (see the module docstring)."""
    engine_status = status()
    if not engine_status.available:
        raise OcrUnavailable(engine_status.reason)
    if isinstance(image, str | Path):
        return _read(Path(image))
    with tempfile.TemporaryDirectory(prefix="piyao-ocr-") as folder:
        path = Path(folder) / "picture.png"
        if isinstance(image, Image.Image):
            image.save(path, "PNG", compress_level=1)
        else:
            path.write_bytes(image.read())
        return _read(path)


def _read(path):
    with _engine_lock:
        engine = _running_engine()
        return engine.read(path, wall_seconds=settings.OCR_TIMEOUT_SECONDS, cpu_seconds=settings.OCR_CPU_SECONDS)
