"""Each verdict's colour, as the public site shows it: read from its stylesheet, the one definition.

``static/css/site.css`` names the colours in ``:root`` (``--false: #a61b1b;``) and gives each verdict's
badge, card and banner one of them (``.verdict-false { --verdict-colour: var(--false); }``). The staff
charts (``tips/analytics/trends.py``) colour a verdict's series with the same colour, so 属实 is the
same green on a chart as on a clarification's page. Read once per process; a stylesheet this code no
longer understands gives no colours (the charts fall back to their palette) and a logged error, and
fails ``tests/test_charts.py``.
"""

import logging
import re
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

from .models import Verdict

logger = logging.getLogger(__name__)

STYLESHEET = "css/site.css"


@cache
def verdict_colours() -> dict[str, str]:
    """``{verdict value: colour}`` (e.g. ``{"false": "#a61b1b", ...}``), or ``{}`` when unreadable."""
    found = finders.find(STYLESHEET)
    css = Path(found).read_text(encoding="utf-8") if isinstance(found, str) else ""
    root = re.search(r":root\s*\{([^}]*)\}", css)
    variables = (
        {name: value.strip() for name, value in re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", root.group(1))} if root else {}
    )
    colours = {}
    for verdict in Verdict.values:
        rule = re.search(
            rf"\.verdict-{re.escape(verdict)}(?![\w-])[^{{}}]*\{{[^}}]*--verdict-colour:\s*var\((--[\w-]+)\)", css
        )
        if rule is None or rule.group(1) not in variables:
            logger.error("The verdict %s has no colour in %s; the charts use their own palette.", verdict, STYLESHEET)
            return {}
        colours[verdict] = variables[rule.group(1)]
    return colours
