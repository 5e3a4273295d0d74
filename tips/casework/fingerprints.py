"""Perceptual fingerprints of screenshots: the same picture, re-compressed, resized or with its status
bar cropped off, has (nearly) the same fingerprint; another picture has a distant one.

A fingerprint is nine 256-bit perceptual hashes (``imagehash.phash`` with a 16×16 DCT, on grey
pixels) of the picture with 0%, 1%, ... 8% of its height cut from the top, written as hex and joined
by spaces. A copy without its status bar (3–7% of a phone's height) lines up with one of the other
picture's cut versions, so the distance of two fingerprints is the smallest between either one's
whole picture and the other's cut versions; they are the same picture within ``SAME_PICTURE_BITS``.
Measured on 34 generated WeChat chats, light and dark: copies re-compressed, halved, without the
status bar, or all three, were at most 12 bits away; different chats in the same layout at least 22
(three cuts of 0, 3 and 6% left cropped copies up to 20 bits away: too close). A photographed screen
is not recognised (60+ bits): its text still groups it.
"""

from PIL import Image, ImageOps

CUTS = tuple(percent / 100 for percent in range(9))
HASH_SIZE = 16
SAME_PICTURE_BITS = 16


def fingerprint(image):
    """The fingerprint of ``image`` (a path, a binary file or a Pillow image)."""
    if not isinstance(image, Image.Image):
        with Image.open(image) as opened:
            return fingerprint(opened.copy())
    # Imported here: imagehash brings numpy and scipy (tens of MB), which only the queue's workers need.
    import imagehash

    grey = ImageOps.exif_transpose(image).convert("L")
    hashes = []
    for cut in CUTS:
        part = grey.crop((0, round(grey.height * cut), grey.width, grey.height))
        hashes.append(str(imagehash.phash(part, hash_size=HASH_SIZE)))
    return " ".join(hashes)


def distance(first, second):
    """Bits between one fingerprint's whole picture and the closest cut version of the other, either way
    round (None when either is missing)."""
    if not first or not second:
        return None
    ours = [int(value, 16) for value in first.split()]
    theirs = [int(value, 16) for value in second.split()]
    return min(
        min((ours[0] ^ other).bit_count() for other in theirs), min((mine ^ theirs[0]).bit_count() for mine in ours)
    )


def same_picture(first, second):
    bits = distance(first, second)
    return bits is not None and bits <= SAME_PICTURE_BITS
