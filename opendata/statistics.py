"""Monthly statistics of the office's work, for the open-data page.

For each of the last ``MONTHS`` calendar months (in ``TIME_ZONE``; the current one so far):

- **clarifications published**, by verdict and by topic: what ``Clarification.objects.published()``
  shows, counted in the month of its publish time (a clarification with two topics counts under each);
- **reports received**: tips submitted in the month, whatever became of them;
- **reports answered**: tips closed as answered in the month;
- **median time to clarification**: for the clarifications published in the month that answered at
  least one report received before they were published, the median time from that first report to
  the publication.

Each figure is one query over the whole window, in the same SQL on both databases and with no per-row
date function: clarifications with a conditional ``COUNT(... FILTER ...)`` per month; tips, ten times
as many, with one ``COUNT(*)`` per month over an index range, joined by ``UNION ALL``; the first report
of each clarification from the index on (clarification, submitted_at). Medians are taken in Python.
``benchmarks/open_data_bench.py`` times them at 100,000 clarifications and 1,000,000 tips.

**Caching.** Tips change without moving the content version that the whole-page cache keys on
(``clarifications/pagecache.py``), and a new month begins without any write: a page cached whole
would keep showing old counts. So the page is not cached whole; the figures are kept in Django's cache
for ``CACHE_SECONDS`` under the content version, so a publication shows at once and a new tip within
that time. When the cache is unreachable they are computed for each request.
"""

import bisect
import logging
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.core.cache import cache
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.utils import timezone

from clarifications.models import Clarification, ContentVersion, Topic, Verdict
from clarifications.pagecache import cache_outage_errors
from core.sql import EpochSeconds
from tips.models import ReportStatus, Tip

logger = logging.getLogger(__name__)

MONTHS = 12
CACHE_SECONDS = 300
SECONDS_PER_DAY = 86400


@dataclass
class Month:
    start: datetime
    current: bool
    published: int = 0
    by_verdict: dict[str, int] = field(default_factory=dict)
    received: int = 0
    answered: int = 0
    median_days: float | None = None
    timed: int = 0  # clarifications the median is taken over

    @property
    def verdict_counts(self):
        """The counts in ``Verdict`` order, for a table's columns."""
        return [self.by_verdict.get(verdict, 0) for verdict in Verdict.values]


@dataclass
class TopicRow:
    topic: Topic
    counts: list[int]

    @property
    def total(self):
        return sum(self.counts)


@dataclass
class Statistics:
    months: list[Month]
    topics: list[TopicRow]
    computed_at: datetime


def month_starts(now, count=MONTHS):
    """The starts of the last ``count`` local calendar months up to ``now``'s, oldest first, then the
    start of the next month (the window's end)."""
    local = timezone.localtime(now)
    current = local.year * 12 + local.month - 1
    return [
        datetime(number // 12, number % 12 + 1, 1, tzinfo=local.tzinfo)
        for number in range(current - count + 1, current + 2)
    ]


def _per_month(field_name, bounds):
    """Conditional counts ``m0`` … ``mN`` of rows whose ``field_name`` falls in each month."""
    return {
        f"m{index}": Count("pk", filter=Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end}))
        for index, (start, end) in enumerate(pairwise(bounds))
    }


def compute(now=None) -> Statistics:
    now = now or timezone.now()
    bounds = month_starts(now)
    count = len(bounds) - 1
    months = [Month(start=start, current=index == count - 1) for index, start in enumerate(bounds[:-1])]
    published = Clarification.objects.published().filter(published_at__gte=bounds[0], published_at__lt=bounds[-1])

    for verdict, counts in verdict_counts(published, bounds).items():
        for month, number in zip(months, counts, strict=True):
            month.by_verdict[verdict] = number
            month.published += number
    for month, received, answered in zip(months, reports_received(bounds), reports_answered(bounds), strict=True):
        month.received, month.answered = received, answered
    for month, delays in zip(months, days_to_clarification(published, bounds), strict=True):
        month.timed = len(delays)
        month.median_days = statistics.median(delays) if delays else None
    return Statistics(months=months, topics=topic_rows(published, bounds), computed_at=now)


def _counts(row, bounds):
    return [row[f"m{index}"] for index in range(len(bounds) - 1)]


def verdict_counts(published, bounds):
    """``{verdict: [count per month]}`` of the public clarifications in the window."""
    rows = published.order_by().values("verdict").annotate(**_per_month("published_at", bounds))
    return {row["verdict"]: _counts(row, bounds) for row in rows}


def topic_rows(published, bounds):
    """A row per topic with a public clarification in the window, the most used first."""
    links = Clarification.topics.through.objects.filter(clarification__in=published.values("pk"))
    per_topic = links.order_by().values("topic_id").annotate(**_per_month("clarification__published_at", bounds))
    counts = {row["topic_id"]: _counts(row, bounds) for row in per_topic}
    rows = [TopicRow(topic=topic, counts=counts[topic.pk]) for topic in Topic.objects.filter(pk__in=counts)]
    rows.sort(key=lambda row: (-row.total, row.topic.name))
    return rows


def _range_counts(queryset, field_name, bounds):
    """Rows of ``queryset`` whose ``field_name`` falls in each month: one COUNT per month over an index
    range, joined by UNION ALL into one statement. For the tips, far more numerous than clarifications,
    this is three times faster than one pass with a conditional count per month."""
    parts = [
        queryset.filter(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
        .order_by()
        .values(month=Value(index, output_field=IntegerField()))
        .annotate(count=Count("*"))  # not COUNT(id): PostgreSQL then counts from the index alone
        for index, (start, end) in enumerate(pairwise(bounds))
    ]
    found = {row["month"]: row["count"] for row in parts[0].union(*parts[1:], all=True)}
    return [found.get(index, 0) for index in range(len(parts))]


def reports_received(bounds):
    return _range_counts(Tip.objects.all(), "submitted_at", bounds)


def reports_answered(bounds):
    return _range_counts(Tip.objects.filter(status=ReportStatus.ANSWERED), "closed_at", bounds)


def days_to_clarification(published, bounds):
    """Per month, the days from each clarification's first report to its publication.

    The first report is read from the index on (clarification, submitted_at), one step a clarification;
    one reported only after its publication does not count. Both times come back as plain numbers.
    """
    delays: list[list[float]] = [[] for _ in range(len(bounds) - 1)]
    first_report = Tip.objects.filter(clarification=OuterRef("pk")).order_by("submitted_at").values("submitted_at")
    rows = published.order_by().annotate(first_report=Subquery(first_report[:1]))
    rows = rows.filter(first_report__lte=F("published_at")).values_list(
        EpochSeconds("published_at"), EpochSeconds("first_report")
    )
    edges = [bound.timestamp() for bound in bounds]
    for moment, first in rows.iterator(chunk_size=2000):
        delays[bisect.bisect_right(edges, moment) - 1].append((moment - first) / SECONDS_PER_DAY)
    return delays


def monthly_statistics() -> Statistics:
    """``compute()``, kept in the cache for ``CACHE_SECONDS`` per content version (module docstring)."""
    key = f"opendata:statistics:{ContentVersion.token()}"
    try:
        found = cache.get(key)
    except cache_outage_errors():
        return compute()
    if found is not None:
        return found
    result = compute()
    try:
        cache.set(key, result, CACHE_SECONDS)
    except cache_outage_errors() as error:
        logger.warning("Cache unreachable (%s): open-data statistics computed for each request.", error)
    return result
