"""Reading the text of a screenshot (OCR), offline, in Simplified Chinese and English.

Two engines, chosen by ``OCR_ENGINE`` (docs/ocr.md compares them, with the commit measured, using
``benchmarks/ocr_bench.py``: 144 pictures: chats, dark mode, articles; JPEG 60, half size, photographed):

- ``tesseract``, the default: tesseract 5 with its ``chi_sim`` model, called through ``tesserocr``
  (whose wheel carries tesseract itself); the model is the one system package to install
  (Debian/Ubuntu: ``tesseract-ocr-chi-sim``, 2.4 MB). It misreads about 5% of a message's
  characters and its text finds the right claim among 1,250 in 139 cases of 144; a 750-pixel-wide
  picture takes a median 0.3 s of CPU on one thread, and its process peaks near 150 MB, so one worker
  fits beside gunicorn on a shared two-core server. ``chi_sim`` alone reads the English in Chinese
  screenshots; ``chi_sim+eng`` was slower and worse.
- ``rapidocr``: PP-OCRv4 on onnxruntime (``pip install -r requirements-rapidocr.txt``: about 125 MB
  of wheels, the models inside them). It reads the same pictures with a fraction of tesseract's
  errors and finds the right claim more often, at about five times its CPU time and near 700 MB
  for its process: the setting for an office that can spare the memory.

Errors fall mostly on the status bar, names and the edges of photographed screens; staff always see
the picture beside the text, and matching tolerates a few wrong characters. Neither engine downloads
anything at run time (``tests/test_screenshots.py`` reads a picture with each, with no network at all).

Only this module and its child (``ocr_engine``) know the engines: ``read_text()`` takes a path, a file
or a Pillow image and returns text; ``status()`` says whether the engine can run, and why not. Callers
are the task queue's tasks (``tips.intake.tasks``), never a request.

**Every reading is bounded.** What a picture costs the engine is not what its size says: a 3000 x
3300 PNG of random dots (1.2 MB, within every upload limit) kept tesseract busy for 714 s, holding the
task worker, and every citizen's and visitor's picture behind it, past the queue's own 600 s stall
limit. So the engine runs in a child process of the worker (``ocr_engine``: one per worker process,
started at the first reading and kept, since loading the model costs a few tenths of a second),
within three limits read from the environment, whose defaults are the engine's (tesseract, rapidocr):

- ``OCR_TIMEOUT_SECONDS`` (60, 120): the wall-clock time of one reading, after which the child is killed;
- ``OCR_CPU_SECONDS`` (30, 60): the CPU time of one reading (``RLIMIT_CPU``: the kernel stops the child);
- ``OCR_MEMORY_MB`` (1024, 3072): the child's address space (``RLIMIT_AS``); onnxruntime and OpenCV
  reserve about twice the memory they use, so rapidocr's bound is set on what it reserves.

A reading that passes one, or whose child fails in any way, raises ``ReadingFailed``: the picture
"could not be read" (``reading.read_picture``), the report is kept, and the next reading starts a new
child. Real screenshots are far inside the limits: a 1080 x 9000 capture of an article (1,655
characters) took tesseract 2.5 s and 180 MB; one of 1,930 characters took rapidocr 21 s of CPU, 860 MB
resident and 1.6 GB of address space; the random dots stop at a bound (``benchmarks/dependency_faults.py``).
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
# The Python package each engine needs, and what installs it.
ENGINE_PACKAGES = {
    "tesseract": ("tesserocr", "pip install -r requirements.txt"),
    "rapidocr": ("rapidocr_onnxruntime", "pip install -r requirements-rapidocr.txt"),
}
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
    package, install = ENGINE_PACKAGES[settings.OCR_ENGINE]
    if importlib.util.find_spec(package) is None:
        reason = _("The %(package)s package of the OCR engine %(engine)s is not installed (%(install)s).")
        return EngineStatus(False, reason % {"package": package, "engine": settings.OCR_ENGINE, "install": install})
    if settings.OCR_ENGINE == "tesseract" and tessdata_dir() is None:
        reason = _("The Simplified Chinese OCR model is not installed (Debian/Ubuntu: apt-get install %(package)s).")
        return EngineStatus(False, reason % {"package": SYSTEM_PACKAGE})
    return EngineStatus(True)


class _Engine:
    """The child process that reads pictures, within this process's limits (see the module docstring)."""

    def __init__(self, engine, tessdata, memory_mb):
        self.key = (engine, tessdata, memory_mb)
        self.pid = os.getpid()
        self.last_reading = None
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter and our own module)
            [sys.executable, "-m", "tips.intake.ocr_engine", engine, tessdata or "", str(memory_mb)],
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
        self.last_reading = {"engine": self.key[0], "cpu_seconds": answer["cpu_seconds"], "peak_mb": answer["peak_mb"]}
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
    tessdata = tessdata_dir() if settings.OCR_ENGINE == "tesseract" else None
    key = (settings.OCR_ENGINE, tessdata, settings.OCR_MEMORY_MB)
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


def last_reading():
    """The engine of this process's last reading, its CPU seconds and the engine's peak resident memory
    so far in MB (``{"engine": ..., "cpu_seconds": ..., "peak_mb": ...}``), or None before any."""
    with _engine_lock:
        if _engine is None or _engine.pid != os.getpid():
            return None
        return _engine.last_reading


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
