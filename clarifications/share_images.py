"""Share images: a picture of a clarification for WeChat Moments, chats and ``og:image``.

In WeChat a link is hard to pass on and a picture is easy, so each public clarification has two
pictures drawn on the server with Pillow: ``wide`` (1200 x 630, what Open Graph and most link
previews want) and ``square`` (1080 x 1080, for Moments). Each shows the site's mark, the verdict
as a stamp (colour, icon and word, like the page), the rumor, the truth, the confirming authority
and the date, and a QR code of the page's address (drawn from ``segno``'s matrix), with the
interface words in the page's language.

The truth is drawn whole: its size steps down (and the rumor gives up a line) until it fits its
box; a truth too long even then is cut after its last sentence that fits, with "…" (see
excerpts.py), never in mid-sentence.

The Chinese text is set in Noto Sans CJK SC (SIL Open Font License) from the system's
``fonts-noto-cjk`` package (share_font.py); without it each clarification is shared with the
site's default picture.

Images are cached as files under ``MEDIA_ROOT/share-images/``, named by a hash of everything drawn
(every text as translated, the verdict, the language, the page's address, the layout version): a
change to the clarification gives a new name, so the next request draws the new picture and removes
the old one. Every worker and app server that shares the media folder shares the cache.
"""

import hashlib
import io

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from .branding import office_name
from .excerpts import excerpt
from .share_font import BOLD, font

# Bump when the drawing changes, so that cached pictures are redrawn.
LAYOUT_VERSION = "4"
SIZES = {"wide": (1200, 630), "square": (1080, 1080)}
CACHE_FOLDER = "share-images"

NAVY = (11, 58, 110)
SEAL = (179, 38, 30)
INK = (26, 26, 26)
MUTED = (77, 77, 77)
PAPER = (255, 255, 255)
RULE = (208, 215, 226)
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


def words(clarification, url):
    """Every text the picture shows, in the active language (so a new translation redraws it too),
    and the page's address its QR code holds."""
    withdrawn = clarification.is_withdrawn
    published = clarification.published_at
    return {
        "names": " ".join(name for name in (settings.SITE_NAME_ZH, settings.SITE_NAME) if name),
        "office": office_name(),
        "verdict": "withdrawn" if withdrawn else clarification.verdict,
        "label": _("Withdrawn") if withdrawn else str(clarification.get_verdict_display()),
        "claim": _("Rumor: %(claim)s") % {"claim": clarification.claim},
        "truth_label": _("The truth: %(truth)s") % {"truth": ""},
        "truth": clarification.truth,
        "authority": _("Confirmed by: %(authority)s") % {"authority": clarification.authority_name or office_name()},
        "date": formats.date_format(timezone.localtime(published), "DATE_FORMAT") if published else "",
        "scan": _("Scan to read it in full"),
        "url": url,
    }


def cache_key(clarification, variant, language, url):
    """A hash of everything the picture shows: a new one whenever any of it changes."""
    with translation.override(language):
        shown = words(clarification, url)
    parts = [LAYOUT_VERSION, variant, language, clarification.pk, *sorted(shown.items())]
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:20]


def share_image(clarification, variant, language, url):
    """``(png_bytes, etag)`` of the picture, from the file cache or freshly drawn into it.

    ``url`` is the page's absolute address, for the QR code."""
    key = cache_key(clarification, variant, language, url)
    prefix = f"{CACHE_FOLDER}/{clarification.pk}-{variant}-{language}-"
    name = f"{prefix}{key}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as cached:
            return cached.read(), key
    png = draw(clarification, variant, url)
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


