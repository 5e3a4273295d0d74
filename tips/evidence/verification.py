"""Verifying an evidence package (``manage.py verify_evidence_package``): is this the package the office
exported, unaltered?

A package passes only if all of these hold, and the first three are checked before any member is read:

- **The ZIP is plain.** Each name appears once (also ignoring case: extracted on Windows or macOS,
  ``Reports.csv`` would replace ``reports.csv``); no name is absolute, climbs out (``..``), holds a
  backslash or a control character; no directory entry holds data; the members are not encrypted.
  (Before, names were read as a set: a tampered ``reports.csv`` first and the genuine one last passed,
  the last duplicate being the one read.)
- **The manifest is sane.** ``manifest.json`` is read with a bound (``MAX_MANIFEST_BYTES``), so a small
  ZIP whose manifest inflates to hundreds of megabytes costs nothing; it lists each file once, with a
  SHA-256 and a size.
- **Every file matches the manifest**: none missing, none added, each read in chunks and never past
  the size the manifest declares (a member larger than declared is named as such, however much larger
  it inflates to), with its SHA-256.
- **The manifest matches the office's record** of the export (``EvidenceExport``, the SHA-256 of
  ``manifest.json``), so a file and the manifest altered together are caught.

The result is one of three (``Verification.status``), each with its own exit status of the command:

- ``verified`` (0): everything above holds;
- ``tampered`` (1): something differs, or the file is not a readable package; each problem is named;
- ``unverifiable`` (3): the package agrees with itself, but this office has no record of its
  ``package_id``: it may be another office's, or forged whole (files, custody and hashes rewritten under
  a new ID), and nothing here can tell which. It is never reported as OK.
"""

import hashlib
import json
import posixpath
import re
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field

from tips.models import EvidenceExport

from .packages import CHUNK_BYTES, MANIFEST

FORMATS = {"piyao-evidence/1", "piyao-evidence/2"}
# A manifest lists a path, a hash and a size per file: 16 MB is room for over 100,000 files.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_MEMBERS = 200_000
SHA256 = re.compile(r"[0-9a-f]{64}")
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\\]")

VERIFIED, TAMPERED, UNVERIFIABLE = "verified", "tampered", "unverifiable"
EXIT_STATUS = {VERIFIED: 0, TAMPERED: 1, UNVERIFIABLE: 3}


@dataclass
class Verification:
    package_id: str = ""
    manifest_sha256: str = ""
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    record: EvidenceExport | None = None

    @property
    def status(self):
        if self.problems:
            return TAMPERED
        return VERIFIED if self.record is not None else UNVERIFIABLE

    @property
    def ok(self):
        return self.status == VERIFIED


class _Refused(Exception):
    """A problem that makes checking further pointless (the message says which)."""


def verify_package(path) -> Verification:
    """Check the package at ``path`` (see the module docstring)."""
    result = Verification()
    try:
        package = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as error:
        result.problems.append(f"cannot read the package as a ZIP file: {error}")
        return result
    with package:
        try:
            members = _plain_members(package)
            manifest_bytes, listed = _read_manifest(package, members)
        except _Refused as refusal:
            result.problems.append(str(refusal))
            return result
        result.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        result.package_id = listed.pop(None)
        for name in sorted(set(members) - set(listed) - {MANIFEST}):
            result.problems.append(f"{name}: in the package but not in the manifest (added after export)")
        for name, (sha256, size) in listed.items():
            if name not in members:
                result.problems.append(f"{name}: listed in the manifest but missing from the package")
                continue
            problem = _check_member(package, members[name], sha256=sha256, size=size)
            if problem:
                result.problems.append(f"{name}: {problem}")
            else:
                result.checked += 1
    package_uuid = _uuid_or_none(result.package_id)
    result.record = EvidenceExport.objects.filter(package_id=package_uuid).first() if package_uuid else None
    if result.record is not None and result.record.manifest_sha256 != result.manifest_sha256:
        result.problems.append(
            f"{MANIFEST}: SHA-256 is {result.manifest_sha256}, the office recorded {result.record.manifest_sha256} "
            "when it exported this package: the manifest was altered"
        )
    return result


