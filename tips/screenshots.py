"""Screenshot uploads: decoded to prove they are images, then re-encoded so no hidden data survives.

Re-encoding writes only the pixels: EXIF (camera, GPS location, time), XMP and PNG text chunks are
dropped. The orientation EXIF carried is applied to the pixels first, so the picture stays upright.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Far above any phone screenshot (a long scrolling capture is about 1290 x 20000); larger images are
# refused before their pixels are decoded, so a tiny "decompression bomb" file cannot eat the memory.
MAX_PIXELS = 40_000_000


def clean_screenshot(upload, *, max_bytes):
    """A ContentFile with the re-encoded image, or ValidationError with a message for the citizen."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The screenshot is too large (%(size)s MB). The limit is %(limit)s MB."),
            code="too_large",
            params={"size": f"{upload.size / 1048576:.1f}", "limit": f"{max_bytes / 1048576:.0f}"},
        )
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
                    raise ValidationError(_("The screenshot has too many pixels."), code="too_many_pixels")
                probe.verify()
            # verify() leaves the image unusable: open it again to decode every pixel.
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                return ContentFile(
                    _reencode(image, image_format), name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
                )
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise not_an_image from error


def _reencode(image, image_format):
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