class Layout:
    """Where things go on each variant, in pixels: the tests read the same boxes."""

    def __init__(self, variant):
        self.width, self.height = SIZES[variant]
        wide = variant == "wide"
        self.margin = 64 if wide else 72
        self.band = 104
        self.stamp_top = self.band + (40 if wide else 64)
        self.stamp_height = 84 if wide else 104
        self.after_stamp = 24 if wide else 40
        # The rumor: its size and how many lines it may take (fewer when the truth needs the room).
        self.claim_size = 28 if wide else 34
        self.claim_lines = (2, 1) if wide else (3, 2, 1)
        self.after_claim = 16 if wide else 28
        # The truth: the sizes tried, largest first.
        self.truth_sizes = (36, 34, 32, 30, 28, 26) if wide else (46, 42, 40, 38, 36, 34, 32, 30)
        # The QR code: at the top right of the wide picture, at the bottom right of the square one.
        self.qr_size = 164 if wide else 196
        self.qr_left = self.width - self.margin - self.qr_size
        self.qr_top = self.stamp_top if wide else self.height - self.margin - self.qr_size - 32
        self.qr_bottom = self.qr_top + self.qr_size + 34  # its caption included
        # The footer: a rule, then who confirms it and when.
        self.rule = self.height - (84 if wide else 316)
        self.footer = self.height - (56 if wide else 0)
        self.wide = wide

    def text_width(self, top):
        """The width of text at ``top``: beside the QR code until below it."""
        if self.wide and top < self.qr_bottom:
            return self.qr_left - 40 - self.margin
        return self.width - 2 * self.margin

    @property
    def truth_bottom(self):
        return self.rule - (16 if self.wide else 28)


def draw(clarification, variant, url):
    """The picture as PNG bytes, with the interface words in the active language."""
    shown = words(clarification, url)
    layout = Layout(variant)
    width, height, margin = layout.width, layout.height, layout.margin
    image = Image.new("RGB", (width, height), PAPER)
    pen = ImageDraw.Draw(image)

    # Header band: the seal, the names, the red rule above.
    pen.rectangle([0, 0, width, layout.band], fill=NAVY)
    pen.rectangle([0, 0, width, 8], fill=SEAL)
    _seal(pen, margin, 26, 60)
    pen.text((margin + 80, 56), shown["names"], font=font(40, BOLD), fill=PAPER, anchor="lm")
    pen.text((width - margin, 56), shown["office"], font=font(26), fill=PAPER, anchor="rm")

    y = _stamp(pen, margin, layout.stamp_top, layout.stamp_height, shown["verdict"], shown["label"])
    y += layout.after_stamp
    claim_lines, truth_lines, truth_size = fit_text(layout, y, shown)
    claim_face = font(layout.claim_size)
    for line in claim_lines:
        pen.text((margin, y), line, font=claim_face, fill=MUTED)
        y += line_height(layout.claim_size)
    y += layout.after_claim
    truth_face = font(truth_size, BOLD)
    for line in truth_lines:
        pen.text((margin, y), line, font=truth_face, fill=INK)
        y += line_height(truth_size)

    _qr(pen, layout, shown["url"])
    # Centred under the code, unless that would cross the margin (the words are wider than the code).
    half = pen.textlength(shown["scan"], font=font(20)) / 2
    centre = min(layout.qr_left + layout.qr_size / 2, width - margin - half)
    pen.text((centre, layout.qr_top + layout.qr_size + 8), shown["scan"], font=font(20), fill=MUTED, anchor="mt")

    # Footer: who confirms it, and when.
    pen.line([margin, layout.rule, width - margin, layout.rule], fill=RULE, width=2)
    if layout.wide:
        date_width = pen.textlength(shown["date"], font=font(26))
        room = width - 2 * margin - date_width - 32
        # Who confirms it is the point of the picture: a smaller size before any cut.
        size = next((size for size in (26, 23, 20) if pen.textlength(shown["authority"], font=font(size)) <= room), 20)
        authority = wrap(shown["authority"], font(size), room, 1)[0]
        pen.text((margin, layout.footer), authority, font=font(size), fill=MUTED, anchor="lm")
        pen.text((width - margin, layout.footer), shown["date"], font=font(26), fill=MUTED, anchor="rm")
    else:
        y = layout.rule + 36
        column = layout.qr_left - 40 - margin
        for line in wrap(shown["authority"], font(30, BOLD), column, 3):
            pen.text((margin, y), line, font=font(30, BOLD), fill=MUTED)
            y += line_height(30)
        pen.text((margin, y + 8), shown["date"], font=font(28), fill=MUTED)

    out = io.BytesIO()
    # A palette of 128 colours keeps the anti-aliased text smooth at a third of the size.
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
    return out.getvalue()


