"""The staff side of online inspection: recording sightings and handling them beside the tips.

Staff of the "Online inspection" group record what they find on patrol; "Tip triage" handles the
sightings of a rumor group with its tips. The list comes in the same order as the tip queue: the
rumor with the most open reports (tips and sightings together) first. What was found stays as it was
recorded; the reach, the group and the notes may change later. Writes go through ``tips.casework.sightings``.
"""

import mimetypes

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, OuterRef
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from clarifications.admin import URL_FIELDS_ASSUME_HTTPS
from core.images import clean_screenshot
from core.storage import private_storage
from tips.casework import sightings
from tips.intake import receive
from tips.models import OPEN_STATUSES, Rumor, Sighting, report_counts

from .filters import QueueFilter
from .forms import AnswerTipsForm

RECORDED_FIELDS = ["platform", "link", "text", "screenshot", "seen_at"]
SPREAD_FIELDS = ["reach", "reach_details"]
# What was found, as a recorded sighting shows it: evidence, kept as recorded.
FOUND_FIELDS = [
    "platform",
    "link",
    "text",
    "screenshot_preview",
    "screenshot_text_display",
    "seen_at",
    "recorded_by",
    "recorded_at",
]


def https_by_default(field, **kwargs):
    # A link typed without its scheme is https (Django 6's default, said now). The admin's form gets
    # this from URL_FIELDS_ASSUME_HTTPS; the form class itself, built when this module is imported,
    # needs it here.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class SightingForm(forms.ModelForm):
    class Meta:
        model = Sighting
        formfield_callback = https_by_default
        fields = [*RECORDED_FIELDS, *SPREAD_FIELDS, "staff_notes"]
        widgets = {"screenshot": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "seen_at" in self.fields:
            self.fields["seen_at"].initial = timezone.now

    def clean_screenshot(self):
        upload = self.cleaned_data.get("screenshot")
        if not upload or getattr(upload, "_committed", False):
            return upload
        return clean_screenshot(upload, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)

    def clean_seen_at(self):
        seen_at = self.cleaned_data["seen_at"]
        if seen_at and seen_at > timezone.now():
            raise forms.ValidationError(_("This time is in the future."), code="future")
        return seen_at

    def clean(self):
        cleaned = super().clean()
        screenshot = cleaned.get("screenshot") or self.instance.screenshot
        if "text" in self.fields and not (cleaned.get("text") or "").strip() and not screenshot:
            raise forms.ValidationError(_("Give the text of the message, or a screenshot of it, or both."))
        return cleaned


@admin.register(Sighting)
class SightingAdmin(admin.ModelAdmin):
    form = SightingForm
    list_display = ["__str__", "excerpt", "reach", "status", "group", "seen_at", "recorded_by"]
    list_display_links = ["__str__", "excerpt"]
    list_filter = [QueueFilter, "status", "platform", "reach"]
    search_fields = ["text", "screenshot_text", "link"]
    raw_id_fields = ["rumor"]
    list_per_page = 50
    date_hierarchy = "seen_at"
    actions = ["answer_with_clarification", "mark_reviewing", "mark_not_actionable", "start_draft"]
    change_form_template = "admin/tips/sighting/change_form.html"
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    class Media:
        css = {"all": ["css/tips-admin.css"]}

    def has_draft_permission(self, request):
        return request.user.has_perm("tips.change_sighting") and request.user.has_perm(
            "clarifications.add_clarification"
        )

    def get_queryset(self, request):
        queryset = Sighting.objects.select_related("rumor", "recorded_by").annotate(
            **report_counts(OuterRef("rumor_id"), prefix="rumor_")
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Most-reported open rumors first, counting both channels; one group's sightings together.
        return [(F("rumor_open_tip_count") + F("rumor_open_sighting_count")).desc(), "rumor", "-seen_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rumor":
            kwargs["queryset"] = Rumor.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": RECORDED_FIELDS}),
                (_("How widely it spread"), {"fields": SPREAD_FIELDS}),
                (_("Triage"), {"fields": ["staff_notes"]}),
            ]
        return [
            (None, {"fields": FOUND_FIELDS}),
            (_("How widely it spread"), {"fields": SPREAD_FIELDS}),
            (_("Triage"), {"fields": ["status", "rumor", "clarification_link", "closed_at", "staff_notes"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [*FOUND_FIELDS, "status", "clarification_link", "closed_at"]
        if not obj.text and not obj.screenshot_text:
            # Nothing typed and nothing read from the screenshot (no OCR here, or it found no words):
            # staff may type what the screenshot says, so that the sighting can be matched and drafted.
            readonly.remove("text")
        return readonly

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            receive.sighting_record(sighting=obj, recorded_by=request.user)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Sighting.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        names = [name for name in queryset.values_list("screenshot", flat=True) if name]
        super().delete_queryset(request, queryset)
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    # --- columns and read-only fields ----------------------------------------------------------

    @admin.display(description=_("what it said"))
    def excerpt(self, sighting):
        return Truncator(sighting.matching_text or sighting.link or "—").chars(80)

    @admin.display(description=_("rumor group (open tips / open sightings)"))
    def group(self, sighting):
        if not sighting.rumor_id:
            return "—"
        return format_html(
            '<a href="{}">{}{}</a> ({} / {})',
            reverse("admin:tips_rumor_change", args=[sighting.rumor_id]),
            "✓ " if sighting.rumor.confirmed else "",
            Truncator(sighting.rumor.label).chars(30),
            getattr(sighting, "rumor_open_tip_count", "?"),
            getattr(sighting, "rumor_open_sighting_count", "?"),
        )

    @admin.display(description=_("screenshot"))
    def screenshot_preview(self, sighting):
        if not sighting.screenshot:
            return "—"
        url = reverse("admin:tips_sighting_screenshot", args=[sighting.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="tip-screenshot" width="320"></a>',
            url,
            url,
            _("Screenshot of the sighting"),
        )

    @admin.display(description=_("text read from the screenshot"))
    def screenshot_text_display(self, sighting):
        if not sighting.screenshot:
            return "—"
        if not sighting.screenshot_text:
            return _("Not read yet: the screenshot's text is not available.")
        return sighting.screenshot_text

    @admin.display(description=_("answered by"))
    def clarification_link(self, sighting):
        if not sighting.clarification_id:
            return "—"
        return format_html('<a href="{}">{}</a>', sighting.clarification.get_absolute_url(), sighting.clarification)

    # --- extra pages ---------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/screenshot/", view(self.screenshot_view), name="tips_sighting_screenshot"),
            path("answer/", view(self.answer_view), name="tips_sighting_answer"),
            path("<int:pk>/start-draft/", view(self.start_draft_view), name="tips_sighting_start_draft"),
            *super().get_urls(),
        ]

    def screenshot_view(self, request, pk):
        sighting = get_object_or_404(Sighting, pk=pk)
        if not self.has_view_permission(request, sighting):
            raise PermissionDenied
        if not sighting.screenshot or not private_storage().exists(sighting.screenshot.name):
            raise Http404("No screenshot")
        content_type = mimetypes.guess_type(sighting.screenshot.name)[0] or "application/octet-stream"
        response = FileResponse(private_storage().open(sighting.screenshot.name), content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def answer_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        found = list(Sighting.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).order_by("seen_at"))
        if not found:
            return redirect("admin:tips_sighting_changelist")
        form = AnswerTipsForm(request.POST or None, tips=found)
        if request.method == "POST" and form.is_valid():
            clarification = form.cleaned_data["clarification"]
            count = sightings.sightings_answer(sightings=found, clarification=clarification)
            self.message_user(
                request,
                _("%(count)d sighting(s) answered with “%(title)s”.") % {"count": count, "title": clarification.title},
                messages.SUCCESS,
            )
            return redirect("admin:tips_sighting_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Answer sightings with a clarification"),
            "opts": self.opts,
            "tips": found,
            "reports_heading": _("Sightings to answer"),
            "form": form,
        }
        return TemplateResponse(request, "admin/tips/tip/answer.html", context)

    def start_draft_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_draft_permission(request):
            raise PermissionDenied
        return self._start_draft(request, get_object_or_404(Sighting, pk=pk))

    def _start_draft(self, request, sighting):
        if not (sighting.matching_text or sighting.link):
            self.message_user(
                request,
                _("This sighting has no text to start a draft from (its screenshot is not read yet)."),
                messages.ERROR,
            )
            return redirect("admin:tips_sighting_change", sighting.pk)
        draft = sightings.draft_from_sighting(sighting=sighting, author=request.user)
        self.message_user(request, _("Draft clarification created from %(sighting)s.") % {"sighting": sighting})
        return redirect("admin:clarifications_clarification_change", draft.pk)

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description=_("Answer with a clarification…"), permissions=["change"])
    def answer_with_clarification(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:tips_sighting_answer')}?ids={ids}")

    @admin.action(description=_("Mark as being reviewed"), permissions=["change"])
    def mark_reviewing(self, request, queryset):
        count = sightings.sightings_mark_reviewing(sightings=queryset)
        self.message_user(request, _("%(count)d sighting(s) marked as being reviewed.") % {"count": count})

    @admin.action(description=_("Mark as not actionable"), permissions=["change"])
    def mark_not_actionable(self, request, queryset):
        count = sightings.sightings_mark_not_actionable(sightings=queryset)
        self.message_user(request, _("%(count)d sighting(s) marked as not actionable.") % {"count": count})

    @admin.action(description=_("Start a draft clarification from this sighting"), permissions=["draft"])
    def start_draft(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one sighting to start a draft from."), messages.ERROR)
            return None
        return self._start_draft(request, queryset.get())


class SightingInline(admin.TabularInline):
    """The sightings of a rumor group, on its page beside its tips."""

    model = Sighting
    fields = ["sighting_link", "excerpt", "platform", "reach", "status", "seen_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("sightings (online inspection)")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("sighting"))
    def sighting_link(self, sighting):
        return format_html('<a href="{}">{}</a>', reverse("admin:tips_sighting_change", args=[sighting.pk]), sighting)

    @admin.display(description=_("what it said"))
    def excerpt(self, sighting):
        return Truncator(sighting.matching_text or sighting.link).chars(100)
