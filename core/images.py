"""Screenshot uploads: decoded to prove they are images, then re-encoded so no hidden data survives.

Re-encoding writes only the pixels: EXIF (camera, GPS location, time), XMP, ICC profiles, JPEG
comments and PNG text chunks are dropped. The orientation EXIF carried is applied to the pixels
first, so the picture stays upright.

Decoding costs far more than the upload (a 70 KB WebP can claim 40 million pixels), so it is bounded:
a picture of more than ``MAX_PIXELS``, or longer than ``MAX_ASPECT_RATIO`` times its width (or the
other way round), is refused from its header, before any pixel is decoded (a 37 KB PNG of 1 x
19,000,000 pixels passed the pixel count and then made the OCR engine fail on every attempt; no
screenshot has that shape: a scroll capture of a long chat on a narrow phone stays within 1 : 40); a JPEG
is decoded straight at a reduced scale (``draft``) when it is larger than ``STORED_MAX_PIXELS``, other
formats are reduced after decoding; and a worker decodes one picture at a time (``DECODE_LOCK``), so
that threads of one worker cannot multiply the memory.
"""

import io
import math
import threading
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Phones' multi-picture JPEGs (MPO: a main picture and its previews) are JPEGs; the main one is kept.
ALLOWED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
SAVE_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
# A long scrolling capture of a large phone is about 1290 x 15000; nothing a citizen sends needs more.
MAX_PIXELS = 20_000_000
# The longest side at most this many times the shortest: 720 x 28,000 (20 million pixels) would be a
# scroll capture of a very long chat on a narrow phone; nothing a citizen sends is narrower. It also
# keeps both sides under tesseract's limit of 32,767 pixels.
MAX_ASPECT_RATIO = 40
# What is stored: larger pictures are scaled down by a whole factor (text stays readable).
STORED_MAX_PIXELS = 10_000_000
DECODE_LOCK = threading.Lock()
TOO_LARGE = _("The screenshot is too large (%(size)s MB). The limit is %(limit)s MB.")


def too_many_pixels():
    return ValidationError(
        _("The screenshot has too many pixels. The limit is %(limit)s megapixels."),
        code="too_many_pixels",
        params={"limit": MAX_PIXELS // 1_000_000},
    )


def absurd_shape(width, height):
    return ValidationError(
        _(
            "This picture is %(width)s × %(height)s pixels: far too long and narrow for a screenshot. "
            "Please send a picture at most %(ratio)s times as long as it is wide."
        ),
        code="absurd_shape",
        params={"width": width, "height": height, "ratio": MAX_ASPECT_RATIO},
    )


def megabytes(size):
    """``size`` bytes in MB with one decimal, rounded up: a file just over 5 MB reads "5.1", never "5.0"."""
    return f"{math.ceil(size * 10 / 1048576) / 10:.1f}"


def limit_megabytes(max_bytes):
    """The limit as the form states it before upload and every refusal repeats it."""
    return f"{max_bytes / 1048576:g}"


def too_large(size, *, max_bytes):
    """The one refusal of a too-large screenshot, whether the form read it or its size alone refused it
    (``tips.intake.views.tip_new``); ``static/js/tip-form.js`` shows the same words when one is chosen."""
    return ValidationError(
        TOO_LARGE,
        code="too_large",
        params={"size": megabytes(size), "limit": limit_megabytes(max_bytes)},
    )


def clean_screenshot(upload, *, max_bytes):
    """A ContentFile with the re-encoded image, or ValidationError with a message for the citizen."""
    if upload.size > max_bytes:
        raise too_large(upload.size, max_bytes=max_bytes)
    not_an_image = ValidationError(
        _("This file is not a picture we can read. Please attach a JPEG, PNG or WebP screenshot."), code="invalid"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                image_format = probe.format
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(_("Screenshots must be JPEG, PNG or WebP pictures."), code="wrong_type")
                if probe.width * probe.height > MAX_PIXELS:
                    raise too_many_pixels()
                if max(probe.size) > MAX_ASPECT_RATIO * max(1, min(probe.size)):
                    raise absurd_shape(probe.width, probe.height)
                probe.verify()
            # verify() leaves the image unusable: open it again to decode every pixel.
            upload.seek(0)
            with DECODE_LOCK, Image.open(upload) as image:
                content = _reencode(_decode(image), SAVE_AS[image_format])
            return ContentFile(content, name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own guard, for pictures far beyond ours, fires before the header can be read.
        raise too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise not_an_image from error


def _decode(image):
    """The upright pixels, at most ``STORED_MAX_PIXELS`` of them, decoded at the smallest scale that allows."""
    factor = math.ceil(math.sqrt(image.width * image.height / STORED_MAX_PIXELS))
    if factor > 1 and image.format in ("JPEG", "MPO"):
        # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly: the full-size pixels never exist.
        image.draft(image.mode, (image.width // factor, image.height // factor))
    image.load()
    factor = math.ceil(math.sqrt(image.width * image.height / STORED_MAX_PIXELS))
    if factor > 1:
        image = image.reduce(factor)
    ImageOps.exif_transpose(image, in_place=True)
    return image


def _reencode(image, image_format):
    # Only the pixels go out: no EXIF, ICC profile, comment or text chunk that the encoder would copy.
    image.info = {}
    output = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, "WEBP", quality=88)
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, "PNG", optimize=True)
    return output.getvalue()
