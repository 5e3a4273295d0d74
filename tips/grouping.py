"""Finding the tips that report the same rumor.

Citizens paste the same chain message with small changes (an emoji, a forwarded-from line, a
different date), so tips are compared by the terms the search reads in them (Chinese character
pairs, stemmed English words: ``clarifications.search.analysis``). Two texts share a rumor when the
shorter one's terms are mostly in the longer (so a quote inside a longer message still matches): the
same measure, and the same threshold, by which a pasted message "strongly" matches a clarification's
claim (``clarifications.search.ranking``). Grouping is only a suggestion: staff confirm, merge or
split groups in the admin.

A tip's words are what the citizen wrote and what their screenshot says (``Tip.full_text``, once the
task queue has read it). Tips whose screenshots are the same picture (re-compressed, resized or
cropped: ``tips.fingerprints``) report the same rumor whatever their words, and that is checked first.
"""

from datetime import timedelta

from django.utils import timezone

from clarifications.search import parse_query
from clarifications.search.ranking import CLAIM_COVERAGE_STRONG

from . import fingerprints
from .models import Tip

SIMILARITY_THRESHOLD = CLAIM_COVERAGE_STRONG
RECENT_DAYS = 60
RECENT_LIMIT = 500


def terms(text):
    query = parse_query(text)
    return set(query.terms) | set(query.prefixes)


def similarity(first, second):
    a, b = terms(first), terms(second)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def recent_open_tips(exclude_pk=None):
    recent = Tip.objects.open().filter(submitted_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    return recent.order_by("-submitted_at")


def similar_open_tips(text, *, exclude_pk=None, limit=5):
    """Recent open tips reporting what looks like the same rumor, most similar first: ``[(score, tip)]``."""
    scored = []
    fields = ["pk", "code", "text", "screenshot_text", "rumor_id"]
    for tip in recent_open_tips(exclude_pk).only(*fields)[:RECENT_LIMIT]:
        score = similarity(text, tip.full_text)
        if score >= SIMILARITY_THRESHOLD:
            scored.append((score, tip))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return scored[:limit]


def same_picture_tips(fingerprint, *, exclude_pk=None):
    """Recent open tips whose screenshot is the same picture as ``fingerprint``'s, newest first."""
    if not fingerprint:
        return []
    candidates = recent_open_tips(exclude_pk).exclude(screenshot_fingerprint="")
    return [
        tip
        for tip in candidates.only("pk", "code", "screenshot_fingerprint", "rumor_id")[:RECENT_LIMIT]
        if fingerprints.same_picture(fingerprint, tip.screenshot_fingerprint)
    ]


def candidate_rumor_id(text, *, fingerprint="", exclude_pk=None):
    """The group of an open tip with the same picture, else of the most similar open tip, or None (a
    new tip then starts its own group)."""
    for tip in same_picture_tips(fingerprint, exclude_pk=exclude_pk):
        if tip.rumor_id:
            return tip.rumor_id
    for _score, tip in similar_open_tips(text, exclude_pk=exclude_pk):
        if tip.rumor_id:
            return tip.rumor_id
    return None
