"""How hot a reported rumor is: its reports over time, by platform and channel, and a heat score.

**Reports.** A report is one time a rumor reached the office: a citizen's tip, or a sighting staff
recorded on online inspection (counted at the time it was seen). Every count here reads reports
through ``REPORT_SOURCES``, one ``ReportSource`` per channel (a model with a rumor, a platform and a
time), so another channel is one more entry in that list and every number below includes it.

**Heat** is the sum over a rumor's reports of ``exp(-ln 2 × age / HALF_LIFE_DAYS)``: a report made
now counts 1, one made two days ago 0.5, four days ago 0.25. So heat is "how many reports, counting
recent ones most": ten reports last month weigh less than three this morning. The triage queue
lists the groups reported in the last ``WINDOW_DAYS``, sorted by the heat key each group keeps
(``tips.casework.rumors``): an index, so a page of the queue costs the same at a million reports as
at a hundred. A group's own page sums its reports of the window again (``rumor_heats``), with the
counts per platform and channel.

**Accelerating**: at least ``ACCELERATION_MIN_REPORTS`` reports in the last 24 hours, and more than
``ACCELERATION_FACTOR`` times the daily average of the seven days before them. A rumor reported
steadily is not flagged; one that suddenly spreads is, from its third report of the day.

**Days** are local days (``TIME_ZONE``), counted by the database with its own functions, never one
of ours per row (``DayBucket``): PostgreSQL converts the time zone; SQLite adds the zone's offset
when it is fixed over the period, and otherwise counts by UTC hour, folded into local days here.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from django.db.models import (
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Exp
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clarifications.models import Platform
from core.sql import DayBucket, EpochSeconds, LocalDays, fixed_offset
from tips.casework.rumors import HALF_LIFE_DAYS, heat_at
from tips.models import OPEN_STATUSES, REPORT_MODELS, Rumor

WINDOW_DAYS = 30
ACCELERATION_MIN_REPORTS = 3
ACCELERATION_FACTOR = 2.0
# Ids passed as parameters in one query (SQLite allows 32,766 in all).
IDS_PER_QUERY = 5000


class Channel:
    """How a report reached the office (the choices grow with ``REPORT_SOURCES``)."""

    TIP = "tip"
    SIGHTING = "sighting"
    labels: ClassVar[dict] = {TIP: _("Citizens' tips"), SIGHTING: _("Online inspection")}


@dataclass(frozen=True)
class ReportSource:
    """One channel of reports: which model, and which of its fields are the rumor, platform and time."""

    channel: str
    model: type
    time_field: str
    rumor_field: str = "rumor"
    platform_field: str = "platform"

    def reports(self):
        return self.model._default_manager.all()

    def since(self, moment):
        return self.reports().filter(**{f"{self.time_field}__gte": moment})


# One source per kind of report (``tips.models.REPORT_MODELS``), counted at the time the rumor reached
# the office (``Report.reported_at_field``): a new kind of report is counted everywhere once it is there.
REPORT_SOURCES = [ReportSource(model.kind, model, model.reported_at_field) for model in REPORT_MODELS]


def weight(age_days):
    """What one report of that age adds to the heat (the formula in the module docstring)."""
    return math.exp(-math.log(2) * age_days / HALF_LIFE_DAYS)


def weight_sql(time_field, now):
    age_in_days = (Value(now.timestamp()) - EpochSeconds(F(time_field))) / Value(86400.0)
    return Exp(age_in_days * Value(-math.log(2) / HALF_LIFE_DAYS))


# --- One rumor, or a page of them -------------------------------------------------------------------


@dataclass
class RumorHeat:
    """What staff see of one rumor's reports."""

    reports: int = 0
    heat: float = 0.0
    first_at: datetime | None = None
    latest_at: datetime | None = None
    last_day: int = 0
    previous_week: int = 0
    by_platform: dict = field(default_factory=dict)
    by_channel: dict = field(default_factory=dict)
    open_by_channel: dict = field(default_factory=dict)  # reports not closed yet, per channel

    @property
    def accelerating(self):
        return is_accelerating(self.last_day, self.previous_week)

    def platforms(self):
        """``[(label, count)]``, most reports first."""
        labels = dict(Platform.choices)
        return sorted(((labels.get(key, key), count) for key, count in self.by_platform.items()), key=lambda p: -p[1])


