"""Citizens' tips in the admin: the triage list, where the most-reported rumors come first.

Everything a tip shares with a sighting (the moves of the one lifecycle, answering, re-opening,
detaching, drafts, grouping) comes from ``base.ReportAdmin``; this adds what only a citizen's report
has: the reference code, the WeChat picture, and contact data, which appears only for users with
``tips.view_tip_contact`` and may be filtered or searched only by them (``PersonalDataGuard``).
"""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from tips.intake import ocr
from tips.models import ScreenshotReading, Tip

from .base import ReportAdmin

TIP_FIELDS = [
    "code",
    "status",
    "text",
    "platform",
    "seen_on",
    "link",
    "screenshot_preview",
    "wechat_picture",
    "screenshot_reading_display",
    "language",
    "channel",
    "submitted_at",
    "closed_at",
]
CONTACT_FIELDS = ["contact_email", "contact_consent", "client_hash", "personal_data_purged_at"]
# The fields that identify a citizen. Without ``tips.view_tip_contact`` no URL of the admin may filter,
# search or order by them: ``?contact_email__startswith=a`` would otherwise read an address letter by letter.
PERSONAL_FIELDS = {"contact_email", "contact_consent", "client_hash"}


class PersonalDataGuard:
    """Refuses lookups, searches and orderings that touch a tip's personal fields without the permission.

    Django's admin allows any lookup on a model's own fields in the changelist's query string, and a
    relation's fields when listed in ``list_filter``; here any path that reaches a personal field of a
    tip (``contact_email__regex``, ``tips__client_hash``) is refused with a 400, like other forbidden
    lookups.
    """

    def lookup_allowed(self, lookup, value, request=None):
        if touches_personal_data(self.model, lookup) and not (
            request is not None and request.user.has_perm("tips.view_tip_contact")
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if request.user.has_perm("tips.view_tip_contact"):
            return fields
        return [field for field in fields if not touches_personal_data(self.model, field.lstrip("^=@"))]


def touches_personal_data(model, lookup):
    """Whether a lookup path such as ``rumor__tips__contact_email__startswith`` reads a personal field."""
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if model is Tip and part in PERSONAL_FIELDS:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


@admin.register(Tip)
class TipAdmin(PersonalDataGuard, ReportAdmin):
    list_display = ["code", "excerpt", "status", "group", "platform", "submitted_at"]
    list_display_links = ["code", "excerpt"]
    list_filter = [*ReportAdmin.list_filter, "channel", "rumor__confirmed"]
    search_fields = ["code", "text"]

    def has_add_permission(self, request):
        # Tips come from citizens through the public form and WeChat only.
        return False

    def has_contact_permission(self, request):
        return request.user.has_perm("tips.view_tip_contact")

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": TIP_FIELDS}),
            (_("Triage"), {"fields": ["rumor", "clarification_link", "duplicate_of_link", "staff_notes"]}),
            (_("Similar"), {"fields": ["similar_clarifications", "similar_reports"]}),
        ]
        if self.has_contact_permission(request):
            fieldsets.append((_("Contact (personal data)"), {"fields": CONTACT_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # What the citizen sent is evidence and stays as sent; triage changes only group and notes.
        readonly = [*TIP_FIELDS, "clarification_link", "duplicate_of_link", "similar_clarifications", "similar_reports"]
        if self.has_contact_permission(request):
            readonly += CONTACT_FIELDS
        return readonly

    @admin.display(description=_("picture sent through WeChat"))
    def wechat_picture(self, tip):
        if tip.picture_fetch_error:
            return _("Could not be fetched: %(reason)s") % {"reason": tip.picture_fetch_error}
        if tip.pending_picture_url:
            return _("Not fetched yet: it becomes the screenshot once fetched.")
        return "—"

    @admin.display(description=_("text read from the screenshot"))
    def screenshot_reading_display(self, tip):
        """Beside the picture: what OCR read (it makes mistakes: the picture is the evidence), or why not."""
        if tip.screenshot_reading == ScreenshotReading.READ:
            if not tip.screenshot_text:
                return _("No text was found in the screenshot.")
            return format_html('<div class="tip-screenshot-text" lang="zh-Hans">{}</div>', tip.screenshot_text)
        if tip.screenshot_reading == ScreenshotReading.UNAVAILABLE:
            engine = ocr.status()
            if engine.available:
                return _("Not read: OCR was unavailable when it arrived (manage.py read_tip_screenshots reads it now).")
            return format_html("{} {}", _("Not read: OCR is unavailable on this server."), engine.reason)
        if not tip.screenshot_reading:
            return "—"
        return tip.get_screenshot_reading_display()

    @admin.display(description=_("duplicate of"))
    def duplicate_of_link(self, tip):
        if not tip.duplicate_of_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:tips_tip_change", args=[tip.duplicate_of_id]), tip.duplicate_of
        )


class ReportInline(admin.TabularInline):
    """A rumor group's reports of one kind, on the group's page, each with its status."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("report"))
    def reference_link(self, report):
        url = reverse(f"admin:tips_{report._meta.model_name}_change", args=[report.pk])
        return format_html('<a href="{}">{}</a>', url, report.reference)

    @admin.display(description=_("what was seen"))
    def excerpt(self, report):
        return Truncator(report.matching_text or report.link).chars(100)


class TipInline(ReportInline):
    model = Tip
    fields = ["reference_link", "excerpt", "status", "channel", "submitted_at"]
    readonly_fields = fields
