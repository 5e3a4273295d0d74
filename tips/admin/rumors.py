"""The reported rumors, hottest first: the groups of reports staff work on, with their charts and the
evidence package for referral."""

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification, Status
from core.history import ReadOnlyHistoryAdmin
from tips.analytics import heat
from tips.analytics.trends import PERIODS, period_from, report_charts
from tips.casework import answers, drafts, lifecycle
from tips.casework import rumors as rumors_
from tips.models import REPORT_MODELS, Rumor

from .evidence import evidence_urls
from .filters import DefaultChoiceFilter
from .forms import AnswerReportsForm, DraftForm
from .reports import PersonalDataGuard, TipInline
from .rumor_state import clarification_state, state_of
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


class ClarifiedFilter(admin.SimpleListFilter):
    """Where each group stands: not clarified, being clarified (a draft, in review or scheduled),
    clarified, or clarified with reports still waiting for the answer."""

    title = _("clarification")
    parameter_name = "clarified"

    def lookups(self, request, model_admin):
        return [
            ("none", _("Not clarified")),
            ("in_progress", _("Being clarified")),
            ("clarified", _("Clarified")),
            ("waiting", _("Clarified, reports still open")),
        ]

    def queryset(self, request, queryset):
        public = Clarification.objects.published()
        value = self.value()
        if value == "none":
            return queryset.filter(clarification__isnull=True)
        if value == "in_progress":
            return queryset.filter(clarification__status__in=[Status.DRAFT, Status.IN_REVIEW]) | queryset.filter(
                clarification__in=Clarification.objects.scheduled()
            )
        if value == "clarified":
            return queryset.filter(clarification__in=public)
        if value == "waiting":
            return queryset.filter(clarification__in=public, open_reports__gt=0)
        return queryset


class RumorChangeList(ChangeList):
    """Adds each listed rumor's recent activity (``rumor.activity``: whether its reports accelerate):
    one grouped query per channel for the page (``heat.rumor_heats``)."""

    def get_results(self, request):
        super().get_results(request)
        rumors = list(self.result_list)
        activity = heat.rumor_heats([rumor.pk for rumor in rumors])
        for rumor in rumors:
            rumor.activity = activity[rumor.pk]