def is_accelerating(last_day, previous_week):
    return last_day >= ACCELERATION_MIN_REPORTS and last_day > ACCELERATION_FACTOR * previous_week / 7


def rumor_heats(rumor_ids, *, now=None):
    """``{rumor_id: RumorHeat}`` for these rumors, in one grouped query per channel."""
    now = now or timezone.now()
    window_start, day_ago = now - timedelta(days=WINDOW_DAYS), now - timedelta(days=1)
    week_before = day_ago - timedelta(days=7)
    heats = {rumor_id: RumorHeat() for rumor_id in rumor_ids}
    for source in REPORT_SOURCES:
        at = source.time_field
        rows = (
            source.reports()
            .filter(**{f"{source.rumor_field}__in": list(heats)})
            .values(rumor_key=F(source.rumor_field), platform_key=F(source.platform_field))
            .annotate(
                reports=Count("*"),
                first_at=Min(at),
                latest_at=Max(at),
                heat=Sum(weight_sql(at, now), filter=Q(**{f"{at}__gte": window_start, f"{at}__lte": now})),
                last_day=Count(at, filter=Q(**{f"{at}__gt": day_ago, f"{at}__lte": now})),
                previous_week=Count(at, filter=Q(**{f"{at}__gt": week_before, f"{at}__lte": day_ago})),
                still_open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            )
            .order_by()
        )
        for row in rows:
            heat = heats[row["rumor_key"]]
            heat.reports += row["reports"]
            heat.heat += row["heat"] or 0.0
            heat.last_day += row["last_day"]
            heat.previous_week += row["previous_week"]
            heat.first_at = min(filter(None, [heat.first_at, row["first_at"]]))
            heat.latest_at = max(filter(None, [heat.latest_at, row["latest_at"]]))
            heat.by_platform[row["platform_key"]] = heat.by_platform.get(row["platform_key"], 0) + row["reports"]
            heat.by_channel[source.channel] = heat.by_channel.get(source.channel, 0) + row["reports"]
            heat.open_by_channel[source.channel] = heat.open_by_channel.get(source.channel, 0) + row["still_open"]
    return heats


def rumor_heat(rumor, *, now=None):
    return rumor_heats([rumor.pk], now=now)[rumor.pk]


# --- The triage queue's order -----------------------------------------------------------------------


def _per_rumor(source, queryset, aggregate):
    """A correlated subquery: ``aggregate`` over one rumor's reports in ``queryset`` of ``source``."""
    return Coalesce(
        Subquery(
            queryset.filter(**{source.rumor_field: OuterRef("pk")})
            .order_by()
            .values(source.rumor_field)
            .annotate(value=aggregate)
            .values("value")
        ),
        Value(0),
    )


def hottest_first(rumors):
    """Order a Rumor queryset by heat, hottest first: by the key each group keeps
    (``tips.casework.rumors``), an index, not a sum over every group's reports."""
    return rumors.order_by(F("heat_key").desc(nulls_last=True), "-created_at")


def heat_of(rumor, *, now=None):
    """The heat of a listed group now, from its kept key (exact over all its reports)."""
    return heat_at(rumor.heat_key, now or timezone.now())


def recently_reported(rumors, *, days=WINDOW_DAYS, now=None):
    """The rumors with at least one report in the last ``days`` (by the latest report each keeps)."""
    now = now or timezone.now()
    return rumors.filter(latest_report_at__gte=now - timedelta(days=days))


def accelerating(rumors, *, now=None):
    """The rumors whose reports accelerate (the rule in the module docstring)."""
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    last_day, previous_week = Value(0), Value(0)
    for source in REPORT_SOURCES:
        at = source.time_field
        last_day = last_day + _per_rumor(
            source, source.reports().filter(**{f"{at}__gt": day_ago, f"{at}__lte": now}), Count("*")
        )
        previous_week = previous_week + _per_rumor(
            source,
            source.reports().filter(**{f"{at}__gt": day_ago - timedelta(days=7), f"{at}__lte": day_ago}),
            Count("*"),
        )
    return (
        recently_reported(rumors, days=1, now=now)
        .annotate(reports_last_day=last_day, reports_previous_week=previous_week)
        .filter(reports_last_day__gte=ACCELERATION_MIN_REPORTS)
        .filter(reports_last_day__gt=ACCELERATION_FACTOR * F("reports_previous_week") / 7.0)
    )


