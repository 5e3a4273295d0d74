"""The OCR engine's own process: reads the pictures ``ocr`` sends it, within the limits it is given.

Started by ``ocr`` (``python -m tips.intake.ocr_engine ENGINE TESSDATA MEMORY_MB``), never by hand, and
without Django: it imports Pillow and the engine only, so it starts in a fraction of a second (RapidOCR:
about a second) and its memory limit measures the engine, not a copy of the site. It sets its own
limits before it loads anything:

- its address space (``RLIMIT_AS``, ``MEMORY_MB``): a picture that needs more fails here, alone;
- no core file (``RLIMIT_CORE``);
- before each reading, its CPU time (``RLIMIT_CPU``) to what it has used so far plus the request's
  ``cpu_seconds``: past it the kernel stops the process (``SIGXCPU``), which its parent reports.

Two engines (``OCR_ENGINE``), each on one thread, each given the picture as it reads it best:

- ``tesseract`` (tesserocr, ``chi_sim``): grey, dark mode inverted (``prepared``);
- ``rapidocr`` (PP-OCRv4 on onnxruntime, the models inside the ``rapidocr-onnxruntime`` wheel): in
  colour; it shrinks any picture to 2,000 pixels on its longer side, so a long scroll capture is read
  in strips cut through the quietest rows (``strips``), never through a line of text.

One request a line on standard input (``{"path": ..., "cpu_seconds": ...}``), one answer a line on
the original standard output (``{"text": ..., "cpu_seconds": ..., "peak_mb": ...}`` or
``{"error": ...}``: the CPU time of the reading and the process's peak resident memory so far, for
the benchmark); the engine's own messages (leptonica prints some for odd pictures) go to the null
device, never into the answers.
"""

import json
import os
import re
import resource
import signal
import sys

import numpy
from PIL import Image, ImageOps

LANGUAGE = "chi_sim"
# Pictures are read at most this large: a long scroll capture is read in full, larger ones are reduced.
READ_MAX_PIXELS = 12_000_000
CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
SPACE_BETWEEN_CJK = re.compile(rf"(?<={CJK})[ \t]+(?={CJK})")
SPACES = re.compile(r"[ \t]{2,}")


def within_pixels(image):
    """``image`` reduced to at most ``READ_MAX_PIXELS``, its shape kept."""
    if image.width * image.height <= READ_MAX_PIXELS:
        return image
    factor = (image.width * image.height / READ_MAX_PIXELS) ** 0.5
    return image.resize((int(image.width / factor), int(image.height / factor)), Image.Resampling.LANCZOS)


def prepared(image):
    """Grey, light background, at most ``READ_MAX_PIXELS``: dark mode is inverted, since tesseract
    reads dark text on light far better than light on dark."""
    grey = within_pixels(ImageOps.exif_transpose(image).convert("L"))
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


def strips(image, longest=2000):
    """``image`` cut across into pieces at most ``longest`` pixels tall when it is a long capture (taller
    than ``longest`` and than 2.5 times its width), each cut at the quietest row of the piece's last
    fifth (the lowest of them), so that no line of text is cut in two; else the whole picture."""
    if image.height <= max(longest, 2.5 * image.width):
        return [image]
    rows = numpy.asarray(image.convert("L"), dtype=numpy.float32).std(axis=1)
    pieces, top = [], 0
    while image.height - top > longest:
        window = rows[top + int(longest * 0.8) : top + longest][::-1]
        cut = top + longest - 1 - int(numpy.argmin(window))  # the lowest of the quietest rows
        pieces.append(image.crop((0, top, image.width, cut)))
        top = cut
    pieces.append(image.crop((0, top, image.width, image.height)))
    return pieces


def tesseract_reader(tessdata):
    import tesserocr

    engine = tesserocr.PyTessBaseAPI(path=tessdata.rstrip(os.sep) + os.sep, lang=LANGUAGE)

    def read(opened):
        engine.SetImage(prepared(opened))
        return engine.GetUTF8Text()

    return read


def rapidocr_reader():
    import cv2
    from rapidocr_onnxruntime import RapidOCR

    cv2.setNumThreads(1)
    engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)

    def read(opened):
        picture = within_pixels(ImageOps.exif_transpose(opened).convert("RGB"))
        lines: list[str] = []
        for piece in strips(picture):
            found, _elapsed = engine(numpy.asarray(piece)[:, :, ::-1])  # OpenCV's order: blue, green, red
            lines.extend(text for _box, text, _score in found or [])
        return "\n".join(lines)

    return read


READERS = {"tesseract": tesseract_reader, "rapidocr": lambda _tessdata: rapidocr_reader()}


def usage():
    """CPU seconds used so far and the peak resident memory in MB (Linux counts ``ru_maxrss`` in KB)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime, used.ru_maxrss / 1024


def serve(engine, tessdata, memory_mb, requests, answers):
    # Past its CPU time the kernel stops this process with SIGXCPU: whatever the parent ignored, not ignored here.
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    read = READERS[engine](tessdata)
    for line in requests:
        request = json.loads(line)
        limit_cpu(request["cpu_seconds"])
        cpu_before, _peak = usage()
        try:
            with Image.open(request["path"]) as opened:
                text = tidy(read(opened))
            cpu_after, peak_mb = usage()
            answer = {"text": text, "cpu_seconds": round(cpu_after - cpu_before, 3), "peak_mb": round(peak_mb)}
        except MemoryError:
            answer = {"error": "out of memory"}
        except Exception as error:  # any failure is this picture's, reported to the parent
            answer = {"error": f"{error.__class__.__name__}: {error}"}
        answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
        answers.flush()


def main():
    engine, tessdata, memory_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
    # The answers keep the original standard output; anything else written there goes nowhere.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.dup2(null, sys.stderr.fileno())
    os.environ["OMP_THREAD_LIMIT"] = "1"
    serve(engine, tessdata, memory_mb, sys.stdin, answers)


if __name__ == "__main__":
    main()
