"""Evidence packages for referral: everything the office holds about one reported rumor, in one ZIP.

A package holds:

- ``reports.csv``: one row per report, from every channel (UTF-8 with a byte-order mark, so that
  spreadsheet programs read Chinese); texts are exactly as received, since they are evidence;
- ``screenshots/<reference>.<ext>``: the screenshots as stored (re-encoded on upload, see
  ``screenshots.py``), with their SHA-256 in the CSV;
- ``clarifications/<id>.json``: the clarifications the reports were answered with, in the import
  format (``clarifications.archive``) plus their public address;
- ``custody.json``: the chain-of-custody record: who exported, when, for which case, which reports,
  and the SHA-256 of every file above;
- ``manifest.json``: the package's ID and the SHA-256 and size of every other file.

The same record is kept in the database (``EvidenceExport``, with the SHA-256 of ``manifest.json``) and
in the rumor group's admin history, so ``verify_evidence_package`` can tell a damaged or altered
package from the one exported, even if file and manifest were altered together.

Reports come from ``REPORT_SOURCES``: one function per channel, each yielding ``Report`` rows for a
rumor group: citizens' tips (``tip_reports``) and online-inspection sightings (``sighting_reports``).

Contact details (the e-mail a citizen left) go into the CSV only when asked for by someone with
``tips.view_tip_contact``; the caller decides, the default is without. The ZIP is written to a
temporary file, screenshots copied through in chunks, so memory stays small whatever their size.
"""

import csv
import hashlib
import io
import json
import logging
import os
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from clarifications.archive import export_record
from clarifications.models import Clarification
from core.logs import log_event
from core.storage import private_storage
from tips.models import EvidenceExport, Rumor

logger = logging.getLogger(__name__)

FORMAT = "piyao-evidence/1"
MANIFEST = "manifest.json"
CUSTODY = "custody.json"
REPORTS = "reports.csv"
CHUNK_BYTES = 1024 * 1024

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


def tip_reports(rumor: Rumor, *, with_contact: bool) -> Iterator[Report]:
    """Citizens' tips in the group, oldest first."""
    for tip in rumor.tips.order_by("submitted_at", "id").iterator(chunk_size=500):
        contact = {}
        if with_contact:
            contact = {"contact_email": tip.contact_email, "contact_consent": tip.contact_consent}
        yield Report(
            channel="tip",
            reference=tip.code,
            text=tip.text,
            platform=tip.platform,
            link=tip.link,
            seen_on=tip.seen_on,
            received_at=tip.submitted_at,
            status=tip.status,
            clarification_id=tip.clarification_id,
            screenshot=tip.screenshot.name or "",
            contact=contact,
        )


def sighting_reports(rumor: Rumor, *, with_contact: bool) -> Iterator[Report]:
    """Staff's sightings from online inspection in the group, oldest first (no contact data: the
    office recorded them). The text is what was typed and, below it, what the screenshot says."""
    for sighting in rumor.sightings.order_by("recorded_at", "id").iterator(chunk_size=500):
        yield Report(
            channel="sighting",
            reference=f"S-{sighting.pk}",
            text=sighting.matching_text,
            platform=sighting.platform,
            link=sighting.link,
            seen_on=timezone.localdate(sighting.seen_at),
            received_at=sighting.recorded_at,
            status=sighting.status,
            clarification_id=sighting.clarification_id,
            screenshot=sighting.screenshot.name or "",
        )


REPORT_SOURCES = [tip_reports, sighting_reports]


def reports_of(rumor: Rumor, *, with_contact: bool) -> list[Report]:
    """Every report of the group from every channel, in the order they were received."""
    reports = [report for source in REPORT_SOURCES for report in source(rumor, with_contact=with_contact)]
    return sorted(reports, key=lambda report: (report.received_at, report.channel, report.reference))


def build_package(
    *, rumor: Rumor, user, with_contact: bool, reference: str, out, absolute_url=lambda path: path
) -> EvidenceExport:
    """Write the package of ``rumor`` to the binary file ``out`` and record the export; returns the record.

    ``absolute_url`` turns a path into the site's address (``request.build_absolute_uri``), so that the
    clarifications in the package name where the public reads them.

    Call it inside a transaction: the record and the admin log entry then stand or fall together.
    """
    record = EvidenceExport(
        rumor=rumor,
        rumor_label=rumor.label,
        exported_by=user,
        exported_by_username=user.get_username(),
        exported_at=timezone.now(),
        reference=reference,
        contact_included=with_contact,
    )
    reports = reports_of(rumor, with_contact=with_contact)
    files: dict[str, dict] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        screenshots = {}
        for report in reports:
            if report.screenshot:
                screenshots[report.reference] = _add_screenshot(package, files, report)
        _add_reports_csv(package, files, reports, screenshots, with_contact=with_contact)
        clarification_ids = sorted({report.clarification_id for report in reports if report.clarification_id})
        for clarification in Clarification.objects.filter(pk__in=clarification_ids).prefetch_related(
            "topics", "sources", "updates"
        ):
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
            "reports": record.items,
            "clarifications": clarification_ids,
            "files": {path: entry["sha256"] for path, entry in files.items()},
        }
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


