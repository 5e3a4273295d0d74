"""Finding the reports (citizens' tips, staff's sightings) of the same rumor.

Citizens paste the same chain message with small changes (an emoji, a forwarded-from line, a
different date), so tips are compared by the terms the search reads in them (Chinese character
pairs, stemmed English words: ``clarifications.search.analysis``). Two texts share a rumor when the
shorter one's terms are mostly in the longer (so a quote inside a longer message still matches): the
same measure, and the same threshold, by which a pasted message "strongly" matches a clarification's
claim (``clarifications.search.ranking``). Grouping is only a suggestion: staff confirm, merge or
split groups in the admin.

A tip's words are what the citizen wrote and what their screenshot says (``Tip.matching_text``, once the
task queue has read it). Tips whose screenshots are the same picture (re-compressed, resized or
cropped: ``tips.casework.fingerprints``) report the same rumor whatever their words, and that is checked first.

A sighting is read like a tip: its typed text and the text read from its screenshot together
(``Sighting.matching_text``). A new report joins the group of the most similar open report of either
channel, so a rumor staff found on patrol and the same rumor a citizen sends later share one group.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import Truncator

from clarifications.search import parse_query
from clarifications.search.ranking import CLAIM_COVERAGE_STRONG
from tips.models import Sighting, Tip

from . import fingerprints

SIMILARITY_THRESHOLD = CLAIM_COVERAGE_STRONG
RECENT_DAYS = 60
RECENT_LIMIT = 500


def terms(text):
    query = parse_query(text)
    return set(query.terms) | set(query.prefixes)


def similarity(first_terms, second_terms):
    """How much of the shorter of two texts' terms (``terms()``) the longer one holds, 0 to 1."""
    if not first_terms or not second_terms:
        return 0.0
    return len(first_terms & second_terms) / min(len(first_terms), len(second_terms))


def recent_open_tips(exclude_pk=None):
    recent = Tip.objects.open().filter(submitted_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    return recent.order_by("-submitted_at")


def recent_open_sightings(exclude_pk=None):
    recent = Sighting.objects.open().filter(seen_at__gte=timezone.now() - timedelta(days=RECENT_DAYS))
    if exclude_pk is not None:
        recent = recent.exclude(pk=exclude_pk)
    return recent.order_by("-seen_at")


def _most_similar(text, reports, limit):
    """The ``reports`` (the newest ``RECENT_LIMIT``) similar to ``text``, most similar first: ``[(score, report)]``."""
    text_terms = terms(text)  # once, not once a report
    scored = []
    for report in reports[:RECENT_LIMIT]:
        score = similarity(text_terms, terms(report.matching_text))
        if score >= SIMILARITY_THRESHOLD:
            scored.append((score, report))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return scored[:limit]


def similar_open_tips(text, *, exclude_pk=None, limit=5):
    """Recent open tips reporting what looks like the same rumor, most similar first: ``[(score, tip)]``."""
    fields = ["pk", "code", "text", "screenshot_text", "rumor_id"]
    return _most_similar(text, recent_open_tips(exclude_pk).only(*fields), limit)


def similar_open_sightings(text, *, exclude_pk=None, limit=5):
    """Recent open sightings of what looks like the same rumor, most similar first: ``[(score, sighting)]``."""
    fields = ["pk", "text", "screenshot_text", "rumor_id", "platform"]
    return _most_similar(text, recent_open_sightings(exclude_pk).only(*fields), limit)


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


def candidate_rumor_id(text, *, fingerprint="", exclude_pk=None, exclude_sighting=None):
    """The group of an open tip with the same picture, else of the most similar open report (tip or
    sighting), or None: a new report then starts its own group. ``exclude_pk`` leaves out a tip and
    ``exclude_sighting`` a sighting, regrouped after their text changed."""
    for tip in same_picture_tips(fingerprint, exclude_pk=exclude_pk):
        if tip.rumor_id:
            return tip.rumor_id
    if not terms(text):
        # Nothing to compare (a picture without words): no need to read the recent reports.
        return None
    found = similar_open_tips(text, exclude_pk=exclude_pk) + similar_open_sightings(text, exclude_pk=exclude_sighting)
    found.sort(key=lambda pair: pair[0], reverse=True)
    for _score, report in found:
        if report.rumor_id:
            return report.rumor_id
    return None


def rumor_label(text, *, fallback):
    """A new group's label: the start of its first report, or ``fallback`` for a report without words."""
    return Truncator(" ".join(text.split())).chars(80) or str(fallback)
