"""Reading the text of a screenshot (OCR), offline, in Simplified Chinese and English.

The engine is tesseract 5 with its ``chi_sim`` model, called in process through ``tesserocr`` (whose
wheel carries tesseract itself); the model is the one system package to install (Debian/Ubuntu:
``tesseract-ocr-chi-sim``). Why this engine (figures in the README):

- measured with ``benchmarks/ocr_bench.py`` (144 pictures: chats, dark mode, articles; JPEG 60, half
  size, photographed), it misreads about 5% of a message's characters and its text finds the right
  claim among 1,250 in 139 cases of 144; a 750-pixel-wide picture takes a median 0.8 s on one
  thread, and a worker process peaks at about 220 MB with Django, so one worker fits beside
  gunicorn on a shared two-core server;
- the PP-OCR engines (RapidOCR, models inside their wheels) read far better on such pictures (about
  1% character errors against tesseract's 9–30%, in an earlier measurement on 220 similar generated
  screenshots that this benchmark does not repeat) but peaked near 1 GB per process and used both
  cores: a later swap if the office can spare the memory, behind this same module;
- its errors fall mostly on the status bar, names and the edges of photographed screens; staff always
  see the picture beside the text, and matching tolerates a few wrong characters;
- it installs from the package registries (a wheel and a 2.4 MB data package) and never downloads
  anything (``tests/test_screenshots.py`` reads a picture with no network at all).

``chi_sim`` alone reads the English in Chinese screenshots; ``chi_sim+eng`` was slower and worse.
Only this module knows the engine: ``read_text()`` takes a path, a file or a Pillow image and returns
text; ``status()`` says whether the engine can run, and why not. Callers are the task queue's tasks
(``tips.intake.tasks``), never a request: one engine is loaded per worker process and reused.
"""

import importlib.util
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

# tesseract's OpenMP threads make it 4-6 times slower on two busy cores: one thread per worker.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

LANGUAGE = "chi_sim"
MODEL_FILE = f"{LANGUAGE}.traineddata"
SYSTEM_PACKAGE = "tesseract-ocr-chi-sim"
# Where the distributions put tesseract's models (Debian and Ubuntu, Fedora, Homebrew, source builds).
KNOWN_TESSDATA = [
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/opt/homebrew/share/tessdata",
    "/usr/local/share/tessdata",
]
# Pictures are read at most this large: a long scroll capture is read in full, larger ones are reduced.
READ_MAX_PIXELS = 12_000_000
CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
SPACE_BETWEEN_CJK = re.compile(rf"(?<={CJK})[ \t]+(?={CJK})")
SPACES = re.compile(r"[ \t]{2,}")

_engine_lock = threading.Lock()


class OcrUnavailable(Exception):
    """The engine or its Chinese model is not installed: the reason says which, for staff."""


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
    # Found, not imported: the engine (10 MB) loads in the task queue's workers, which read pictures,
    # not in the web workers that only ask (the screenshot check page, the admin).
    if importlib.util.find_spec("tesserocr") is None:
        return EngineStatus(False, _("The tesserocr package is not installed (pip install -r requirements.txt)."))
    if tessdata_dir() is None:
        reason = _("The Simplified Chinese OCR model is not installed (Debian/Ubuntu: apt-get install %(package)s).")
        return EngineStatus(False, reason % {"package": SYSTEM_PACKAGE})
    return EngineStatus(True)


@lru_cache(maxsize=1)
def _engine(path):
    import tesserocr

    return tesserocr.PyTessBaseAPI(path=path + os.sep, lang=LANGUAGE)


def prepared(image):
    """Grey, light background, at most ``READ_MAX_PIXELS``: dark mode is inverted, since tesseract
    reads dark text on light far better than light on dark."""
    image = ImageOps.exif_transpose(image)
    grey = image.convert("L")
    if grey.width * grey.height > READ_MAX_PIXELS:
        factor = (grey.width * grey.height / READ_MAX_PIXELS) ** 0.5
        grey = grey.resize((int(grey.width / factor), int(grey.height / factor)), Image.Resampling.LANCZOS)
    histogram = grey.histogram()
    mean = sum(value * count for value, count in enumerate(histogram)) / max(1, grey.width * grey.height)
    if mean < 110:
        grey = ImageOps.invert(grey)
    return grey


def tidy(text):
    """The engine's text without its spaces between Chinese characters and its blank lines."""
    lines = (SPACES.sub(" ", SPACE_BETWEEN_CJK.sub("", line)).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def read_text(image):
    """The text of ``image`` (a path, a binary file or a Pillow image); raises ``OcrUnavailable``.

    A file is decoded with Pillow's own decompression-bomb guard; callers pass pictures that were
    already checked and bounded on upload (``core.images``).
    """
    engine_status = status()
    if not engine_status.available:
        raise OcrUnavailable(engine_status.reason)
    if isinstance(image, Image.Image):
        picture = prepared(image)
    else:
        with Image.open(image) as opened:
            picture = prepared(opened)
    with _engine_lock:
        engine = _engine(tessdata_dir())
        engine.SetImage(picture)
        text = engine.GetUTF8Text()
    return tidy(text)
