"""Building evidence packages for referral: everything the office holds about one reported rumor, in one ZIP.

A package (format ``piyao-evidence/2``) holds:

- ``reports.json``: one object per report, from every channel, with the **exact** texts as received;
- ``reports.csv``: the same rows for spreadsheet programs (UTF-8 with a byte-order mark, so that they
  read Chinese). A cell that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) begins with an added apostrophe (``core.spreadsheets``): the CSV
  is for reading, ``reports.json`` is the exact record;
- ``screenshots/<reference>.<ext>``: the screenshots as stored (re-encoded on upload), with their SHA-256
  in both report files;
- ``clarifications/<id>.json``: the clarifications the reports were answered with, in the import
  format (``clarifications.archive``) plus their public address;
- ``summary.html``: a printable summary in the exporter's language (``summary.py``): the case, the
  reports, every file above with its SHA-256, the custody record, and which file is exact;
- ``custody.json``: the chain-of-custody record: who exported, when, for which case, which reports,
  and the SHA-256 of every file above (the summary's included);
- ``manifest.json``: the package's ID and the SHA-256 and size of every other file.

The same record is kept in the database (``EvidenceExport``, with the SHA-256 of ``manifest.json``) and
in the rumor group's admin history, so ``verify_evidence_package`` (``verification.py``) can tell a
damaged or altered package from the one exported, even if file and manifest were altered together.

Reports come from every kind of report (``tips.models.REPORT_MODELS``, as every count of reports does),
each listed by ``evidence_row``.

Contact details (the e-mail a citizen left) go into the report files only when asked for by someone
with ``tips.view_tip_contact``; the caller decides, the default is without. The ZIP is written to a
file, screenshots copied through in chunks and the report files row by row, so memory stays small
whatever their size. The admin keeps the package privately for ``DOWNLOAD_VALID_FOR`` after the
export (``stored_package``), for the exporter to download; the daily purge removes it afterwards
(``remove_expired_packages``).
"""

import hashlib
import io
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.files import File
from django.utils import timezone, translation

from clarifications.archive import export_record
from clarifications.models import Clarification
from core.logs import log_event
from core.spreadsheets import csv_writer
from core.storage import private_storage
from tips import models
from tips.models import REPORT_MODELS, EvidenceExport, Rumor

from .summary import render_summary

logger = logging.getLogger(__name__)

FORMAT = "piyao-evidence/2"
MANIFEST = "manifest.json"
CUSTODY = "custody.json"
REPORTS = "reports.csv"
REPORTS_EXACT = "reports.json"
SUMMARY = "summary.html"
SUMMARY_NAMES = {"reports_exact": REPORTS_EXACT, "reports_csv": REPORTS, "custody": CUSTODY, "manifest": MANIFEST}
CHUNK_BYTES = 1024 * 1024
# How long the exporter may download a package from the confirmation page; the daily purge removes it after.
DOWNLOAD_VALID_FOR = timedelta(hours=24)
STORED_FOLDER = "evidence"

CSV_COLUMNS = [
    "channel",
    "reference",
    "received_at",
    "seen_on",
    "platform",
    "text",
    "link",
    "status",
    "clarification_id",
    "screenshot_file",
    "screenshot_sha256",
]
CONTACT_COLUMNS = ["contact_email", "contact_consent"]


@dataclass(frozen=True)
class Report:
    """One report about a rumor, whatever its channel."""

    channel: str
    reference: str
    text: str
    platform: str
    link: str
    seen_on: date | None
    received_at: datetime
    status: str
    clarification_id: int | None = None
    screenshot: str = ""  # the file's name in private storage
    contact: dict = field(default_factory=dict)  # filled only when contact details were asked for
    # For people (the summary), in the language active when the report was read.
    channel_label: str = ""
    platform_label: str = ""
    status_label: str = ""


def evidence_row(report: models.Report, *, with_contact: bool) -> Report:
    """One report as the package lists it, whatever its kind (contact details only when asked for)."""
    return Report(
        channel=report.kind,
        reference=report.reference,
        text=report.evidence_text,
        platform=report.platform,
        link=report.link,
        seen_on=report.seen_on_date,
        received_at=report.received_at,
        status=report.status,
        clarification_id=report.clarification_id,
        screenshot=report.screenshot.name or "",
        contact=report.contact() if with_contact else {},
        channel_label=str(report.channel_label),
        platform_label=str(report.get_platform_display()),
        status_label=str(report.get_status_display()),
    )


