"""Evidence packages in the admin: the export of a rumor group's package (``evidence_urls``, wired into
the rumor groups' admin) and the chain of custody, queryable and read-only (``EvidenceExportAdmin``).

The export is three steps, each checked against ``tips.export_evidence``:

1. ``rumor/<id>/evidence/`` shows what the package will hold and asks for the case reference and,
   only for those with ``tips.view_tip_contact``, whether to include contact details;
2. its POST builds the package, records the export (``EvidenceExport`` and the group's history) and
   keeps the ZIP privately, then redirects (so a reload exports nothing twice) to
3. ``rumor/<id>/evidence/<package id>/``, the confirmation: what was exported, by whom, when, the
   hashes, and for the exporter a download button valid for ``DOWNLOAD_VALID_FOR``
   (``.../download/``; the daily purge removes the kept copy afterwards). A package with contact
   details is downloaded only by someone who may still see them.
"""

import logging

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification
from core.logs import log_event
from tips.evidence import packages
from tips.models import EvidenceExport, Rumor

from .forms import EvidenceExportForm

logger = logging.getLogger(__name__)


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


# --- The export of a rumor group's package -----------------------------------------------------------


def evidence_urls(model_admin):
    """The export's URLs, for ``RumorAdmin.get_urls``: ``tips_rumor_evidence``, ``..._done``, ``..._download``."""
    site = model_admin.admin_site

    def view(function):
        return site.admin_view(lambda request, **kwargs: function(model_admin, request, **kwargs))

    return [
        path("<int:pk>/evidence/", view(export_view), name="tips_rumor_evidence"),
        path("<int:pk>/evidence/<uuid:package_id>/", view(done_view), name="tips_rumor_evidence_done"),
        path("<int:pk>/evidence/<uuid:package_id>/download/", view(download_view), name="tips_rumor_evidence_download"),
    ]


def _check_permission(request):
    if not request.user.has_perm("tips.export_evidence"):
        raise PermissionDenied


def export_view(model_admin, request, pk):
    """What the package will hold and the form (GET); the export itself (POST), then the confirmation."""
    _check_permission(request)
    rumor = get_object_or_404(Rumor, pk=pk)
    may_see_contact = request.user.has_perm("tips.view_tip_contact")
    data = request.POST if request.method == "POST" else None  # a POST with every box unticked is empty
    form = EvidenceExportForm(data, may_see_contact=may_see_contact)
    if request.method == "POST" and form.is_valid():
        with_contact = may_see_contact and form.cleaned_data.get("include_contact", False)
        with transaction.atomic():
            record = packages.build_and_store(
                rumor=rumor,
                user=request.user,
                with_contact=with_contact,
                reference=form.cleaned_data["reference"],
                absolute_url=request.build_absolute_uri,
                language=get_language(),
            )
            model_admin.log_change(request, rumor, custody_message(record))
        return redirect("admin:tips_rumor_evidence_done", pk=rumor.pk, package_id=record.package_id)
    reports = packages.reports_of(rumor, with_contact=False)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Export an evidence package"),
        "opts": model_admin.opts,
        "rumor": rumor,
        "reports": reports,
        "screenshots": sum(1 for report in reports if report.screenshot),
        "clarifications": Clarification.objects.filter(
            pk__in={report.clarification_id for report in reports if report.clarification_id}
        ),
        "exports": rumor.evidence_exports.all()[:10],
        "form": form,
    }
    return TemplateResponse(request, "admin/tips/rumor/evidence.html", context)


def _download_refusal(request, record):
    """Why ``request.user`` may not download ``record``'s package now, or "" when they may."""
    if record.exported_by_id != request.user.pk:
        return gettext("Only the person who exported a package may download it; export it again to get your own.")
    if record.contact_included and not request.user.has_perm("tips.view_tip_contact"):
        return gettext("This package holds contact details, which you may not see.")
    if timezone.now() >= packages.download_expires_at(record):
        return gettext("The download has expired. Export the package again to get a new one.")
    return ""


def done_view(model_admin, request, pk, package_id):
    """The confirmation of an export: what, by whom, when, the hashes, and the download."""
    _check_permission(request)
    record = get_object_or_404(EvidenceExport, rumor_id=pk, package_id=package_id)
    files = sorted(record.files.items())
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Evidence package exported"),
        "opts": model_admin.opts,
        "rumor": record.rumor,
        "record": record,
        "files": files,
        "screenshots": sum(1 for name, _sha in files if name.startswith("screenshots/")),
        "expires_at": packages.download_expires_at(record),
        "refusal": _download_refusal(request, record),
        "filename": download_filename(record),
    }
    return TemplateResponse(request, "admin/tips/rumor/evidence_done.html", context)


def download_filename(record):
    return f"evidence-rumor-{record.rumor_id}-{timezone.localtime(record.exported_at):%Y%m%d-%H%M%S}.zip"


def download_view(model_admin, request, pk, package_id):
    """The kept ZIP, for its exporter, while the download is valid; never cached."""
    _check_permission(request)
    record = get_object_or_404(EvidenceExport, rumor_id=pk, package_id=package_id)
    refusal = _download_refusal(request, record)
    package = None if refusal else packages.stored_package(record)
    if package is None:
        messages.error(request, refusal or gettext("The package is no longer kept. Export it again to get a new one."))
        return redirect("admin:tips_rumor_evidence_done", pk=pk, package_id=package_id)
    log_event(logger, "evidence.downloaded", rumor=pk, package=str(record.package_id))
    response = FileResponse(
        package, as_attachment=True, filename=download_filename(record), content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