def line_height(size):
    return round(size * 1.4)


def fit_text(layout, top, shown):
    """``(claim_lines, truth_lines, truth_size)``: the rumor in as many of its lines as leave the truth
    whole at the largest size that fits; a truth too long for the smallest size is cut at a sentence."""
    claim_face = font(layout.claim_size)

    def truth_lines(claim_count, size, text):
        truth_top = top + claim_count * line_height(layout.claim_size) + layout.after_claim
        room = (layout.truth_bottom - truth_top) // line_height(size)
        lines = wrap(shown["truth_label"] + text, font(size, BOLD), layout.text_width(truth_top), None)
        return lines if len(lines) <= room else None

    claim = wrap(shown["claim"], claim_face, layout.text_width(top), max(layout.claim_lines))
    for claim_count in layout.claim_lines:
        for size in layout.truth_sizes:
            lines = truth_lines(min(claim_count, len(claim)), size, " ".join(shown["truth"].split()))
            if lines is not None:
                return _claim_in(claim, claim_count, claim_face, layout.text_width(top)), lines, size
    # Not even the smallest size holds it whole beside the shortest rumor: whole sentences, then "…".
    claim_count, size = min(layout.claim_lines), min(layout.truth_sizes)
    cut = excerpt(shown["truth"], fits=lambda text: truth_lines(claim_count, size, text) is not None)
    return _claim_in(claim, claim_count, claim_face, layout.text_width(top)), truth_lines(claim_count, size, cut), size


def _claim_in(lines, count, face, width):
    if len(lines) <= count:
        return lines
    return _with_ellipsis(lines[:count], face, width)


def _qr(pen, layout, url):
    """The page's address as a QR code, black on the white picture (its quiet zone included)."""
    matrix = qr_matrix(url)
    modules = len(matrix) + 2 * QR_BORDER
    scale = layout.qr_size // modules
    left = layout.qr_left + (layout.qr_size - scale * modules) // 2 + QR_BORDER * scale
    top = layout.qr_top + (layout.qr_size - scale * modules) // 2 + QR_BORDER * scale
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                x, y = left + column * scale, top + row * scale
                pen.rectangle([x, y, x + scale - 1, y + scale - 1], fill=(0, 0, 0))


QR_BORDER = 2  # modules of white around the code; the picture's white margin adds to it


def qr_matrix(url):
    """The QR code of ``url`` as rows of 0 and 1 (no quiet zone); error correction "M"."""
    return [list(row) for row in segno.make_qr(url, error="m", boost_error=False).matrix]


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
        # Pillow draws the outline inside the shape: a larger triangle and a shorter mark leave the "!"
        # room to read as one, not as an "A".
        pen.polygon([p(8, 0.6), p(15.6, 14.8), p(0.4, 14.8)], outline=colour, width=width)
        pen.line([p(8, 6.6), p(8, 9.8)], fill=colour, width=width)
        pen.ellipse([*p(7.3, 11.3), *p(8.7, 12.7)], fill=colour)
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


def wrap(text, face, width, max_lines):
    """Lines of ``text`` no wider than ``width``: Chinese breaks between characters, English between
    words, and no line starts with a closing mark (the character before it goes down with it);
    with ``max_lines``, the last line ends with an ellipsis when text is left over."""
    lines: list[str] = []
    current: list[str] = []
    for token in _tokens(" ".join(text.split())):
        if not current or face.getlength("".join([*current, token]).rstrip()) <= width:
            current.append(token)
            continue
        carried = [token]
        while carried[0][0] in NO_LINE_START and len(current) > 1:
            carried.insert(0, current.pop())
        if carried[0][0] in NO_LINE_START:  # a line of one word and its mark: nothing to carry
            current.extend(carried)
            continue
        lines.append("".join(current).rstrip())
        current = carried
        if max_lines is not None and len(lines) == max_lines:
            return _with_ellipsis(lines, face, width)
    if current:
        lines.append("".join(current).rstrip())
    if max_lines is not None and len(lines) > max_lines:
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
