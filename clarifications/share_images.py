"""Share images: a picture of a clarification for WeChat Moments, chats and ``og:image``.

In WeChat a link is hard to pass on and a picture is easy, so each public clarification has two
pictures drawn on the server with Pillow: ``wide`` (1200 x 630, what Open Graph and most link
previews want) and ``square`` (1080 x 1080, for Moments). Each shows the site's mark, the verdict
as a stamp (colour, icon and word, like the page), the rumor, the truth in a line or two, and the
office's name and the date, with the interface words in the page's language.

The Chinese text is set in Noto Sans CJK SC (SIL Open Font License) from the system's
``fonts-noto-cjk`` package (share_font.py); without it each clarification is shared with the
site's default picture.

Images are cached as files under ``MEDIA_ROOT/share-images/``, named by a hash of everything drawn
(every text as translated, the verdict, the language, the layout version): a change to the clarification gives a new
name, so the next request draws the new picture and removes the old one. Every worker and app server
that shares the media folder shares the cache.
"""

import hashlib
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from .branding import office_name
from .models import Status
from .share_font import BOLD, REGULAR, font

# Bump when the drawing changes, so that cached pictures are redrawn.
LAYOUT_VERSION = "2"
SIZES = {"wide": (1200, 630), "square": (1080, 1080)}
CACHE_FOLDER = "share-images"

NAVY = (11, 58, 110)
SEAL = (179, 38, 30)
INK = (26, 26, 26)
MUTED = (77, 77, 77)
PAPER = (255, 255, 255)
TINT = (243, 246, 250)
VERDICT_COLOURS = {
    "false": (166, 27, 27),
    "misleading": (138, 75, 0),
    "partly_false": (122, 82, 0),
    "unproven": (74, 74, 106),
    "true": (29, 107, 47),
    "withdrawn": MUTED,
}
# Closing punctuation that Chinese typesetting never puts at the start of a line.
NO_LINE_START = "，。！？；：、）》」』”’,.!?;:)"


def words(clarification):
    """Every text the picture shows, in the active language (so a new translation redraws it too)."""
    withdrawn = clarification.status == Status.WITHDRAWN
    published = clarification.published_at
    return {
        "names": " ".join(name for name in (settings.SITE_NAME_ZH, settings.SITE_NAME) if name),
        "office": office_name(),
        "verdict": "withdrawn" if withdrawn else clarification.verdict,
        "label": _("Withdrawn") if withdrawn else str(clarification.get_verdict_display()),
        "claim": _("Rumor: %(claim)s") % {"claim": clarification.claim},
        "truth": _("The truth: %(truth)s") % {"truth": clarification.truth},
        "date": formats.date_format(timezone.localtime(published), "DATE_FORMAT") if published else "",
    }


def cache_key(clarification, variant, language):
    """A hash of everything the picture shows: a new one whenever any of it changes."""
    with translation.override(language):
        shown = words(clarification)
    parts = [LAYOUT_VERSION, variant, language, clarification.pk, *sorted(shown.items())]
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:20]


def share_image(clarification, variant, language):
    """``(png_bytes, etag)`` of the picture, from the file cache or freshly drawn into it."""
    key = cache_key(clarification, variant, language)
    prefix = f"{CACHE_FOLDER}/{clarification.pk}-{variant}-{language}-"
    name = f"{prefix}{key}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            return cached.read(), key
    png = draw(clarification, variant)
    # Older pictures of this clarification (before its last change) are dropped.
    try:
        _folders, files = default_storage.listdir(CACHE_FOLDER)
    except FileNotFoundError:
        files = []
    for old in files:
        if f"{CACHE_FOLDER}/{old}".startswith(prefix):
            default_storage.delete(f"{CACHE_FOLDER}/{old}")
    default_storage.save(name, ContentFile(png))
    return png, key


