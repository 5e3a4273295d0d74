"""Database functions the counts share (heat, charts, open data): worked out by the database itself,
never by a function of ours per row, on SQLite and PostgreSQL alike."""

from datetime import UTC, date, datetime, timedelta

from django.db.models import CharField, FloatField, Func
from django.utils import timezone


class EpochSeconds(Func):
    """A datetime column as seconds since 1970 (a float), computed by the database: fetching the
    datetimes themselves cost most of the open-data statistics' time (Django parses each one on SQLite)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"((julianday({sql}) - 2440587.5) * 86400.0)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"EXTRACT(EPOCH FROM {sql})::double precision", params


class DayBucket(Func):
    """The local day of a datetime column, as ``YYYY-MM-DD`` text, worked out by the database.

    PostgreSQL converts to ``TIME_ZONE`` itself. SQLite knows no time zones: when the zone's offset
    is the same all through the period (``fixed_offset``), it adds that offset; otherwise it returns
    the UTC hour (``YYYY-MM-DD HH``), which ``LocalDays`` turns into the local day here (exact for
    every zone whose offsets are whole hours). Either way no function of ours runs per row.
    """

    output_field = CharField()

    def __init__(self, expression, *, fixed_offset=None):
        super().__init__(expression)
        self.fixed_offset = fixed_offset

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores aware datetimes on SQLite as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
        sql, params = compiler.compile(self.source_expressions[0])
        if self.fixed_offset is None:
            return f"substr({sql}, 1, 13)", params
        return f"date({sql}, %s)", [*params, f"{self.fixed_offset:+d} minutes"]

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM-DD')", [*params, timezone.get_current_timezone_name()]


def fixed_offset(first_day, last_day):
    """The local zone's UTC offset in minutes if it is the same on every day of the period, else None."""
    zone = timezone.get_current_timezone()
    offsets = {
        datetime.combine(first_day + timedelta(days=offset), datetime.min.time(), zone).utcoffset()
        for offset in range((last_day - first_day).days + 2)
    }
    offset = offsets.pop() if len(offsets) == 1 else None
    return None if offset is None else int(offset.total_seconds() // 60)


class LocalDays(dict):
    """The local date of each ``DayBucket`` value, worked out once per value (charts read thousands)."""

    def __missing__(self, bucket):
        if len(bucket) == len("YYYY-MM-DD"):
            day = date.fromisoformat(bucket)
        else:
            moment = datetime.fromisoformat(f"{bucket}:00").replace(tzinfo=UTC)
            day = timezone.localtime(moment).date()
        self[bucket] = day
        return day
