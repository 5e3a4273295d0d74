"""The share pictures' font: Noto Sans CJK SC from the operating system, never from a download.

The share pictures (share_images.py) set their Chinese text in Noto Sans CJK SC (SIL Open Font
License), as packaged by Debian and Ubuntu: ``apt install fonts-noto-cjk`` puts
``NotoSansCJK-Regular.ttc`` and ``NotoSansCJK-Bold.ttc`` in ``/usr/share/fonts/opentype/noto/``, where
they are found with no setting. ``SHARE_FONT_PATH`` names another file (another system's path, or a
font kept with the site): a .ttc, .otf or .ttf with a Simplified Chinese face (a face named "... SC",
as in Noto Sans CJK and Source Han Sans). The bold text takes the file beside it with ``Bold`` in
place of ``Regular`` when there is one, the weight axis of a variable font, or else the regular face.

Without the font the site still runs: the system check ``piyao.W002`` says so at start-up and each
clarification is shared with the site's default picture instead of one drawn for it (``available``).
"""

import os
from contextlib import suppress
from functools import lru_cache

from django.conf import settings
from django.core.checks import Warning
from PIL import ImageFont

REGULAR, BOLD = 400, 700
DEBIAN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class FontMissing(LookupError):
    """No Simplified Chinese face at SHARE_FONT_PATH (or Debian's path), so no picture can be drawn."""


def font_path():
    return settings.SHARE_FONT_PATH or DEBIAN_FONT


@lru_cache(maxsize=8)
def _face_index(path):
    """The index of the Simplified Chinese face in the font file, or None (no file, or no such face)."""
    if not os.path.isfile(path):  # Pillow would otherwise look for a file of that name in the system's fonts
        return None
    for index in range(16):
        try:
            name = ImageFont.truetype(path, 12, index=index).getname()[0]
        except OSError:  # no such file, not a font, or past the collection's last face
            return None
        if name and name.endswith(" SC"):
            return index
    return None


def font_file(weight=REGULAR):
    """``(path, index)`` of the Simplified Chinese face for ``weight``, or None when there is none."""
    path = font_path()
    bold = path.replace("Regular", "Bold")
    if weight >= BOLD and bold != path and _face_index(bold) is not None:
        return bold, _face_index(bold)
    index = _face_index(path)
    return None if index is None else (path, index)


def available():
    return font_file() is not None


def font(size, weight=REGULAR):
    """The face for ``size`` and ``weight``; ``FontMissing`` when no font is installed."""
    found = font_file(weight)
    if found is None:
        raise FontMissing(f"No Simplified Chinese face in {font_path()}: install fonts-noto-cjk or set SHARE_FONT_PATH")
    return _load(*found, size, weight)


@lru_cache(maxsize=32)
def _load(path, index, size, weight):
    face = ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
    # A font with one weight per file (Debian's) has no weight axis: the file already has the weight.
    with suppress(OSError):
        face.set_variation_by_axes([weight])
    return face


def check_share_font(app_configs, **kwargs):  # noqa: ARG001 (Django passes app_configs by name)
    """System check: without a CJK font the share pictures fall back to the site's default picture."""
    if available():
        return []
    return [
        Warning(
            f"No Simplified Chinese font at {font_path()}: every clarification will be shared with the site's "
            "default picture instead of one showing its verdict, rumor and truth.",
            hint="Install Noto Sans CJK (Debian and Ubuntu: apt install fonts-noto-cjk), or set SHARE_FONT_PATH "
            "to a font file with a Simplified Chinese face.",
            id="piyao.W002",
        )
    ]
