"""Page views of clarifications, for "most asked this week" (``tips.analytics.popularity``).

**Without personal data.** A clarification's page asks a small script to post a beacon
(``/clarifications/<id>/seen``), which adds one to the clarification's count for the day
(``DailyViews``): no cookie, no address or log line is kept, only the number. The beacon comes from
the browser after the page is shown, so it is counted whether the page came from the page cache or
not (a cached page never reaches a view), and robots that do not run scripts are not counted. A
client may post at most ``VIEWS_RATE`` beacons (the shared rate limit, keyed by the address's
keyed hash for the length of the window), so that one machine cannot push a clarification up.
The count is one ``UPDATE … SET views = views + 1`` (or the day's first ``INSERT``), so concurrent
beacons from several workers are never lost.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import DailyViews


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