@admin.register(Rumor)
class RumorAdmin(PersonalDataGuard, ReadOnlyHistoryAdmin):
    """The reported rumors, hottest first (``heat.py``): a rumor reported five times this morning comes
    before one reported twenty times last month. Rumors reported in the last ``WINDOW_DAYS`` are listed
    unless staff choose "all".

    A group is the unit of work: its page says whether it is clarified (its clarification and that
    clarification's state), answers every open report at once ("Answer this rumor…",
    ``casework.answers.answer_rumor``), and starts a draft clarification from what its reports said.
    """

    list_display = [
        "label",
        "clarification_column",
        "heat_score",
        "trend",
        "reports",
        "open_reports",
        "latest_report",
        "confirmed",
    ]
    list_filter = [TrendFilter, ClarifiedFilter, "confirmed"]
    search_fields = ["label", "tips__text", "tips__code", "sightings__text"]
    fields = ["label", "confirmed", "clarification_display", "created_at"]
    readonly_fields = ["clarification_display", "created_at"]
    inlines = [TipInline, SightingInline]
    actions = ["merge", "confirm", "export_evidence"]
    change_form_template = "admin/tips/rumor/change_form.html"
    object_history_template = "admin/tips/rumor/object_history.html"

    class Media:
        css = {"all": ["css/admin-charts.css", "css/tips-admin.css"]}

    def has_add_permission(self, request):
        return False

    def has_evidence_permission(self, request):
        return request.user.has_perm("tips.export_evidence")

    def has_triage_permission(self, request):
        return request.user.has_perm(lifecycle.TRIAGE_PERMISSION)

    def has_draft_permission(self, request):
        return self.has_view_permission(request) and request.user.has_perm("clarifications.add_clarification")

    def history_view(self, request, object_id, extra_context=None):
        # Beside the group's own changes (merges, answers, drafts): what the admin log records of it,
        # the evidence exports among them.
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Rumor), object_id=str(unquote(object_id))
        ).select_related("user")
        extra_context = {**(extra_context or {}), "action_list": entries.order_by("action_time")}
        return super().history_view(request, object_id, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            *evidence_urls(self),
            path("<int:pk>/answer/", view(self.answer_view), name="tips_rumor_answer"),
            path("<int:pk>/start-draft/", view(self.start_draft_view), name="tips_rumor_start_draft"),
            *super().get_urls(),
        ]

    def answer_view(self, request, pk):
        """ "Answer this rumor": every open report of the group, with one public clarification."""
        if not self.has_triage_permission(request):
            raise PermissionDenied
        rumor = get_object_or_404(Rumor, pk=pk)
        reports = [report for model in REPORT_MODELS for report in model.objects.filter(rumor=rumor).open()]
        if not reports:
            self.message_user(request, _("This group has no open report to answer."), messages.WARNING)
            return redirect("admin:tips_rumor_change", rumor.pk)
        form = AnswerReportsForm(request.POST or None, reports=reports)
        if request.method == "POST" and form.is_valid():
            clarification = form.cleaned_data["clarification"]
            try:
                answered, mailed = answers.answer_rumor(
                    rumor=rumor,
                    clarification=clarification,
                    user=request.user,
                    site_url=request.build_absolute_uri("/"),
                )
            except lifecycle.MoveRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("“%(label)s” answered with “%(title)s”: %(count)d report(s), %(mailed)d e-mail(s) to send.")
                    % {"label": rumor.label, "title": clarification.title, "count": answered, "mailed": mailed},
                    messages.SUCCESS,
                )
            return redirect("admin:tips_rumor_change", rumor.pk)
        context = {
            "rumor": rumor,
            "reports": reports,
            "form": form,
        }
        return self.admin_page(request, "admin/tips/report/answer.html", _("Answer this rumor"), **context)

    def start_draft_view(self, request, pk):
        """A draft clarification for the group: a short form filled in from one of its reports (the one
        staff came from, else the first), saved only when staff send it."""
        if not self.has_draft_permission(request):
            raise PermissionDenied
        rumor = get_object_or_404(Rumor, pk=pk)
        report = self._source_report(request, rumor)
        if report is None:
            self.message_user(request, _("This group has no report to start a draft from."), messages.ERROR)
            return redirect("admin:tips_rumor_change", rumor.pk)
        form = DraftForm(request.POST or None, initial=drafts.initial_from(report))
        if request.method == "POST" and form.is_valid():
            draft = drafts.start_draft(rumor=rumor, draft=form.save(commit=False), user=request.user)
            self.message_user(
                request,
                _("Draft “%(title)s” started for the rumor “%(label)s”: write its truth, verdict and sources.")
                % {"title": draft.title, "label": rumor.label},
                messages.SUCCESS,
            )
            return redirect("admin:clarifications_clarification_change", draft.pk)
        context = {
            "rumor": rumor,
            "report": report,
            "form": form,
        }
        return self.admin_page(
            request, "admin/tips/rumor/start_draft.html", _("Start a draft clarification"), **context
        )

    def _source_report(self, request, rumor):
        kinds = {model.kind: model for model in REPORT_MODELS}
        model, pk = kinds.get(request.GET.get("kind", "")), request.GET.get("report", "")
        if model is not None and pk.isdigit():
            report = model.objects.filter(rumor=rumor, pk=pk).first()
            if report is not None:
                return report
        earliest = [
            model.objects.filter(rumor=rumor)
            .exclude(text="", screenshot_text="")
            .order_by(model.reported_at_field)
            .first()
            for model in REPORT_MODELS
        ]
        found = [report for report in earliest if report is not None]
        return min(found, key=lambda report: report.reported_at) if found else None

    def get_queryset(self, request):
        return heat.hottest_first(super().get_queryset(request).select_related("clarification"))

    def get_ordering(self, request):
        return [F("heat_key").desc(nulls_last=True), "-created_at"]

    def get_changelist(self, request, **kwargs):
        return RumorChangeList

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rumor = self.get_object(request, object_id)
        if rumor is not None:
            period = period_from(request.GET.get("days"))
            extra_context = {
                **(extra_context or {}),
                "activity": heat.rumor_heat(rumor),
                "charts": report_charts(days=period, rumor=rumor),
                "period": period,
                "periods": PERIODS,
                "state": state_of(rumor.clarification),
                "answer_url": reverse("admin:tips_rumor_answer", args=[rumor.pk])
                if rumor.open_reports and self.has_triage_permission(request)
                else "",
                "draft_url": reverse("admin:tips_rumor_start_draft", args=[rumor.pk])
                if self.has_draft_permission(request)
                else "",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("clarification"), ordering="clarification__status")
    def clarification_column(self, rumor):
        return clarification_state(rumor)

    @admin.display(description=_("clarification"))
    def clarification_display(self, rumor):
        if rumor.clarification is None:
            return _("None yet.")
        _css, label = state_of(rumor.clarification)
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:clarifications_clarification_change", args=[rumor.clarification_id]),
            rumor.clarification.title,
            label,
        )

    @admin.display(description=_("heat"), ordering="heat_key")
    def heat_score(self, rumor):
        return f"{heat.heat_of(rumor):.1f}"

    @admin.display(description=_("trend"))
    def trend(self, rumor):
        activity = getattr(rumor, "activity", None)
        if activity is not None and activity.accelerating:
            return format_html('<strong class="heat-accelerating">▲ {}</strong>', _("accelerating"))
        return ""

    @admin.display(description=_("latest report"), ordering="latest_report_at")
    def latest_report(self, rumor):
        latest = rumor.latest_report_at
        return date_format(timezone.localtime(latest), "SHORT_DATETIME_FORMAT") if latest else "—"

    @admin.action(description=_("Merge the selected groups into one"), permissions=["change"])
    def merge(self, request, queryset):
        rumors = list(queryset)
        if len(rumors) < 2:
            self.message_user(request, _("Select at least two groups to merge."), messages.ERROR)
            return
        target = rumors_.merge(rumors=rumors, user=request.user)
        self.message_user(request, _("Groups merged into “%(label)s”.") % {"label": target.label})

    @admin.action(description=_("Confirm the grouping"), permissions=["change"])
    def confirm(self, request, queryset):
        count = rumors_.confirm(rumors=queryset, user=request.user)
        self.message_user(request, _("%(count)d group(s) confirmed.") % {"count": count})

    @admin.action(description=_("Export an evidence package for referral…"), permissions=["evidence"])
    def export_evidence(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one group to export."), messages.ERROR)
            return None
        return redirect("admin:tips_rumor_evidence", queryset.get().pk)