def reports_of(rumor: Rumor, *, with_contact: bool) -> list[Report]:
    """Every report of the group, of every kind (``tips.models.REPORT_MODELS``), in the order they were
    received."""
    reports = [
        evidence_row(report, with_contact=with_contact)
        for model in REPORT_MODELS
        for report in model.objects.filter(rumor=rumor).order_by(model.received_at_field, "id").iterator(chunk_size=500)
    ]
    return sorted(reports, key=lambda report: (report.received_at, report.channel, report.reference))


def build_package(
    *,
    rumor: Rumor,
    user,
    with_contact: bool,
    reference: str,
    out,
    absolute_url=lambda path: path,
    language: str | None = None,
) -> EvidenceExport:
    """Write the package of ``rumor`` to the binary file ``out`` and record the export; returns the record.

    ``absolute_url`` turns a path into the site's address (``request.build_absolute_uri``), so that the
    clarifications in the package name where the public reads them; ``language`` is the summary's
    (the exporter's; the active language by default).

    Call it inside a transaction: the record and the admin log entry then stand or fall together.
    """
    language = language or translation.get_language()
    record = EvidenceExport(
        rumor=rumor,
        rumor_label=rumor.label,
        exported_by=user,
        exported_by_username=user.get_username(),
        exported_at=timezone.now(),
        reference=reference,
        contact_included=with_contact,
    )
    with translation.override(language):
        reports = reports_of(rumor, with_contact=with_contact)
    files: dict[str, dict] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        screenshots = {}
        for report in reports:
            if report.screenshot:
                screenshots[report.reference] = _add_screenshot(package, files, report)
        rows = [_row(report, screenshots, with_contact=with_contact) for report in reports]
        _add_reports_json(package, files, rows)
        _add_reports_csv(package, files, rows, with_contact=with_contact)
        clarification_ids = sorted({report.clarification_id for report in reports if report.clarification_id})
        clarifications = list(
            Clarification.objects.filter(pk__in=clarification_ids).prefetch_related("topics", "sources", "updates")
        )
        for clarification in clarifications:
            document = {
                "id": clarification.pk,
                "address": absolute_url(clarification.get_absolute_url()),
                **export_record(clarification),
            }
            _add_bytes(package, files, f"clarifications/{clarification.pk}.json", _json_bytes(document))
        record.items = [{"channel": report.channel, "reference": report.reference} for report in reports]
        custody = {
            "package_id": str(record.package_id),
            "rumor": {"id": rumor.pk, "label": rumor.label},
            "exported_by": record.exported_by_username,
            "exported_at": timezone.localtime(record.exported_at).isoformat(),
            "case_reference": reference,
            "contact_details_included": with_contact,
            "exact_texts": REPORTS_EXACT,
            "reports": record.items,
            "clarifications": clarification_ids,
        }
        with translation.override(language):
            summary = render_summary(
                record=record,
                reports=reports,
                screenshots=screenshots,
                clarifications=clarifications,
                files=dict(files),
                names=SUMMARY_NAMES,
            )
        _add_bytes(package, files, SUMMARY, summary.encode())
        custody["files"] = {path: entry["sha256"] for path, entry in files.items()}
        _add_bytes(package, files, CUSTODY, _json_bytes(custody))
        manifest = {
            "format": FORMAT,
            "package_id": str(record.package_id),
            "rumor": custody["rumor"],
            "exported_by": custody["exported_by"],
            "exported_at": custody["exported_at"],
            "files": [{"path": path, **entry} for path, entry in files.items()],
        }
        manifest_bytes = _json_bytes(manifest)
        package.writestr(MANIFEST, manifest_bytes)
    record.files = {path: entry["sha256"] for path, entry in files.items()}
    record.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
    record.full_clean()
    record.save()
    log_event(
        logger,
        "evidence.exported",
        rumor=rumor.pk,
        package=str(record.package_id),
        reports=len(reports),
        contact=with_contact,
    )
    return record


def _add_screenshot(package, files, report):
    """Copy a screenshot into the package in chunks; returns (path in the package, SHA-256), or None if gone."""
    storage = private_storage()
    if not storage.exists(report.screenshot):
        return None
    extension = os.path.splitext(report.screenshot)[1].lower()
    path = f"screenshots/{report.reference}{extension}"
    digest, size = hashlib.sha256(), 0
    member = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
    # Already compressed pictures: deflating them again costs time and saves nothing.
    member.compress_type = zipfile.ZIP_STORED
    with storage.open(report.screenshot, "rb") as source, package.open(member, "w") as target:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            target.write(chunk)
            size += len(chunk)
    files[path] = {"sha256": digest.hexdigest(), "size": size}
    return path, digest.hexdigest()


