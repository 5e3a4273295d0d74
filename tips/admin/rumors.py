"""The reported rumors, hottest first: the groups of reports staff work on, with their charts and the
evidence package for referral."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tips.analytics import heat
from tips.analytics.trends import PERIODS, period_from, report_charts
from tips.casework import services
from tips.models import Rumor

from .evidence import evidence_urls
from .filters import DefaultChoiceFilter
from .reports import PersonalDataGuard, TipInline
from .sightings import SightingInline


class TrendFilter(DefaultChoiceFilter):
    """The rumors reported lately by default (the queue is what is spreading now), those whose reports
    accelerate, or all (the rules are in heat.py)."""

    title = _("trend")
    parameter_name = "trend"
    default_choice = "recent"

    def lookups(self, request, model_admin):
        return [
            ("recent", _("Reported in the last %(days)d days") % {"days": heat.WINDOW_DAYS}),
            ("accelerating", _("Accelerating")),
            ("all", _("All")),
        ]

    def queryset(self, request, queryset):
        if self.effective_value() == "accelerating":
            return heat.accelerating(queryset)
        if self.effective_value() == "recent":
            return heat.recently_reported(queryset)
        return queryset


class RumorChangeList(ChangeList):
    """Adds each listed rumor's reports (``rumor.reports``), open tips and open sightings: one grouped
    query per channel for the page (``heat.rumor_heats``)."""

    def get_results(self, request):
        super().get_results(request)
        rumors = list(self.result_list)
        heats = heat.rumor_heats([rumor.pk for rumor in rumors])
        for rumor in rumors:
            rumor.reports = heats[rumor.pk]
            rumor.open_tips = rumor.reports.open_by_channel.get(heat.Channel.TIP, 0)
            rumor.open_sightings = rumor.reports.open_by_channel.get(heat.Channel.SIGHTING, 0)


@admin.register(Rumor)
class RumorAdmin(PersonalDataGuard, admin.ModelAdmin):
    """The reported rumors, hottest first (``heat.py``): a rumor reported five times this morning comes
    before one reported twenty times last month. Rumors reported in the last ``WINDOW_DAYS`` are listed
    unless staff choose "all" (those are the ones with any heat; sorting every group ever reported
    costs a lookup per group)."""

    list_display = [
        "label",
        "heat_score",
        "trend",
        "report_count",
        "open_tip_count",
        "open_sighting_count",
        "latest_report",
        "confirmed",
    ]
    list_filter = [TrendFilter, "confirmed"]
    search_fields = ["label", "tips__text", "tips__code", "sightings__text"]
    fields = ["label", "confirmed", "created_at"]
    readonly_fields = ["created_at"]
    inlines = [TipInline, SightingInline]
    actions = ["merge", "confirm", "export_evidence"]
    change_form_template = "admin/tips/rumor/change_form.html"

    class Media:
        css = {"all": ["css/admin-charts.css"]}

    def has_add_permission(self, request):
        return False

    def has_evidence_permission(self, request):
        return request.user.has_perm("tips.export_evidence")

    def get_urls(self):
        return [
            *evidence_urls(self),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        return heat.with_heat(Rumor.objects.all()).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["-heat", "-created_at"]

    def get_changelist(self, request, **kwargs):
        return RumorChangeList

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rumor = self.get_object(request, object_id)
        if rumor is not None:
            period = period_from(request.GET.get("days"))
            extra_context = {
                **(extra_context or {}),
                "reports": heat.rumor_heat(rumor),
                "charts": report_charts(days=period, rumor=rumor),
                "period": period,
                "periods": PERIODS,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("heat"), ordering="heat")
    def heat_score(self, rumor):
        return f"{rumor.heat:.1f}"

    @admin.display(description=_("trend"))
    def trend(self, rumor):
        if rumor.reports.accelerating:
            return format_html('<strong class="heat-accelerating">▲ {}</strong>', _("accelerating"))
        return ""

    @admin.display(description=_("reports"))
    def report_count(self, rumor):
        return rumor.reports.reports

    @admin.display(description=_("open tips"))
    def open_tip_count(self, rumor):
        return rumor.open_tips

    @admin.display(description=_("open sightings"))
    def open_sighting_count(self, rumor):
        return rumor.open_sightings

    @admin.display(description=_("latest report"))
    def latest_report(self, rumor):
        latest = rumor.reports.latest_at
        return date_format(timezone.localtime(latest), "SHORT_DATETIME_FORMAT") if latest else "—"

    @admin.action(description=_("Merge the selected groups into one"), permissions=["change"])
    def merge(self, request, queryset):
        rumors = list(queryset)
        if len(rumors) < 2:
            self.message_user(request, _("Select at least two groups to merge."), messages.ERROR)
            return
        target = services.rumors_merge(rumors=rumors)
        self.message_user(request, _("Groups merged into “%(label)s”.") % {"label": target.label})

    @admin.action(description=_("Confirm the grouping"), permissions=["change"])
    def confirm(self, request, queryset):
        count = services.rumors_confirm(rumors=queryset)
        self.message_user(request, _("%(count)d group(s) confirmed.") % {"count": count})

    @admin.action(description=_("Export an evidence package for referral…"), permissions=["evidence"])
    def export_evidence(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one group to export."), messages.ERROR)
            return None
        return redirect("admin:tips_rumor_evidence", queryset.get().pk)
