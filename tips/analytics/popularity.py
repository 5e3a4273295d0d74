"""What the public most asks about this week: the "most asked" block and page.

**The signal.** A clarification's score over the last ``DAYS`` days is its page views plus
``REPORT_WEIGHT`` times the reports (every channel ``heat.REPORT_SOURCES`` counts) of the rumors
it answered: a citizen who takes the time to report a rumor says more than one who opens a page.
Searches are not logged (what people type is theirs); a search that leads to a clarification counts
when its page is read.

Page views are counted by ``clarifications.pageviews``.

**Freshness.** The home page and the ranking's own page are cached like every public page, and
their cache entries also carry a ``RANKING_REFRESH_SECONDS`` time slot (``public_page(refresh=…)``),
so the ranking is at most that old while a cached page still costs no query.
"""

import heapq
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from clarifications.models import Clarification, DailyViews

from . import heat

DAYS = 7
REPORT_WEIGHT = 10
RANKING_REFRESH_SECONDS = 600
# The most viewed clarifications read back first (see most_asked); more only when they do not settle it.
CANDIDATES = 200


def most_asked(limit, *, now=None):
    """The ``limit`` public clarifications with the highest scores, highest first (the newer on a tie).

    Exact without reading every count into Python: the week's views are summed in the database and
    only the ``CANDIDATES`` most viewed come back, with the views of every clarification whose rumors
    were reported (few). Any other clarification scores at most the last candidate's views, so the
    ranking is final once the ``limit``-th visible score is above that; otherwise the candidates widen.
    The visibility rule is asked of the best candidates only: an item withdrawn or unpublished during
    the week simply drops out.
    """
    now = now or timezone.now()
    first_day = timezone.localdate(now) - timedelta(days=DAYS - 1)
    since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    reports = heat.reports_per_clarification(since=since, now=now)
    week = DailyViews.objects.filter(day__gte=first_day).values("clarification").annotate(total=Sum("views"))
    candidates = CANDIDATES
    while True:
        top = list(week.order_by("-total", "-clarification").values_list("clarification", "total")[:candidates])
        views = dict(top)
        complete = len(top) < candidates
        floor = 0 if complete else top[-1][1]
        missing = [pk for pk in reports if pk not in views]
        for start in range(0, len(missing), heat.IDS_PER_QUERY):
            chunk = missing[start : start + heat.IDS_PER_QUERY]
            views.update(week.filter(clarification__in=chunk).order_by().values_list("clarification", "total"))
        scores = {pk: views.get(pk, 0) + REPORT_WEIGHT * reports.get(pk, 0) for pk in views.keys() | reports.keys()}
        ranked = _visible_best(scores, limit)
        if complete or (len(ranked) == limit and ranked[-1].score > floor):
            break
        candidates *= 4
    for item in ranked:
        item.week_views, item.week_reports = views.get(item.pk, 0), reports.get(item.pk, 0)
    return ranked


def _visible_best(scores, limit):
    """The ``limit`` public clarifications with the best ``scores``, each with its ``score``."""
    ranked = []
    for chunk in _best_first(scores, 2 * limit):
        found = Clarification.objects.published().for_cards().in_bulk(chunk)
        ranked += [found[pk] for pk in chunk if pk in found]
        if len(ranked) >= limit:
            break
    for item in ranked:
        item.score = scores[item.pk]
    return ranked[:limit]


def _best_first(scores, size):
    """Ids by score, best first (the newer on a tie: ids grow with time), in chunks of ``size``; only
    the first few are sorted unless more are asked for."""

    def order(pk):
        return (-scores[pk], -pk)

    head = heapq.nsmallest(2 * size, scores, key=order)
    yield from (head[start : start + size] for start in range(0, len(head), size))
    rest = sorted(set(scores).difference(head), key=order)
    yield from (rest[start : start + size] for start in range(0, len(rest), size))
