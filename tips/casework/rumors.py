"""Rumor groups: the counts each keeps of its reports, and the moves of reports between groups.

**Kept counts.** A group stores how many reports it has (``reports``), how many are open
(``open_reports``), its latest report's time and ``heat_key``, from which its heat at any moment
follows (``heat_at``). Heat is Σ 2^(−age / half-life) over the group's reports
(``tips.analytics.heat``), that is ``exp(−now/τ) · Σ exp(tᵢ/τ)`` with τ = half-life / ln 2. The first
factor is the same for every group, so groups sort by ``Σ exp(tᵢ/τ)`` whatever the time: stored in
log space as ``heat_key = log Σ exp(tᵢ/τ)`` (the exponents are about 7,000, far past a float's
range), it changes only when a report arrives or leaves, and the triage queue sorts by an index on it
instead of summing each group's reports on every page. A report arriving adds its term
(``logaddexp``, in ``add``); any other change counts the group's reports again (``recount``).

**Moves keep their history.** Merging, grouping, splitting and detaching save each moved report (and
each group changed or emptied) with the acting user and the reason, so a report's history says in
which groups it was and why, and a deleted empty group's history says what became of it.
"""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Exp
from django.utils import timezone
from django.utils.translation import gettext as _

from core import history
from core.sql import EpochSeconds
from tips.models import OPEN_STATUSES, REPORT_MODELS, Report, Rumor

from .grouping import rumor_label

HALF_LIFE_DAYS = 2.0
# Ids passed as parameters in one query (SQLite allows 32,766 in all).
IDS_PER_QUERY = 5000
TAU_SECONDS = HALF_LIFE_DAYS * 86400 / math.log(2)


def heat_exponent(moment: datetime) -> float:
    """A report's term of ``heat_key``, before the sum: ``t / τ``."""
    return moment.timestamp() / TAU_SECONDS


def heat_at(heat_key: float | None, now: datetime) -> float:
    """The heat of a group with this ``heat_key`` at ``now``: Σ 2^(−age / half-life) over its reports."""
    if heat_key is None:
        return 0.0
    return math.exp(min(heat_key - heat_exponent(now), 700.0))


def _logaddexp(first, second):
    high, low = max(first, second), min(first, second)
    return high + math.log1p(math.exp(low - high))


def add(report: Report) -> None:
    """Count a report that just joined its group (in the caller's transaction, after it was saved)."""
    if report.rumor_id is None:
        return
    rumor = Rumor.objects.select_for_update().only("heat_key", "latest_report_at").get(pk=report.rumor_id)
    exponent = heat_exponent(report.reported_at)
    latest = max(filter(None, [rumor.latest_report_at, report.reported_at]))
    Rumor.objects.filter(pk=rumor.pk).update(
        reports=F("reports") + 1,
        open_reports=F("open_reports") + (1 if report.status in OPEN_STATUSES else 0),
        latest_report_at=latest,
        heat_key=exponent if rumor.heat_key is None else _logaddexp(rumor.heat_key, exponent),
    )


def recount(rumor_ids) -> None:
    """Count the reports of these groups again (after a move, a status change or a deletion).

    Per group, one grouped query per channel: the counts, the latest time, and the heat's sum taken
    relative to now (terms of reports older than a few years underflow to 0; such a group keeps the
    exponent of its latest report, which is what its heat then is to a float's precision).
    """
    ids = sorted({pk for pk in rumor_ids if pk is not None})
    for start in range(0, len(ids), IDS_PER_QUERY):
        _recount(ids[start : start + IDS_PER_QUERY])


@dataclass
class _Count:
    reports: int = 0
    open: int = 0
    latest: datetime | None = None
    sum: float = 0.0  # Σ exp((t - now) / τ)

    def key(self, now):
        if self.sum > 0:
            return heat_exponent(now) + math.log(self.sum)
        return heat_exponent(self.latest) if self.latest else None


def _recount(ids):
    now = timezone.now()
    counts = {pk: _Count() for pk in ids}
    for model in REPORT_MODELS:
        at = model.reported_at_field
        rows = (
            model.objects.filter(rumor_id__in=ids)
            .values("rumor_id")
            .annotate(
                reports=Count("pk"),
                open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
                latest=Max(at),
                sum=Sum(Exp((EpochSeconds(at) - now.timestamp()) / TAU_SECONDS)),
            )
            .order_by()
        )
        for row in rows:
            count = counts[row["rumor_id"]]
            count.reports += row["reports"]
            count.open += row["open"]
            count.sum += row["sum"] or 0.0
            count.latest = max(filter(None, [count.latest, row["latest"]]), default=None)
    for pk, count in counts.items():
        Rumor.objects.filter(pk=pk).update(
            reports=count.reports, open_reports=count.open, latest_report_at=count.latest, heat_key=count.key(now)
        )


