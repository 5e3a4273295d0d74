"""The printable summary inside an evidence package (``summary.html``).

One self-contained HTML file (its style inline; no script, picture, font or anything else loaded)
that a police officer can read in any browser and print on A4: the case reference and the rumor group,
every report (channel, reference, when received and seen, platform, status, the start of its text),
every file of the package with its SHA-256, the custody record, and which file holds the exact
texts. It is written in the exporter's language (the caller activates it). The summary cannot name its
own hash, nor those of ``custody.json`` and ``manifest.json`` written after it: those two list it.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

EXCERPT_CHARS = 160


def render_summary(*, record, reports, screenshots, clarifications, files, names) -> str:
    """The summary's HTML; ``names`` gives the package's file names: ``reports_exact``, ``reports_csv``,
    ``custody`` and ``manifest``."""
    rows = [
        {
            "report": report,
            "received_at": timezone.localtime(report.received_at),
            "excerpt": Truncator(" ".join(report.text.split())).chars(EXCERPT_CHARS),
            "screenshot": (screenshots.get(report.reference) or ("", ""))[0],
        }
        for report in reports
    ]
    context = {
        "record": record,
        "exported_at": timezone.localtime(record.exported_at),
        "rows": rows,
        "clarifications": clarifications,
        "files": [{"path": path, **entry} for path, entry in files.items()],
        **names,
    }
    return render_to_string("tips/evidence/summary.html", context)
