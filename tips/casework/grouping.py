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
(``Sighting.matching_text``). A new report joins the group of the most similar recent report of either
channel, so a rumor staff found on patrol and the same rumor a citizen sends later share one group.
Recent reports still open count, and so do answered ones: a rumor answered last week that comes back
joins its group, and is answered at once with the group's clarification.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.text import Truncator

from clarifications.search import parse_query
from clarifications.search.ranking import CLAIM_COVERAGE_STRONG
from tips.models import OPEN_STATUSES, REPORT_MODELS, ReportStatus

from . import fingerprints

SIMILARITY_THRESHOLD = CLAIM_COVERAGE_STRONG
RECENT_DAYS = 60
RECENT_LIMIT = 500
GROUPABLE_STATUSES = [*OPEN_STATUSES, ReportStatus.ANSWERED]
# What comparing reads of each kind of report (and what the admin shows of a similar one).
MATCHING_FIELDS = {
    "tip": ["pk", "code", "text", "screenshot_text", "rumor_id", "submitted_at"],
    "sighting": ["pk", "text", "screenshot_text", "rumor_id", "platform", "seen_at"],
}


def terms(text):
    query = parse_query(text)
    return set(query.terms) | set(query.prefixes)


def similarity(first_terms, second_terms):
    """How much of the shorter of two texts' terms (``terms()``) the longer one holds, 0 to 1."""
    if not first_terms or not second_terms:
        return 0.0
    return len(first_terms & second_terms) / min(len(first_terms), len(second_terms))


def recent_groupable(model, *, exclude=None):
    """The reports of one kind received in the last ``RECENT_DAYS`` that a new report may join, newest
    first: the open ones, and the answered ones (a report joining an answered group is answered at once,
    ``tips.casework.answers.on_arrival``); not those closed as not actionable or as duplicates."""
    at = model.reported_at_field
    recent = model.objects.filter(
        status__in=GROUPABLE_STATUSES, **{f"{at}__gte": timezone.now() - timedelta(days=RECENT_DAYS)}
    )
    if exclude is not None and isinstance(exclude, model):
        recent = recent.exclude(pk=exclude.pk)
    return recent.order_by(f"-{at}")


def _most_similar(text_terms, reports):
    """``[(score, report)]`` for the ``reports`` (the newest ``RECENT_LIMIT``) similar to the terms."""
    scored = []
    for report in reports[:RECENT_LIMIT]:
        score = similarity(text_terms, terms(report.matching_text))
        if score >= SIMILARITY_THRESHOLD:
            scored.append((score, report))
    return scored


def similar_reports(text, *, exclude=None, limit=5):
    """Recent open or answered reports (of every kind) of what looks like the same rumor, most similar first:
    ``[(score, report)]``. ``exclude`` leaves out one report (the one being compared)."""
    text_terms = terms(text)  # once, not once a report
    if not text_terms:
        return []
    scored = []
    for model in REPORT_MODELS:
        reports = recent_groupable(model, exclude=exclude).only(*MATCHING_FIELDS[model.kind])
        scored += _most_similar(text_terms, reports)
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return scored[:limit]


def same_picture_reports(fingerprint, *, exclude=None):
    """Recent open or answered reports whose screenshot is the same picture as ``fingerprint``'s, newest first."""
    if not fingerprint:
        return []
    found = []
    for model in REPORT_MODELS:
        candidates = recent_groupable(model, exclude=exclude).exclude(screenshot_fingerprint="")
        found += [
            report
            for report in candidates.only("pk", "screenshot_fingerprint", "rumor_id", model.reported_at_field)[
                :RECENT_LIMIT
            ]
            if fingerprints.same_picture(fingerprint, report.screenshot_fingerprint)
        ]
    return sorted(found, key=lambda report: report.reported_at, reverse=True)


def candidate_rumor_id(text, *, fingerprint="", exclude=None):
    """The group of a recent report with the same picture, else of the most similar recent report (of
    any kind, open or answered), or None: a new report then starts its own group. ``exclude`` leaves
    out the report being regrouped after its text changed."""
    for report in same_picture_reports(fingerprint, exclude=exclude):
        if report.rumor_id:
            return report.rumor_id
    for _score, report in similar_reports(text, exclude=exclude, limit=RECENT_LIMIT):
        if report.rumor_id:
            return report.rumor_id
    return None


def rumor_label(text, *, fallback):
    """A new group's label: the start of its first report, or ``fallback`` for a report without words."""
    return Truncator(" ".join(text.split())).chars(80) or str(fallback)