def _plain_members(package) -> dict[str, zipfile.ZipInfo]:
    """The file members by name, or _Refused for anything a package of ours never has."""
    infos = package.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _Refused(f"the ZIP has {len(infos)} entries, more than any package: not a package of ours")
    members: dict[str, zipfile.ZipInfo] = {}
    folded: dict[str, str] = {}
    problems = []
    for info in infos:
        name = info.filename
        if problem := _unsafe_name(name):
            problems.append(f"{name!r}: {problem}")
            continue
        if name.casefold() in folded:
            earlier = folded[name.casefold()]
            same = "twice" if earlier == name else f"twice (as {earlier!r}, ignoring case)"
            problems.append(f"{name}: in the ZIP {same}; a package holds each file once")
            continue
        folded[name.casefold()] = name
        if info.flag_bits & 0x1:
            problems.append(f"{name}: encrypted; a package's files are not")
        if info.is_dir():
            if info.file_size or info.compress_size:
                problems.append(f"{name}: a directory entry holding data ({info.file_size} bytes)")
            continue
        members[name] = info
    if problems:
        raise _Refused("; ".join(problems))
    return members


def _unsafe_name(name):
    if not name:
        return "an empty name"
    if UNSAFE_CHARACTERS.search(name):
        return "a name with a backslash or a control character"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute name"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts) or posixpath.normpath(name).startswith(".."):
        return "a name with an empty, '.' or '..' part (it could write outside the folder it is extracted to)"
    return ""


def _read_manifest(package, members):
    """(the manifest's bytes, {path: (sha256, size)} with the package ID under the key None)."""
    info = members.get(MANIFEST)
    if info is None:
        raise _Refused(f"{MANIFEST} is missing: this is not a complete package")
    try:
        manifest_bytes = _read_bounded(package, info, MAX_MANIFEST_BYTES)
    except _TooLarge:
        raise _Refused(f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES} bytes: not a manifest of ours") from None
    except _Damaged as error:
        raise _Refused(f"{MANIFEST} is damaged: {error}") from None
    try:
        manifest = json.loads(manifest_bytes)
        if manifest.get("format") not in FORMATS:
            raise _Refused(f"{MANIFEST}: format {manifest.get('format')!r} is not a Piyao evidence package")
        listed: dict[str | None, str | tuple[str, int]] = {None: str(manifest["package_id"])}
        for entry in manifest["files"]:
            path, sha256, size = entry["path"], entry["sha256"], entry["size"]
            if not isinstance(path, str) or _unsafe_name(path) or path == MANIFEST or path.endswith("/"):
                raise _Refused(f"{MANIFEST} lists an unsafe or impossible name: {path!r}")
            if path in listed:
                raise _Refused(f"{MANIFEST} lists {path} twice")
            if not (isinstance(sha256, str) and SHA256.fullmatch(sha256)):
                raise _Refused(f"{MANIFEST}: the SHA-256 of {path} is not one")
            if not (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
                raise _Refused(f"{MANIFEST}: the size of {path} is not a number of bytes")
            listed[path] = (sha256, size)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise _Refused(f"{MANIFEST} is damaged or lacks its file list: {error.__class__.__name__}") from None
    return manifest_bytes, listed


class _TooLarge(Exception):
    pass


class _Damaged(Exception):
    pass


# What a damaged or hostile member can raise while it is read.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)


def _chunks(package, info, limit):
    """The member's bytes in chunks, never more than ``limit`` + 1 in all (one more says "larger")."""
    read = 0
    try:
        with package.open(info) as member:
            while read <= limit:
                chunk = member.read(min(CHUNK_BYTES, limit + 1 - read))
                if not chunk:
                    return
                read += len(chunk)
                if read > limit:
                    raise _TooLarge
                yield chunk
    except _READ_ERRORS as error:
        raise _Damaged(f"{error.__class__.__name__}: {error}") from None


def _read_bounded(package, info, limit):
    return b"".join(_chunks(package, info, limit))


def _check_member(package, info, *, sha256, size):
    """Why the member differs from its manifest entry, or "" when it matches. Never reads past ``size``."""
    larger = f"larger than the {size} bytes the manifest declares (not read further): altered"
    if info.file_size > size:
        return larger
    digest, read = hashlib.sha256(), 0
    try:
        for chunk in _chunks(package, info, size):
            digest.update(chunk)
            read += len(chunk)
    except _TooLarge:  # the ZIP's header understated the member's size
        return larger
    except _Damaged:
        return "damaged (the ZIP's checksum does not match its content)"
    if digest.hexdigest() != sha256:
        sizes = f" ({read} bytes, the manifest says {size})" if read != size else ""
        return f"SHA-256 is {digest.hexdigest()}, the manifest says {sha256}{sizes}: altered or damaged"
    return ""


def _uuid_or_none(text):
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
