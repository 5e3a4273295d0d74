"""What the tip and sighting admins share: one base class for every kind of report.

The queue's order (the groups with the most open reports first, a group's reports together), the
group column with the group's clarification, the screenshot (served to staff only), the lifecycle's
moves as list actions and as buttons on a report's page (``tips.casework.lifecycle.MOVES``: a move
the user may not make is shown disabled with the reason), answering, re-opening with a reason,
detaching a report from a wrong group, starting a draft, grouping and splitting, and the history of
every change (who, when, why). Writes go through ``tips.casework``; the admin asks and reports.
"""

import mimetypes

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clarifications.models import Clarification
from clarifications.search import find_similar
from core import history
from core.history import ReadOnlyHistoryAdmin
from core.storage import private_storage
from tips.casework import answers, grouping, lifecycle, rumors
from tips.casework.lifecycle import MOVES, MoveRefused
from tips.intake import ocr
from tips.models import Rumor

from .filters import QueueFilter
from .forms import AnswerReportsForm, ReasonForm
from .rumor_state import clarification_state


def move_action(move):
    """The list action of one move of the lifecycle table."""

    def action(modeladmin, request, queryset):
        reports = list(queryset)
        if move.asks:
            ids = ",".join(str(report.pk) for report in reports)
            view = "answer" if move.asks == "clarification" else "reopen"
            return HttpResponseRedirect(f"{reverse(modeladmin.url_name(view))}?ids={ids}")
        modeladmin.run_move(request, move, reports)
        return None

    action.__name__ = move.name
    permission = "reopen" if move.permission == lifecycle.REOPEN_PERMISSION else "triage"
    return admin.action(description=move.label, permissions=[permission])(action)


