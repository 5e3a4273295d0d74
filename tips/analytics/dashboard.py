"""The counts at the top of the admin index: work waiting for staff, each linking to its list.

Each entry is one line in ``staff_counts``; an entry appears only to users who may open its list.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification, Status
from tips.models import ReportStatus, Rumor, Sighting, Tip


@dataclass(frozen=True)
class DashboardEntry:
    label: str | Promise  # a lazy translation, rendered in the request's language
    count: int
    url: str


def staff_counts(user) -> list[DashboardEntry]:
    entries = []
    if user.has_perm("tips.view_tip"):
        entries.append(
            DashboardEntry(
                _("new tips"),
                Tip.objects.filter(status=ReportStatus.NEW).count(),
                f"{reverse('admin:tips_tip_changelist')}?status__exact={ReportStatus.NEW}",
            )
        )
    if user.has_perm("tips.triage_report"):
        # Rumors already clarified whose reports still wait for the answer: one click answers each.
        waiting = Rumor.objects.filter(clarification__in=Clarification.objects.published(), open_reports__gt=0)
        entries.append(
            DashboardEntry(
                _("clarified rumors with reports waiting"),
                waiting.count(),
                f"{reverse('admin:tips_rumor_changelist')}?clarified=waiting&trend=all",
            )
        )
    if user.has_perm("tips.view_sighting"):
        entries.append(
            DashboardEntry(
                _("new sightings (online inspection)"),
                Sighting.objects.filter(status=ReportStatus.NEW).count(),
                f"{reverse('admin:tips_sighting_changelist')}?status__exact={ReportStatus.NEW}",
            )
        )
    if user.has_perm("clarifications.view_clarification"):
        changelist = reverse("admin:clarifications_clarification_changelist")
        clarifications = Clarification.objects.all()
        entries += [
            DashboardEntry(
                _("drafts awaiting review"),
                clarifications.filter(status=Status.IN_REVIEW).count(),
                f"{changelist}?state={Status.IN_REVIEW}",
            ),
            DashboardEntry(_("scheduled"), clarifications.scheduled().count(), f"{changelist}?state=scheduled"),
            DashboardEntry(_("due for re-review"), clarifications.due_for_review().count(), f"{changelist}?due=yes"),
        ]
    return entries
