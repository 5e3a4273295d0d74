"""A clarification's truth, shortened where a sentence ends.

The answer card, "copy for WeChat" and the share picture show the truth whole when it fits, and
otherwise as many of its first sentences as fit, followed by "…": a truth cut in mid-sentence can
say the opposite of the whole ("the school is closed" of "the school is closed on Monday only").
Only when the first sentence alone is too long is it cut after a clause (a comma, a semicolon),
then between words (between characters in Chinese), always with "…"; counted in characters, a
first sentence up to twice the limit is kept whole rather than cut (``excerpt_chars``).

What "fits" means is the caller's: a number of characters for text, a number of lines drawn for a
picture (``excerpt(text, fits=...)`` takes a predicate).
"""

import re

ELLIPSIS = "…"
# Closing quotes and brackets that stay with the mark before them.
_CLOSERS = "”’」』）)\"'"
# A sentence ends at 。！？ (Chinese) or . ! ? followed by a space (English, so that "3.5" is not an end).
SENTENCE_END = re.compile(rf"[。！？]+[{_CLOSERS}]*|[.!?]+[{_CLOSERS}]*(?=\s)")
CLAUSE_END = re.compile(rf"[，；：、,;:]+[{_CLOSERS}]*")
# Between words: after a space, or between two characters that are not Latin letters or digits.
WORD_END = re.compile(r"(?<=\s)|(?<=[^\x00-\x7f])(?=.)")
# What a clause or word cut leaves dangling before the "…".
_TRAILING = " ,;:，；：、"


def excerpt(text, *, fits):
    """``text`` (its white space collapsed) if ``fits(text)``, else the longest beginning that ends at a
    sentence, a clause or a word, in that order of preference, with "…" after it, that fits."""
    text = " ".join(text.split())
    if fits(text):
        return text
    for boundary, keep_mark in ((SENTENCE_END, True), (CLAUSE_END, False), (WORD_END, False)):
        ends = sorted({match.end() for match in boundary.finditer(text) if 0 < match.end() < len(text)}, reverse=True)
        for end in ends:
            shortened = _with_ellipsis(text[:end], keep_mark)
            if fits(shortened):
                return shortened
    return ELLIPSIS


def excerpt_chars(text, limit):
    """``text`` in about ``limit`` characters (the "…" included), cut as ``excerpt`` cuts, except that a
    first sentence longer than ``limit`` is kept whole up to twice that: English says in 170 letters
    what Chinese says in 80, and half a sentence can say the opposite of the whole."""
    text = " ".join(text.split())
    shortened = excerpt(text, fits=lambda candidate: len(candidate) <= limit)
    first = SENTENCE_END.search(text)
    if shortened == text or first is None or len(shortened) - 1 >= first.end():
        return shortened
    first_sentence = _with_ellipsis(text[: first.end()], keep_mark=True)
    return first_sentence if len(first_sentence) <= 2 * limit else shortened


def _with_ellipsis(beginning, keep_mark):
    beginning = beginning.rstrip() if keep_mark else beginning.rstrip(_TRAILING)
    # English keeps a space before the "…" after a full stop ("deadline. …"); Chinese needs none.
    spacer = " " if keep_mark and beginning[-1:].isascii() else ""
    return f"{beginning}{spacer}{ELLIPSIS}"
