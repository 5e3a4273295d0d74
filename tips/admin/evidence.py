"""The chain of custody of evidence packages, queryable and read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tips.models import EvidenceExport


def custody_message(record):
    """The line the rumor group's admin history shows for an export."""
    contact = _("with contact details") if record.contact_included else _("without contact details")
    return _(
        "Exported evidence package %(package)s: %(count)d report(s), %(contact)s; SHA-256 of manifest.json %(sha)s."
    ) % {"package": record.package_id, "count": len(record.items), "contact": contact, "sha": record.manifest_sha256}


@admin.register(EvidenceExport)
class EvidenceExportAdmin(admin.ModelAdmin):
    """The chain of custody, queryable: every package exported, by whom, when, with its hashes. Read-only."""

    list_display = [
        "exported_at",
        "rumor_link",
        "exported_by_username",
        "reference",
        "report_count",
        "contact_included",
    ]
    list_filter = ["contact_included", "exported_at"]
    search_fields = ["package_id", "rumor_label", "exported_by_username", "reference"]
    date_hierarchy = "exported_at"
    fields = [
        "package_id",
        "rumor_link",
        "exported_by_username",
        "exported_at",
        "reference",
        "contact_included",
        "items",
        "files",
        "manifest_sha256",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm("tips.export_evidence")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rumor group"), ordering="rumor_label")
    def rumor_link(self, record):
        if not record.rumor_id:
            return record.rumor_label
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:tips_rumor_change", args=[record.rumor_id]), record.rumor_label
        )

    @admin.display(description=_("reports"))
    def report_count(self, record):
        return len(record.items)