def _add_reports_csv(package, files, reports, screenshots, *, with_contact):
    """The CSV, written row by row into the package (a group may have thousands of long reports)."""
    with package.open(REPORTS, "w") as member:
        hashing = _HashingWriter(member)
        text = io.TextIOWrapper(hashing, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS + (CONTACT_COLUMNS if with_contact else []))
        for report in reports:
            writer.writerow(_csv_row(report, screenshots, with_contact=with_contact))
        text.flush()
        text.detach()  # closing the wrapper would close the member before the ZIP does
    files[REPORTS] = {"sha256": hashing.digest.hexdigest(), "size": hashing.size}


def _csv_row(report, screenshots, *, with_contact):
    screenshot_path, screenshot_sha256 = screenshots.get(report.reference) or ("", "")
    if report.screenshot and not screenshot_path:
        screenshot_path = "(file missing from storage)"
    row = [
        report.channel,
        report.reference,
        timezone.localtime(report.received_at).isoformat(),
        report.seen_on.isoformat() if report.seen_on else "",
        report.platform,
        report.text,
        report.link,
        report.status,
        report.clarification_id or "",
        screenshot_path,
        screenshot_sha256,
    ]
    if with_contact:
        row += [report.contact.get("contact_email", ""), "yes" if report.contact.get("contact_consent") else "no"]
    return row


def _json_bytes(document):
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


# --- Verification ------------------------------------------------------------------------------------


@dataclass
class Verification:
    package_id: str = ""
    manifest_sha256: str = ""
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    record: EvidenceExport | None = None

    @property
    def ok(self):
        return not self.problems


def verify_package(path) -> Verification:
    """Check every file of the package at ``path`` against its manifest, and the manifest against the
    office's record of the export when this database has it."""
    result = Verification()
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        result.problems.append(f"cannot read the package as a ZIP file: {error}")
        return result
    with package:
        try:
            manifest_bytes = package.read(MANIFEST)
            manifest = json.loads(manifest_bytes)
            listed = {entry["path"]: entry for entry in manifest["files"]}
            result.package_id = str(manifest["package_id"])
        except KeyError:
            result.problems.append(f"{MANIFEST} is missing or lacks its file list: this is not a complete package")
            return result
        except (ValueError, TypeError, zipfile.BadZipFile) as error:
            result.problems.append(f"{MANIFEST} is damaged: {error}")
            return result
        result.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        present = {name for name in package.namelist() if not name.endswith("/")} - {MANIFEST}
        for name in sorted(present - set(listed)):
            result.problems.append(f"{name}: in the package but not in the manifest (added after export)")
        for name, entry in listed.items():
            if name not in present:
                result.problems.append(f"{name}: listed in the manifest but missing from the package")
                continue
            digest = _sha256_of_member(package, name)
            if digest is None:
                result.problems.append(f"{name}: damaged (the ZIP's checksum does not match its content)")
            elif digest != entry.get("sha256"):
                result.problems.append(
                    f"{name}: SHA-256 is {digest}, the manifest says {entry.get('sha256')}: altered or damaged"
                )
            else:
                result.checked += 1
    result.record = EvidenceExport.objects.filter(package_id=_uuid_or_none(result.package_id)).first()
    if result.record is not None and result.record.manifest_sha256 != result.manifest_sha256:
        result.problems.append(
            f"{MANIFEST}: SHA-256 is {result.manifest_sha256}, the office recorded {result.record.manifest_sha256} "
            "when it exported this package: the manifest was altered"
        )
    return result


def _sha256_of_member(package, name):
    digest = hashlib.sha256()
    try:
        with package.open(name) as member:
            while chunk := member.read(CHUNK_BYTES):
                digest.update(chunk)
    except zipfile.BadZipFile:
        return None
    return digest.hexdigest()


def _uuid_or_none(text):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