def _add_bytes(package, files, path, content):
    package.writestr(path, content)
    files[path] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}


class _HashingWriter(io.RawIOBase):
    """Writes through to a ZIP member, keeping the SHA-256 and size of what passed."""

    def __init__(self, target):
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


def _row(report, screenshots, *, with_contact):
    """The report as the report files hold it: a dict in ``CSV_COLUMNS`` order (plus contact columns)."""
    screenshot_path, screenshot_sha256 = screenshots.get(report.reference) or ("", "")
    if report.screenshot and not screenshot_path:
        screenshot_path = "(file missing from storage)"
    row = {
        "channel": report.channel,
        "reference": report.reference,
        "received_at": timezone.localtime(report.received_at).isoformat(),
        "seen_on": report.seen_on.isoformat() if report.seen_on else "",
        "platform": report.platform,
        "text": report.text,
        "link": report.link,
        "status": report.status,
        "clarification_id": report.clarification_id,
        "screenshot_file": screenshot_path,
        "screenshot_sha256": screenshot_sha256,
    }
    if with_contact:
        row["contact_email"] = report.contact.get("contact_email", "")
        row["contact_consent"] = bool(report.contact.get("contact_consent"))
    return row


def _add_reports_json(package, files, rows):
    """The exact record, one report a line inside a JSON array (written as it goes, like the CSV)."""
    with package.open(REPORTS_EXACT, "w") as member:
        hashing = _HashingWriter(member)
        hashing.write(b"[")
        for number, row in enumerate(rows):
            hashing.write((",\n" if number else "\n").encode() + json.dumps(row, ensure_ascii=False).encode())
        hashing.write(b"\n]\n")
    files[REPORTS_EXACT] = {"sha256": hashing.digest.hexdigest(), "size": hashing.size}


def _add_reports_csv(package, files, rows, *, with_contact):
    """The CSV for spreadsheets, written row by row into the package (a group may have thousands of reports)."""
    columns = CSV_COLUMNS + (CONTACT_COLUMNS if with_contact else [])
    with package.open(REPORTS, "w") as member:
        hashing = _HashingWriter(member)
        text = io.TextIOWrapper(hashing, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv_writer(text)
        writer.writerow(columns)
        for row in rows:
            values = {**row, "clarification_id": row["clarification_id"] or ""}
            if with_contact:
                values["contact_consent"] = "yes" if row["contact_consent"] else "no"
            writer.writerow([values[column] for column in columns])
        text.flush()
        text.detach()  # closing the wrapper would close the member before the ZIP does
    files[REPORTS] = {"sha256": hashing.digest.hexdigest(), "size": hashing.size}


def _json_bytes(document):
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# --- The copy kept for the exporter's download ---------------------------------------------------------


def stored_name(record: EvidenceExport) -> str:
    return f"{STORED_FOLDER}/{record.package_id}.zip"


def download_expires_at(record: EvidenceExport) -> datetime:
    return record.exported_at + DOWNLOAD_VALID_FOR


def build_and_store(**arguments) -> EvidenceExport:
    """``build_package`` into a temporary file, then kept in private storage under ``stored_name``.

    Call it inside a transaction: should the transaction fail later, the stored file is an orphan that
    the daily purge removes.
    """
    with tempfile.TemporaryFile() as package:
        record = build_package(out=package, **arguments)
        package.seek(0)
        name = private_storage().save(stored_name(record), File(package, name=stored_name(record)))
    if name != stored_name(record):  # package IDs are unique: never expected, but never served wrongly
        private_storage().delete(name)
        raise FileExistsError(stored_name(record))
    return record


def stored_package(record: EvidenceExport):
    """The kept copy of ``record``'s package (an open binary file), or None when expired or gone."""
    if timezone.now() >= download_expires_at(record):
        return None
    storage = private_storage()
    name = stored_name(record)
    return storage.open(name, "rb") if storage.exists(name) else None


def remove_expired_packages(*, now=None) -> int:
    """Delete the kept copies older than ``DOWNLOAD_VALID_FOR`` (and orphans of failed exports); returns how many."""
    storage = private_storage()
    if not storage.exists(STORED_FOLDER):
        return 0
    deadline = (now or timezone.now()) - DOWNLOAD_VALID_FOR
    removed = 0
    for filename in storage.listdir(STORED_FOLDER)[1]:
        name = f"{STORED_FOLDER}/{filename}"
        if storage.get_modified_time(name) < deadline:
            storage.delete(name)
            removed += 1
    if removed:
        log_event(logger, "evidence.downloads_removed", count=removed)
    return removed
