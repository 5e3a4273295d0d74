"""Rates such as ``"5/10m"`` (five per ten minutes), the form of every ``*_RATE`` setting but the API's.

Read here, with no Django model behind it, so that the settings can refuse a mistyped rate at start-up
(naming the setting) and the rate limits (``core/ratelimit.py``) read it the same way per request.
"""

import re

from django.core.exceptions import ImproperlyConfigured

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(rate, name="TIPS_RATE"):
    """``"5/10m"`` -> ``(5, 600)``: the number of requests and the period in seconds."""
    match = RATE_PATTERN.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"{name} must look like 5/10m (count/period with s, m, h or d), not {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * UNITS[unit]