def _move(reports, target, *, user, reason):
    """Put each report into ``target``, saved one by one so that each one's history says why."""
    sources = set()
    for report in reports:
        if report.rumor_id == target.pk:
            continue
        sources.add(report.rumor_id)
        report.rumor = target
        history.record(report, user=user, reason=reason)
        report.save(update_fields=["rumor"])
    settle([target.pk, *sources], user=user, reason=reason)


def settle(rumor_ids, *, user=None, reason=""):
    """After reports moved between these groups: count them again, and delete the groups left without a
    report (a group's history records its deletion and why)."""
    rumor_ids = [pk for pk in rumor_ids if pk is not None]
    recount(rumor_ids)
    for rumor in Rumor.objects.filter(pk__in=rumor_ids).empty():
        history.record(rumor, user=user, reason=reason)
        rumor.delete()


def _save_rumor(rumor, fields, *, user, reason):
    history.record(rumor, user=user, reason=reason)
    rumor.save(update_fields=fields)


def regroup(report: Report, target: Rumor, *, reason: str, user=None) -> None:
    """Move one report into ``target`` (the site's own regrouping, e.g. once its screenshot was read)."""
    with transaction.atomic():
        _move([report], target, user=user, reason=reason)


def first_report_of_group(report: Report) -> Report | None:
    """The earliest other report of the same kind in ``report``'s group, when ``report`` came after it
    (else None: it is the first): the original a duplicate points to."""
    if not report.rumor_id:
        return None
    at = report.reported_at_field
    original = type(report).objects.filter(rumor_id=report.rumor_id).exclude(pk=report.pk).order_by(at, "pk").first()
    if original is None or original.reported_at > report.reported_at:
        return None
    return original


def confirm(*, rumors, user) -> int:
    """Staff agree that each group's reports report one rumor; returns how many groups."""
    count = 0
    with transaction.atomic():
        for rumor in rumors:
            if not rumor.confirmed:
                rumor.confirmed = True
                _save_rumor(rumor, ["confirmed"], user=user, reason=_("Grouping confirmed"))
                count += 1
    return count


def merge(*, rumors, user) -> Rumor:
    """Move every report of ``rumors`` into the group with the most reports; the emptied groups go.

    The merged group keeps its clarification, or takes the clarification of the largest other group
    that has one.
    """
    rumors = sorted(rumors, key=lambda rumor: (-rumor.reports, rumor.pk))
    target, others = rumors[0], rumors[1:]
    with transaction.atomic():
        reason = _("Merged groups %(groups)s into group %(target)s") % {
            "groups": ", ".join(str(rumor.pk) for rumor in others),
            "target": target.pk,
        }
        fields = []
        if target.clarification_id is None:
            answered = next((rumor for rumor in others if rumor.clarification_id), None)
            if answered is not None:
                target.clarification_id = answered.clarification_id
                fields.append("clarification")
        if not target.confirmed:
            target.confirmed = True
            fields.append("confirmed")
        _save_rumor(target, fields, user=user, reason=reason)
        for model in REPORT_MODELS:
            _move(list(model.objects.filter(rumor__in=others)), target, user=user, reason=reason)
    return target


def group(*, reports, user) -> Rumor:
    """Put ``reports`` into one confirmed group: the largest group among theirs (split off from their
    old groups), or a new one."""
    reports = list(reports)
    with transaction.atomic():
        candidates = Rumor.objects.filter(pk__in={report.rumor_id for report in reports})
        target = max(candidates, key=lambda rumor: (rumor.reports, -rumor.pk), default=None)
        reason = _("Grouped by staff")
        if target is None:
            target = Rumor.objects.create(label=rumor_label(reports[0].matching_text, fallback=reports[0].reference))
        if not target.confirmed:
            target.confirmed = True
            _save_rumor(target, ["confirmed"], user=user, reason=reason)
        _move(reports, target, user=user, reason=reason)
    return target


def split(*, reports, user, reason: str = "") -> Rumor:
    """Move ``reports`` out of their groups into a new, confirmed group of their own.

    Their statuses stay: an answered report keeps its answer (``detach`` takes a wrongly grouped
    answered report out and re-opens it)."""
    reports = list(reports)
    with transaction.atomic():
        target = Rumor(label=rumor_label(reports[0].matching_text, fallback=reports[0].reference), confirmed=True)
        reason = reason or _("Split off by staff")
        history.record(target, user=user, reason=reason)
        target.save()
        _move(reports, target, user=user, reason=reason)
    return target
