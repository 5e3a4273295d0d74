"""What the public most asks about this week: the "most asked" block and page.

**The signal.** A clarification's score over the last ``DAYS`` days is its page views plus
``REPORT_WEIGHT`` times the reports (tips, and any other channel ``tips.heat`` counts) of the rumors
it answered: a citizen who takes the time to report a rumor says more than one who opens a page.
Searches are not logged (what people type is theirs); a search that leads to a clarification counts
when its page is read.

**Views without personal data.** A clarification's page asks a small script to post a beacon
(``/clarifications/<id>/seen``), which adds one to the clarification's count for the day
(``DailyViews``): no cookie, no address or log line is kept, only the number. The beacon comes from
the browser after the page is shown, so it is counted whether the page came from the page cache or
not (a cached page never reaches a view), and robots that do not run scripts are not counted. A
client may post at most ``VIEWS_RATE`` beacons (the shared rate limit, keyed by the address's
keyed hash for the length of the window), so that one machine cannot push a clarification up.
The count is one ``UPDATE … SET views = views + 1`` (or the day's first ``INSERT``), so concurrent
beacons from several workers are never lost.

**Freshness.** The home page and the ranking's own page are cached like every public page, and
their cache entries also carry a ``RANKING_REFRESH_SECONDS`` time slot (``public_page(refresh=…)``),
so the ranking is at most that old while a cached page still costs no query.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tips import heat

from .models import Clarification, DailyViews

DAYS = 7
REPORT_WEIGHT = 10
RANKING_REFRESH_SECONDS = 600


def count_view(clarification_id, *, day=None):
    """Add one view to today's count of a clarification."""
    day = day or timezone.localdate()
    with transaction.atomic():
        updated = DailyViews.objects.filter(clarification_id=clarification_id, day=day).update(views=F("views") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    DailyViews.objects.create(clarification_id=clarification_id, day=day, views=1)
            except IntegrityError:
                # Another worker created the day's row first (PostgreSQL; SQLite's write lock prevents it).
                DailyViews.objects.filter(clarification_id=clarification_id, day=day).update(views=F("views") + 1)


def scores(*, now=None):
    """``{clarification_id: (score, views, reports)}`` over the last ``DAYS`` days, public or not."""
    now = now or timezone.now()
    first_day = timezone.localdate(now) - timedelta(days=DAYS - 1)
    views = dict(
        DailyViews.objects.filter(day__gte=first_day)
        .values("clarification")
        .annotate(total=Sum("views"))
        .order_by()
        .values_list("clarification", "total")
    )
    since = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    reports = heat.reports_per_clarification(since=since, now=now)
    return {
        pk: (views.get(pk, 0) + REPORT_WEIGHT * reports.get(pk, 0), views.get(pk, 0), reports.get(pk, 0))
        for pk in views.keys() | reports.keys()
    }


def most_asked(limit, *, now=None):
    """The ``limit`` public clarifications with the highest scores, highest first (the newer on a tie).

    The scores are summed for every clarification, and the visibility rule is then asked of the best
    ones only, a few more than needed at a time: a week's counts of a large archive are read once,
    with no join, and an item withdrawn or unpublished during the week simply drops out.
    """
    scored = scores(now=now)
    # Newer clarifications have higher ids (near enough for a tie between equal scores).
    best = sorted(scored, key=lambda pk: (-scored[pk][0], -pk))
    ranked = []
    for start in range(0, len(best), 2 * limit):
        candidates = best[start : start + 2 * limit]
        found = Clarification.objects.published().for_cards().in_bulk(candidates)
        ranked += [found[pk] for pk in candidates if pk in found]
        if len(ranked) >= limit:
            break
    ranked = ranked[:limit]
    for item in ranked:
        item.score, item.week_views, item.week_reports = scored[item.pk]
    return ranked