# --- Reports per day, for the charts ----------------------------------------------------------------


@dataclass
class DailySeries:
    """Counts per local day for each series (a platform or a channel), oldest day first."""

    days: list[date]
    series: dict[str, list[int]]

    def total(self):
        return sum(sum(counts) for counts in self.series.values())


def last_days(days, *, now=None):
    """The local dates of the last ``days`` days, today included, and the moment the first began."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    return [first + timedelta(days=offset) for offset in range(days)], start


def daily_reports(*, days, rumor=None, now=None):
    """Reports per local day over the last ``days`` days (today included), for all rumors or one:
    ``{"platform": DailySeries, "channel": DailySeries}``, from one grouped query per channel.

    Series are keyed by the platform's or channel's label, in the order of their choices; one with
    no report in the period is left out, so a chart's legend lists what is there.
    """
    day_list, start = last_days(days, now=now)
    index = {day: position for position, day in enumerate(day_list)}
    local_day, offset = LocalDays(), fixed_offset(day_list[0], day_list[-1])
    counts: dict[str, defaultdict[str, list[int]]] = {
        "platform": defaultdict(lambda: [0] * len(day_list)),
        "channel": defaultdict(lambda: [0] * len(day_list)),
    }
    for source in REPORT_SOURCES:
        reports = source.since(start)
        if rumor is not None:
            reports = reports.filter(**{source.rumor_field: rumor})
        rows = (
            reports.values(
                hour=DayBucket(F(source.time_field), fixed_offset=offset), platform_key=F(source.platform_field)
            )
            .annotate(count=Count("*"))
            .order_by()
            .values_list("hour", "platform_key", "count")
        )
        for hour, platform, count in rows:
            position = index.get(local_day[hour])
            if position is not None:
                counts["platform"][platform][position] += count
                counts["channel"][source.channel][position] += count
    return {
        "platform": DailySeries(day_list, _labelled(counts["platform"], dict(Platform.choices))),
        "channel": DailySeries(day_list, _labelled(counts["channel"], Channel.labels)),
    }


def _labelled(counts, labels):
    ordered = {str(labels[key]): counts[key] for key in labels if key in counts}
    ordered.update({str(key): values for key, values in counts.items() if key not in labels})
    return ordered


# --- Reports of the rumors a clarification answers -----------------------------------------------------


def reports_per_clarification(*, since, now=None):
    """``{clarification_id: reports}``: the reports made since ``since`` of each rumor group a
    clarification answers (the group's clarification, ``Rumor.clarification``). Whether the
    clarification is public is the caller's question (``popularity`` asks it of the few it shows).

    Two steps rather than one join: the period's reports per rumor (read from the time index), then
    the answers of those rumors; a three-way join let SQLite start from every answered report instead.
    """
    now = now or timezone.now()
    per_rumor: defaultdict[int, int] = defaultdict(int)
    for source in REPORT_SOURCES:
        rows = (
            source.since(since)
            .filter(**{f"{source.time_field}__lte": now})
            .values(rumor_key=F(source.rumor_field))
            .annotate(count=Count("*"))
            .order_by()
            .values_list("rumor_key", "count")
        )
        for rumor_id, count in rows:
            if rumor_id is not None:
                per_rumor[rumor_id] += count
    rumor_ids = list(per_rumor)
    counts: defaultdict[int, int] = defaultdict(int)
    for start in range(0, len(rumor_ids), IDS_PER_QUERY):
        answered = Rumor.objects.filter(pk__in=rumor_ids[start : start + IDS_PER_QUERY], clarification__isnull=False)
        for rumor_id, clarification_id in answered.values_list("pk", "clarification"):
            counts[clarification_id] += per_rumor[rumor_id]
    return dict(counts)
