"""Memory and time to check one screenshot upload, each case in a fresh process (peak RSS is per process).

    .venv/bin/python benchmarks/screenshot_decode.py

Cases: a small WebP that claims 6000 x 6600 pixels (refused from its header), the largest accepted
picture as WebP and as JPEG (20 megapixels, stored at most 10), and a phone screenshot. Prints the
upload size, the answer, the peak resident memory of the whole process (the first case is the
baseline: a tiny picture), and the time.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CASES = {
    "png 60x40 (baseline: the process alone)": ("PNG", (60, 40)),
    "webp 6000x6600 (flat colour)": ("WEBP", (6000, 6600)),
    "webp 4470x4470 (20 MP, flat colour)": ("WEBP", (4470, 4470)),
    "jpeg 4470x4470 (20 MP, flat colour)": ("JPEG", (4470, 4470)),
    "png 1290x2796 (phone screenshot)": ("PNG", (1290, 2796)),
}

CHILD = """
import io, json, resource, sys, time, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
import django; django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import ValidationError
from core.images import clean_screenshot
data = sys.stdin.buffer.read()
start = time.perf_counter()
try:
    result = "stored %d bytes" % len(clean_screenshot(SimpleUploadedFile("x", data), max_bytes=5 << 20).read())
except ValidationError as error:
    result = "refused: " + error.messages[0]
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"result": result, "mb": peak / 1024, "s": elapsed}))
"""


MAKE = """
import io, sys
from PIL import Image
image_format, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buffer = io.BytesIO()
Image.new("RGB", (width, height), (230, 230, 230)).save(buffer, image_format, quality=80)
sys.stdout.buffer.write(buffer.getvalue())
"""


def picture(image_format, size):
    # Made in a process of its own: Linux carries the peak memory of a parent into its children, so
    # the measuring processes must start from a small parent.
    command = [sys.executable, "-c", MAKE, image_format, str(size[0]), str(size[1])]
    return subprocess.run(command, capture_output=True, check=True).stdout  # noqa: S603 (fixed arguments)


def main():
    env = {**os.environ, "SECRET_KEY": "benchmark-" + "x" * 40, "LANGUAGE_CODE": "en"}
    for name, (image_format, size) in CASES.items():
        data = picture(image_format, size)
        command = [sys.executable, "-c", CHILD]
        out = subprocess.run(command, input=data, capture_output=True, cwd=REPO, env=env, check=True).stdout  # noqa: S603
        row = json.loads(out.decode().strip().splitlines()[-1])
        size = f"upload {len(data) / 1024:7.0f} KB"
        print(f"{name:38} {size}  peak RSS {row['mb']:5.0f} MB  {row['s']:5.2f} s  {row['result']}")


if __name__ == "__main__":
    main()
