"""The staff side of online inspection: recording sightings and handling them beside the tips.

Staff of the "Online inspection" group record what they find on patrol; "Tip triage" handles the
sightings of a rumor group with its tips. The list comes in the same order as the tip queue: the
rumor with the most open reports (tips and sightings together) first. What was found stays as it was
recorded; the reach, the group and the notes may change later. Recording goes through
``tips.intake.receive``; every other move is the one report lifecycle's (``base.ReportAdmin``).
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clarifications.admin import URL_FIELDS_ASSUME_HTTPS
from core.images import clean_screenshot
from tips.intake import receive
from tips.models import Sighting

from .base import ReportAdmin
from .forms import https_by_default
from .reports import ReportInline

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
class SightingAdmin(ReportAdmin):
    form = SightingForm
    list_display = ["__str__", "excerpt", "reach", "status", "group", "seen_at", "recorded_by"]
    list_display_links = ["__str__", "excerpt"]
    list_filter = [*ReportAdmin.list_filter, "reach"]
    search_fields = ["text", "screenshot_text", "link"]
    date_hierarchy = "seen_at"
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")

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
            (_("Similar"), {"fields": ["similar_clarifications", "similar_reports"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = [
            *FOUND_FIELDS,
            "status",
            "clarification_link",
            "closed_at",
            "similar_clarifications",
            "similar_reports",
        ]
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

    @admin.display(description=_("text read from the screenshot"))
    def screenshot_text_display(self, sighting):
        if not sighting.screenshot:
            return "—"
        if not sighting.screenshot_text:
            return sighting.get_screenshot_reading_display() or _(
                "Not read yet: the screenshot's text is not available."
            )
        return sighting.screenshot_text


class SightingInline(ReportInline):
    """The sightings of a rumor group, on its page beside its tips."""

    model = Sighting
    fields = ["reference_link", "excerpt", "platform", "reach", "status", "seen_at"]
    readonly_fields = fields
    verbose_name_plural = _("sightings (online inspection)")