class ReportAdmin(ReadOnlyHistoryAdmin):
    """The base of ``TipAdmin`` and ``SightingAdmin`` (see the module docstring)."""

    list_per_page = 50
    list_filter = [QueueFilter, "status", "platform"]
    autocomplete_fields = ["rumor"]
    change_form_template = "admin/tips/report/change_form.html"
    actions = [
        *(move_action(move) for move in MOVES.values()),
        "start_draft",
        "group_together",
        "split_off",
    ]

    class Media:
        css = {"all": ["css/tips-admin.css"]}

    # --- who may do what -----------------------------------------------------------------------

    def has_triage_permission(self, request):
        return request.user.has_perm(lifecycle.TRIAGE_PERMISSION)

    def has_reopen_permission(self, request):
        return request.user.has_perm(lifecycle.REOPEN_PERMISSION)

    def has_draft_permission(self, request):
        return self.has_view_permission(request) and request.user.has_perm("clarifications.add_clarification")

    def get_actions(self, request):
        actions = super().get_actions(request)
        for move in MOVES.values():
            if self.model.kind not in move.kinds:
                actions.pop(move.name, None)
        return actions

    # --- the list --------------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rumor", "rumor__clarification")

    def get_ordering(self, request):
        # The groups with the most open reports first, then the largest; a group's reports together.
        return ["-rumor__open_reports", "-rumor__reports", "rumor", f"-{self.model.reported_at_field}"]

    @admin.display(description=_("what was seen"))
    def excerpt(self, report):
        return Truncator(report.matching_text or report.link or "—").chars(80)

    @admin.display(description=_("rumor group (open / all reports)"), ordering="-rumor__open_reports")
    def group(self, report):
        rumor = report.rumor
        if rumor is None:
            return "—"
        return format_html(
            '<a href="{}">{}{}</a> ({} / {}) {}',
            reverse("admin:tips_rumor_change", args=[rumor.pk]),
            "✓ " if rumor.confirmed else "",
            Truncator(rumor.label).chars(30),
            rumor.open_reports,
            rumor.reports,
            clarification_state(rumor),
        )

    def changelist_view(self, request, extra_context=None):
        engine = ocr.status()
        if not engine.available:
            self.message_user(
                request,
                _("OCR is unavailable: screenshots are kept but their text is not read. %(reason)s")
                % {"reason": engine.reason},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    # --- a report's page -------------------------------------------------------------------------

    @admin.display(description=_("screenshot"))
    def screenshot_preview(self, report):
        if not report.screenshot:
            return "—"
        url = reverse(self.url_name("screenshot"), args=[report.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="tip-screenshot" width="320"></a>',
            url,
            url,
            _("The screenshot of %(report)s") % {"report": report.reference},
        )

    @admin.display(description=_("answered by"))
    def clarification_link(self, report):
        if not report.clarification_id:
            return "—"
        # The public page: tip triage works on reports and may not open clarifications in the admin.
        return format_html('<a href="{}">{}</a>', report.clarification.get_absolute_url(), report.clarification)

    @admin.display(description=_("similar published clarifications"))
    def similar_clarifications(self, report):
        found = find_similar(report.matching_text, queryset=Clarification.objects.published(), limit=5)
        if not found:
            return _("None found.")
        rows = [
            (item.get_absolute_url(), item.title, item.match_strength.label, item.get_verdict_display(), item.pk)
            for item in found
        ]
        item_html = '<li><a href="{}" target="_blank" rel="noopener">{}</a> ({}; {}; ID {})</li>'
        return format_html("<ul>{}</ul>", format_html_join("", item_html, rows))

    @admin.display(description=_("similar reports in other groups"))
    def similar_reports(self, report):
        found = [
            other
            for _score, other in grouping.similar_reports(report.matching_text, exclude=report, limit=10)
            if other.rumor_id != report.rumor_id
        ]
        if not found:
            return _("None found.")
        rows = (
            (
                reverse(f"admin:tips_{other._meta.model_name}_change", args=[other.pk]),
                other.reference,
                Truncator(other.matching_text).chars(60),
                reverse("admin:tips_rumor_change", args=[other.rumor_id]) if other.rumor_id else "#",
                _("its group"),
            )
            for other in found
        )
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            format_html_join("", '<li><a href="{}">{}</a> {} (<a href="{}">{}</a>)</li>', rows),
            _(
                "To put them together, choose that group as this report's rumor group, or select the reports in "
                "the list and use “Group the selected reports together”."
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if report is not None:
            extra_context = {
                **(extra_context or {}),
                "moves": [
                    (move, reason, self.move_url(move, report))
                    for move, reason in lifecycle.allowed_moves(report, request.user)
                ],
                "draft_url": self.draft_url(report) if self.has_draft_permission(request) else "",
                "detach_url": reverse(self.url_name("detach"), args=[report.pk])
                if report.rumor_id and self.has_triage_permission(request)
                else "",
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Group and notes are what staff change on a report's page; a new group is a move with its
        history and the groups' counts (``rumors.regroup``)."""
        moved = change and "rumor" in form.changed_data
        reason = _("Moved to another group by staff") if moved else _("Changed by staff")
        history.record(obj, user=request.user, reason=reason)
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if moved:
                rumors.settle([form.initial.get("rumor"), obj.rumor_id], user=request.user, reason=reason)

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Screenshots live outside the database: remove the files once the rows are surely gone.
        names = [name for name in queryset.values_list("screenshot", flat=True) if name]
        groups = set(queryset.values_list("rumor_id", flat=True))
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            rumors.recount(groups)
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    # --- extra pages ---------------------------------------------------------------------------

    def url_name(self, view):
        return f"admin:tips_{self.model._meta.model_name}_{view}"

    def move_url(self, move, report):
        if move.asks == "clarification":
            return f"{reverse(self.url_name('answer'))}?ids={report.pk}"
        if move.asks == "reason":
            return f"{reverse(self.url_name('reopen'))}?ids={report.pk}"
        return reverse(self.url_name("move"), args=[report.pk, move.name])

    def draft_url(self, report):
        url = reverse("admin:tips_rumor_start_draft", args=[report.rumor_id])
        return f"{url}?report={report.pk}&kind={report.kind}"

    def get_urls(self):
        view, name = self.admin_site.admin_view, self.model._meta.model_name
        return [
            path("<int:pk>/screenshot/", view(self.screenshot_view), name=f"tips_{name}_screenshot"),
            path("<int:pk>/move/<str:move_name>/", view(self.move_view), name=f"tips_{name}_move"),
            path("<int:pk>/detach/", view(self.detach_view), name=f"tips_{name}_detach"),
            path("answer/", view(self.answer_view), name=f"tips_{name}_answer"),
            path("reopen/", view(self.reopen_view), name=f"tips_{name}_reopen"),
            *super().get_urls(),
        ]

    def screenshot_view(self, request, pk):
        """The screenshot, for staff who may view the report; no other URL serves these files."""
        report = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        if not report.screenshot or not private_storage().exists(report.screenshot.name):
            raise Http404("No screenshot")
        content_type = mimetypes.guess_type(report.screenshot.name)[0] or "application/octet-stream"
        response = FileResponse(private_storage().open(report.screenshot.name), content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def run_move(self, request, move, reports, **kwargs):
        """Make a one-click move on each report that may make it; say what happened and what was refused."""
        moved, refused = 0, []
        with transaction.atomic():
            for report in reports:
                try:
                    extra = dict(kwargs)
                    if move.name == "mark_duplicate":
                        extra["original"] = rumors.first_report_of_group(report)
                        if extra["original"] is None:
                            raise MoveRefused(_("It is the first report of its group."))
                    lifecycle.apply(report, move.name, user=request.user, **extra)
                    moved += 1
                except MoveRefused as refusal:
                    refused.append((report, refusal.message))
        if moved:
            self.message_user(request, move.done % {"count": moved}, messages.SUCCESS)
        self.report_refused(request, refused)
        return moved

    def report_refused(self, request, refused):
        if refused:
            self.message_user(
                request,
                format_html(
                    "{} <ul>{}</ul>",
                    ngettext("%(count)d report left as it was:", "%(count)d reports left as they were:", len(refused))
                    % {"count": len(refused)},
                    format_html_join("", "<li>{}: {}</li>", ((report.reference, why) for report, why in refused)),
                ),
                messages.WARNING,
            )

    def move_view(self, request, pk, move_name):
        """A one-click button of a report's page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        move = MOVES.get(move_name)
        if move is None or move.asks:
            raise Http404
        report = get_object_or_404(self.model, pk=pk)
        self.run_move(request, move, [report])
        return redirect(self.url_name("change"), report.pk)

    def _selected(self, request):
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        return list(self.model.objects.filter(pk__in=ids).order_by(self.model.reported_at_field))

    def _back(self, reports):
        if len(reports) == 1:
            return redirect(self.url_name("change"), reports[0].pk)
        return redirect(self.url_name("changelist"))

    def answer_view(self, request):
        """Answer the selected reports with a public clarification (the list action and the button)."""
        if not self.has_triage_permission(request):
            raise PermissionDenied
        reports = self._selected(request)
        if not reports:
            return redirect(self.url_name("changelist"))
        form = AnswerReportsForm(request.POST or None, reports=reports)
        if request.method == "POST" and form.is_valid():
            clarification = form.cleaned_data["clarification"]
            answered, refused = answers.answer_reports(
                reports=reports,
                clarification=clarification,
                user=request.user,
                site_url=request.build_absolute_uri("/"),
            )
            if answered:
                mailed = sum(bool(getattr(report, "contact_consent", False)) for report in answered)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d report answered with “%(title)s”; %(mailed)d e-mail(s) will be sent.",
                        "%(count)d reports answered with “%(title)s”; %(mailed)d e-mail(s) will be sent.",
                        len(answered),
                    )
                    % {"count": len(answered), "title": clarification.title, "mailed": mailed},
                    messages.SUCCESS,
                )
            self.report_refused(request, refused)
            return self._back(reports)
        context = {
            "reports": reports,
            "form": form,
        }
        return self.admin_page(request, "admin/tips/report/answer.html", _("Answer with a clarification"), **context)

    def reopen_view(self, request):
        """Re-open the selected reports, with a reason (the list action and the button)."""
        if not self.has_reopen_permission(request):
            raise PermissionDenied
        reports = self._selected(request)
        if not reports:
            return redirect(self.url_name("changelist"))
        form = ReasonForm(request.POST or None, purpose="reopen")
        if request.method == "POST" and form.is_valid():
            self.run_move(request, MOVES["reopen"], reports, reason=form.cleaned_data["reason"])
            return self._back(reports)
        context = {
            "reports": reports,
            "form": form,
            "explanation": _(
                "Re-opening takes back what the citizen was told: their status page no longer shows the answer "
                "until the report is answered again. The answer it had stays in its history."
            ),
            "submit_label": _("Re-open"),
        }
        return self.admin_page(request, "admin/tips/report/reason.html", _("Re-open"), **context)

    def detach_view(self, request, pk):
        """Take a report out of a group it was wrongly put in (re-opening it if it was closed with it)."""
        if not self.has_triage_permission(request):
            raise PermissionDenied
        report = get_object_or_404(self.model, pk=pk)
        form = ReasonForm(request.POST or None, purpose="detach")
        if request.method == "POST" and form.is_valid():
            try:
                rumor = answers.detach(report=report, user=request.user, reason=form.cleaned_data["reason"])
            except MoveRefused as refusal:
                self.message_user(request, refusal.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(report)s is now alone in the group “%(label)s”.")
                    % {"report": report.reference, "label": rumor.label},
                    messages.SUCCESS,
                )
            return redirect(self.url_name("change"), report.pk)
        context = {
            "reports": [report],
            "form": form,
            "explanation": _(
                "The report moves to a group of its own. If it was answered or closed with its group, it is "
                "re-opened: the citizen's status page no longer shows that answer."
            ),
            "submit_label": _("Detach"),
        }
        return self.admin_page(request, "admin/tips/report/reason.html", _("Detach from its rumor group"), **context)

    # --- other actions ---------------------------------------------------------------------------

    @admin.action(description=_("Start a draft clarification from this report…"), permissions=["draft"])
    def start_draft(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one report to start a draft from."), messages.ERROR)
            return None
        report = queryset.get()
        if not report.rumor_id:
            self.message_user(request, _("This report has no rumor group."), messages.ERROR)
            return None
        return HttpResponseRedirect(self.draft_url(report))

    @admin.action(description=_("Group the selected reports together"), permissions=["triage"])
    def group_together(self, request, queryset):
        rumor = rumors.group(reports=list(queryset), user=request.user)
        self.message_user(request, _("Reports grouped as “%(label)s”.") % {"label": rumor.label})

    @admin.action(description=_("Split the selected reports into a new group"), permissions=["triage"])
    def split_off(self, request, queryset):
        rumor = rumors.split(reports=list(queryset), user=request.user)
        self.message_user(request, _("Reports moved to the new group “%(label)s”.") % {"label": rumor.label})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rumor":
            kwargs["queryset"] = Rumor.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
