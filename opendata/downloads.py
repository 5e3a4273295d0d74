"""Every public clarification as a download: JSON Lines in the import format, and CSV.

Both read ``Clarification.objects.published()``, the same rule as every public page, so no draft, review,
scheduled or withdrawn item is in them, and neither carries personal data: staff names (author,
reviewer) and anything from tips are left out. The JSON Lines are ``clarifications.archive``'s export
records, so a download imports back with ``import_clarifications``.

Rows are read in chunks (``archive.with_related``) and written as they are read, so memory stays flat however many
clarifications there are; ``benchmarks/open_data_bench.py`` measures it.
"""

from django.urls import reverse

from clarifications.archive import export_lines, export_record, with_related
from clarifications.models import Clarification
from core.spreadsheets import csv_writer

ADDRESS_PLACEHOLDER = 987654321987

CSV_COLUMNS = [
    "external_id",
    "url",
    "title",
    "claim",
    "verdict",
    "truth",
    "language",
    "topics",
    "region",
    "claim_platform",
    "claim_seen_on",
    "claim_author",
    "claim_url",
    "authority_name",
    "authority_url",
    "published_at",
    "updated_at",
    "sources",
    "body",
]


def public_clarifications():
    return Clarification.objects.published().order_by("id")


def jsonl_lines():
    """One JSON line (with its newline) per public clarification."""
    for line in export_lines(public_clarifications()):
        yield line + "\n"


class _Line:
    """A file-like object whose ``write`` hands back what it was given, for the CSV writer."""

    def write(self, value):
        return value


def csv_lines(absolute_url):
    """The CSV's lines: a byte-order mark (spreadsheet programs then read Chinese), a header, a row per
    public clarification. ``absolute_url`` turns a path into an address. Cells that a spreadsheet would
    read as a formula begin with an apostrophe (``core.spreadsheets``); the JSON Lines are exact."""
    writer = csv_writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    # One reverse() for all rows: at a tenth of a millisecond each, it was a third of the CSV's time.
    address = absolute_url(reverse("clarifications:detail", args=[ADDRESS_PLACEHOLDER]))
    for clarification, related in with_related(public_clarifications()):
        record = export_record(clarification, related)
        yield writer.writerow(
            [
                record["external_id"],
                address.replace(str(ADDRESS_PLACEHOLDER), str(clarification.pk)),
                record["title"],
                record["claim"],
                record["verdict"],
                record["truth"],
                record["language"],
                "; ".join(record["topics"]),
                record["region"],
                record["claim_platform"],
                record["claim_seen_on"] or "",
                record["claim_author"],
                record["claim_url"],
                record["authority"]["name"],
                record["authority"]["url"],
                record["published_at"],
                # Clarification.public_modified_at, from the updates already read.
                max([clarification.published_at, *(update.date for update in related.updates)]).isoformat(),
                " ".join(source["url"] for source in record["sources"] if source["url"]),
                record["body"],
            ]
        )
