"""The charts of the admin index and of a rumor group's page: what the numbers are, and who sees them.

Reports per day come from ``tips.analytics.heat`` (every channel of reports); clarifications published per
week are counted here, from ``Clarification.objects.published()`` (so a scheduled one counts in the
week it appears, and a withdrawn one no longer counts). A clarification with several topics counts
once in each; the topic chart shows the ``TOPICS_SHOWN`` busiest topics and folds the rest into one.
Weeks start on Monday, in local time.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from clarifications.models import Clarification, Topic, Verdict
from clarifications.verdict_colours import verdict_colours
from core import sql

from . import heat
from .charts import Chart

PERIODS = (30, 90)
WEEKS = 26
TOPICS_SHOWN = 6


def period_from(value):
    """The chart period a query parameter asks for, or the first one."""
    return int(value) if value in {str(days) for days in PERIODS} else PERIODS[0]


def day_label(day):
    return f"{day:%m-%d}"


def report_charts(*, days, rumor=None, now=None):
    """Reports per day by platform and by channel, for all rumors or one."""
    daily = heat.daily_reports(days=days, rumor=rumor, now=now)
    labels = [day_label(day) for day in daily["platform"].days]
    return [
        Chart(
            _("Reports per day by platform, last %(days)d days") % {"days": days},
            labels,
            daily["platform"].series,
            axis=_("Day"),
        ),
        Chart(
            _("Reports per day by channel, last %(days)d days") % {"days": days},
            labels,
            daily["channel"].series,
            axis=_("Day"),
        ),
    ]


def last_weeks(weeks, *, now=None):
    """The Mondays of the last ``weeks`` weeks, this one included, and the moment the first began."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    return [first + timedelta(weeks=offset) for offset in range(weeks)], start


def clarifications_per_week(*, weeks=WEEKS, now=None):
    """``{"verdict": {label: counts}, "topic": {label: counts}}`` and the weeks' Mondays."""
    mondays, start = last_weeks(weeks, now=now)
    index = {monday: position for position, monday in enumerate(mondays)}
    published = Clarification.objects.published().filter(published_at__gte=start)
    local_day, weeks_of_hours = sql.LocalDays(), {}
    offset = sql.fixed_offset(mondays[0], timezone.localdate(now or timezone.now()))

    def week_of(hour):
        """The position of a day's (or hour's) week, worked out once for each (the rows are per day and key)."""
        if hour not in weeks_of_hours:
            day = local_day[hour]
            weeks_of_hours[hour] = index.get(day - timedelta(days=day.weekday()))
        return weeks_of_hours[hour]

    by_verdict: defaultdict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    rows = (
        published.values(hour=sql.DayBucket(F("published_at"), fixed_offset=offset), key=F("verdict"))
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("hour", "key", "count")
    )
    for hour, verdict, number in rows:
        if (position := week_of(hour)) is not None:
            by_verdict[verdict][position] += number

    by_topic: defaultdict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    rows = (
        published.filter(topics__isnull=False)
        .values(hour=sql.DayBucket(F("published_at"), fixed_offset=offset), key=F("topics"))
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("hour", "key", "count")
    )
    for hour, topic_id, number in rows:
        if (position := week_of(hour)) is not None:
            by_topic[topic_id][position] += number

    verdicts = {str(label): by_verdict[value] for value, label in Verdict.choices if value in by_verdict}
    busiest = sorted(by_topic, key=lambda topic_id: -sum(by_topic[topic_id]))
    names = {topic.pk: topic.display_name for topic in Topic.objects.filter(pk__in=busiest[:TOPICS_SHOWN])}
    topics = {names[topic_id]: by_topic[topic_id] for topic_id in busiest[:TOPICS_SHOWN]}
    if rest := busiest[TOPICS_SHOWN:]:
        topics[_("Other topics")] = [sum(by_topic[topic_id][week] for topic_id in rest) for week in range(weeks)]
    return mondays, {"verdict": verdicts, "topic": topics}


def clarification_charts(*, weeks=WEEKS, now=None):
    mondays, counts = clarifications_per_week(weeks=weeks, now=now)
    labels = [day_label(monday) for monday in mondays]
    axis = _("Week starting")
    # Each verdict in the colour the public site gives it (one definition: the public stylesheet).
    palette = {str(label): colour for value, label in Verdict.choices if (colour := verdict_colours().get(value))}
    return [
        Chart(_("Clarifications published per week by verdict"), labels, counts["verdict"], axis=axis, palette=palette),
        Chart(_("Clarifications published per week by topic"), labels, counts["topic"], axis=axis),
    ]


def index_charts(user, *, days, now=None):
    """The admin index's charts that ``user`` may see: reports for tip staff, clarifications for editors."""
    charts = []
    if user.has_perm("tips.view_tip"):
        charts += report_charts(days=days, now=now)
    if user.has_perm("clarifications.view_clarification"):
        charts += clarification_charts(now=now)
    return charts
