"""Perceptual fingerprints of screenshots: the same picture, re-compressed, resized or with its status
bar cropped off, has (nearly) the same fingerprint; another picture has a distant one.

A fingerprint is three 256-bit perceptual hashes (``imagehash.phash`` with a 16×16 DCT, on grey
pixels) of the picture with 0%, 3% and 6% of its height cut from the top, written as hex and joined
by spaces. Two pictures are the same when the closest pair of their hashes differs in at most
``SAME_PICTURE_BITS`` bits: a copy without its status bar (3–6% of a phone's height) lines up with
one of the original's cut versions. Measured on generated WeChat screenshots (``benchmarks/ocr_bench.py``):
copies re-compressed, halved or cropped, or all three, were at most 12 bits away, different chats in
the same layout at least 20. A photographed screen is not recognised (60+ bits): its text still is.
"""

import imagehash
from PIL import Image, ImageOps

CUTS = (0.0, 0.03, 0.06)
HASH_SIZE = 16
SAME_PICTURE_BITS = 16
FINGERPRINT_LENGTH = len(CUTS) * (HASH_SIZE * HASH_SIZE // 4 + 1) - 1


def fingerprint(image):
    """The fingerprint of ``image`` (a path, a binary file or a Pillow image)."""
    if not isinstance(image, Image.Image):
        with Image.open(image) as opened:
            return fingerprint(opened.copy())
    grey = ImageOps.exif_transpose(image).convert("L")
    hashes = []
    for cut in CUTS:
        part = grey.crop((0, round(grey.height * cut), grey.width, grey.height))
        hashes.append(str(imagehash.phash(part, hash_size=HASH_SIZE)))
    return " ".join(hashes)


def distance(first, second):
    """Bits between the closest hashes of two fingerprints (None when either is missing)."""
    if not first or not second:
        return None
    ours = [imagehash.hex_to_hash(value) for value in first.split()]
    theirs = [imagehash.hex_to_hash(value) for value in second.split()]
    return min(int(a - b) for a in ours for b in theirs)


def same_picture(first, second):
    bits = distance(first, second)
    return bits is not None and bits <= SAME_PICTURE_BITS
