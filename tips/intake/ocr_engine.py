"""The OCR engine's own process: reads the pictures ``ocr`` sends it, within the limits it is given.

Started by ``ocr`` (``python -m tips.intake.ocr_engine TESSDATA MEMORY_MB``), never by hand, and
without Django: it imports Pillow and tesserocr only, so it starts in a fraction of a second and its
memory limit measures the engine, not a copy of the site. It sets its own limits before it loads
anything:

- its address space (``RLIMIT_AS``, ``MEMORY_MB``): a picture that needs more fails here, alone;
- no core file (``RLIMIT_CORE``);
- before each reading, its CPU time (``RLIMIT_CPU``) to what it has used so far plus the request's
  ``cpu_seconds``: past it the kernel stops the process (``SIGXCPU``), which its parent reports.

One request a line on standard input (``{"path": ..., "cpu_seconds": ...}``), one answer a line on
the original standard output (``{"text": ...}`` or ``{"error": ...}``); the engine's own messages
(leptonica prints some for odd pictures) go to the null device, never into the answers.
"""

import json
import os
import re
import resource
import signal
import sys

from PIL import Image, ImageOps

LANGUAGE = "chi_sim"
# Pictures are read at most this large: a long scroll capture is read in full, larger ones are reduced.
READ_MAX_PIXELS = 12_000_000
CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
SPACE_BETWEEN_CJK = re.compile(rf"(?<={CJK})[ \t]+(?={CJK})")
SPACES = re.compile(r"[ \t]{2,}")


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


def limit_cpu(seconds):
    """Let this process use ``seconds`` more of CPU time from now on (a soft limit may be raised again)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + max(1, int(seconds))
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def serve(tessdata, memory_mb, requests, answers):
    # Past its CPU time the kernel stops this process with SIGXCPU: whatever the parent ignored, not ignored here.
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    import tesserocr

    engine = tesserocr.PyTessBaseAPI(path=tessdata.rstrip(os.sep) + os.sep, lang=LANGUAGE)
    for line in requests:
        request = json.loads(line)
        limit_cpu(request["cpu_seconds"])
        try:
            with Image.open(request["path"]) as opened:
                picture = prepared(opened)
            engine.SetImage(picture)
            answer = {"text": tidy(engine.GetUTF8Text())}
        except MemoryError:
            answer = {"error": "out of memory"}
        except Exception as error:  # any failure is this picture's, reported to the parent
            answer = {"error": f"{error.__class__.__name__}: {error}"}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()


def main():
    tessdata, memory_mb = sys.argv[1], int(sys.argv[2])
    # The answers keep the original standard output; anything else written there goes nowhere.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.dup2(null, sys.stderr.fileno())
    os.environ["OMP_THREAD_LIMIT"] = "1"
    serve(tessdata, memory_mb, sys.stdin, answers)


if __name__ == "__main__":
    main()