def draw(clarification, variant):
    """The picture as PNG bytes, with the interface words in the active language."""
    shown = words(clarification)
    width, height = SIZES[variant]
    image = Image.new("RGB", (width, height), PAPER)
    pen = ImageDraw.Draw(image)
    wide = variant == "wide"
    margin = 64 if wide else 72
    text_width = width - 2 * margin

    # Header band: the seal, the names, the red rule above.
    band = 104
    pen.rectangle([0, 0, width, band], fill=NAVY)
    pen.rectangle([0, 0, width, 8], fill=SEAL)
    _seal(pen, margin, 26, 60)
    pen.text((margin + 80, 56), shown["names"], font=font(40, BOLD), fill=PAPER, anchor="lm")
    pen.text((width - margin, 56), shown["office"], font=font(26), fill=PAPER, anchor="rm")

    y = band + (40 if wide else 64)
    stamp_height = 84 if wide else 104
    y = _stamp(pen, margin, y, stamp_height, shown["verdict"], shown["label"]) + (28 if wide else 48)

    small, large = (30, 36) if wide else (38, 46)
    y = _paragraph(pen, margin, y, text_width, shown["claim"], small, MUTED, 2 if wide else 3)
    y += 18 if wide else 36
    _paragraph(pen, margin, y, text_width, shown["truth"], large, INK, 3 if wide else 4, BOLD)

    # Footer: who says so, and when.
    footer = height - (56 if wide else 72)
    pen.line([margin, footer - 28, width - margin, footer - 28], fill=(208, 215, 226), width=2)
    pen.text((margin, footer), shown["office"], font=font(26), fill=MUTED, anchor="lm")
    pen.text((width - margin, footer), shown["date"], font=font(26), fill=MUTED, anchor="rm")

    out = io.BytesIO()
    # A palette of 128 colours keeps the anti-aliased text smooth at a third of the size.
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def _seal(pen, x, y, size):
    """The site's mark: a white square with a red border and a navy tick."""
    pen.rounded_rectangle([x, y, x + size, y + size], radius=size // 6, fill=PAPER, outline=SEAL, width=size // 10)
    k = size / 32
    points = [(x + 9 * k, y + 16.5 * k), (x + 13.5 * k, y + 21 * k), (x + 23 * k, y + 11 * k)]
    pen.line(points, fill=NAVY, width=round(3.5 * k), joint="curve")


def _stamp(pen, x, y, height, verdict, label):
    """The verdict as on the page: a bordered stamp with the icon and the word. Returns its bottom."""
    colour = VERDICT_COLOURS[verdict]
    face = font(round(height * 0.55), BOLD)
    icon = round(height * 0.56)
    pad = round(height * 0.28)
    label_width = pen.textlength(label, font=face)
    right = x + pad + icon + pad * 0.7 + label_width + pad
    border = max(4, height // 16)
    pen.rounded_rectangle([x, y, right, y + height], radius=height // 8, outline=colour, width=border)
    _icon(pen, x + pad, y + (height - icon) / 2, icon, verdict, colour)
    pen.text((x + pad + icon + pad * 0.7, y + height / 2), label, font=face, fill=colour, anchor="lm")
    return y + height


def _icon(pen, x, y, size, verdict, colour):
    """The verdict's icon, the same shapes as templates/includes/verdict_badge.html."""
    k = size / 16
    width = max(3, round(1.8 * k))

    def p(px, py):
        return (x + px * k, y + py * k)

    def circle():
        pen.ellipse([*p(1.5, 1.5), *p(14.5, 14.5)], outline=colour, width=width)

    if verdict == "false":
        circle()
        pen.line([p(5.5, 5.5), p(10.5, 10.5)], fill=colour, width=width)
        pen.line([p(10.5, 5.5), p(5.5, 10.5)], fill=colour, width=width)
    elif verdict == "true":
        circle()
        pen.line([p(4.8, 8.3), p(7, 10.5), p(11.2, 5.9)], fill=colour, width=width, joint="curve")
    elif verdict == "misleading":
        pen.polygon([p(8, 1.8), p(14.6, 13.8), p(1.4, 13.8)], outline=colour, width=width)
        pen.line([p(8, 6.3), p(8, 9.7)], fill=colour, width=width)
        pen.ellipse([*p(7.1, 11.1), *p(8.9, 12.9)], fill=colour)
    elif verdict == "partly_false":
        circle()
        pen.pieslice([*p(1.5, 1.5), *p(14.5, 14.5)], 90, 270, fill=colour)
    elif verdict == "unproven":
        circle()
        pen.arc([*p(6, 4.3), *p(10, 8.3)], 180, 90, fill=colour, width=width)
        pen.line([p(8, 8.3), p(8, 9.7)], fill=colour, width=width)
        pen.ellipse([*p(7.1, 11.1), *p(8.9, 12.9)], fill=colour)
    else:  # withdrawn: a struck-through circle
        circle()
        pen.line([p(4, 12), p(12, 4)], fill=colour, width=width)


def _paragraph(pen, x, y, width, text, size, colour, max_lines, weight=REGULAR):
    """``text`` wrapped to ``width`` in at most ``max_lines`` lines. Returns the bottom."""
    face = font(size, weight)
    line_height = round(size * 1.45)
    for line in wrap(text, face, width, max_lines):
        pen.text((x, y), line, font=face, fill=colour)
        y += line_height
    return y


def wrap(text, face, width, max_lines):
    """Lines of ``text`` no wider than ``width``: Chinese breaks between characters, English between
    words, and no line starts with a closing mark (it stays, slightly over, on the line before);
    the last line ends with an ellipsis when text is left over."""
    tokens = _tokens(" ".join(text.split()))
    lines, current = [], ""
    for token in tokens:
        candidate = current + token
        fits = face.getlength(candidate.rstrip()) <= width
        if fits or not current or token[0] in NO_LINE_START:
            current = candidate
            continue
        lines.append(current.rstrip())
        current = token.lstrip()
        if len(lines) == max_lines:
            return _with_ellipsis(lines, face, width)
    if current:
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        return _with_ellipsis(lines[:max_lines], face, width)
    return lines


def _tokens(text):
    """Chinese characters one by one, Latin words with their following space, punctuation alone."""
    tokens, word = [], ""
    for char in text:
        if char.isascii() and (char.isalnum() or char in "'-"):
            word += char
            continue
        if word:
            tokens.append(word)
            word = ""
        if char == " " and tokens:
            tokens[-1] += " "
        else:
            tokens.append(char)
    if word:
        tokens.append(word)
    return tokens


def _with_ellipsis(lines, face, width):
    last = lines[-1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1]
    lines[-1] = last.rstrip(" ,.;:，。；：、") + "…"
    return lines
