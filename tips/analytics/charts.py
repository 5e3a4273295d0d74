"""Stacked bar charts drawn on the server as SVG, with their numbers as a table.

Staff read trends at a glance; screen readers and anyone who wants the exact figures get the same
numbers as a table behind a disclosure (``templates/admin/includes/chart.html``). The SVG is inline
markup with presentation attributes only (no script, no ``style``), so the CSP stays as it is, and
it loads nothing: words are the page's own text in the page's language.

Colours are the Okabe–Ito palette, told apart by most colour-blind readers, unless the chart names
its series' colours (``palette``: the verdicts take the public site's, see
``clarifications/verdict_colours.py``); each series also has its name in the legend and in each bar's
tooltip, and touching segments are parted by a white line. The SVG paints its own white background, so
its text (``TEXT``, 7.5:1) and its bars keep their contrast on the admin's dark theme too.
"""

import math
from dataclasses import dataclass, field
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#555555"]
BACKGROUND, TEXT, GRID = "#ffffff", "#555555", "#cccccc"
WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 24
MAX_AXIS_LABELS = 8

_ids = count(1)


def nice_ceiling(value):
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (at least 1): the axis' top."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover (the loop always returns)


@dataclass
class Chart:
    """One chart: a title, the categories along the axis (days, weeks) and a count per series and category."""

    title: str
    labels: list[str]
    series: dict[str, list[int]]
    axis: str = ""
    palette: dict[str, str] = field(default_factory=dict)  # a series' own colour, by its name

    def __post_init__(self):
        self.id = f"chart-{next(_ids)}"

    @property
    def totals(self):
        return [sum(values[position] for values in self.series.values()) for position in range(len(self.labels))]

    @property
    def top(self):
        return nice_ceiling(max(self.totals, default=0))

    @property
    def colours(self):
        return {
            name: self.palette.get(name) or PALETTE[position % len(PALETTE)]
            for position, name in enumerate(self.series)
        }

    def legend(self):
        return [(name, self.colours[name], sum(values)) for name, values in self.series.items()]

    def rows(self):
        """The table: ``(label, [count per series], total)`` per category."""
        columns = list(self.series.values())
        return [
            (label, [values[position] for values in columns], total)
            for position, (label, total) in enumerate(zip(self.labels, self.totals, strict=True))
        ]

    def bars(self):
        """``(series, label, value, x, y, width, height)`` of every non-empty bar segment, in SVG units."""
        plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        slot = plot_width / max(len(self.labels), 1)
        bar_width = max(slot * 0.8, 1.0)
        scale = plot_height / self.top
        for position, label in enumerate(self.labels):
            base = 0
            x = LEFT + position * slot + (slot - bar_width) / 2
            for name, values in self.series.items():
                value = values[position]
                if value:
                    height = value * scale
                    y = TOP + plot_height - (base + value) * scale
                    yield name, label, value, x, y, bar_width, height
                    base += value

    def svg(self):
        plot_height = HEIGHT - TOP - BOTTOM
        slot = (WIDTH - LEFT - RIGHT) / max(len(self.labels), 1)
        grid = []
        for step in range(5):
            value = self.top * step / 4
            y = TOP + plot_height - plot_height * step / 4
            text = f"{value:g}" if value == int(value) else ""
            grid.append((LEFT, f"{y:.1f}", WIDTH - RIGHT, f"{y:.1f}", LEFT - 4, f"{y + 4:.1f}", text))
        every = max(1, math.ceil(len(self.labels) / MAX_AXIS_LABELS))
        ticks = [
            (f"{LEFT + position * slot + slot / 2:.1f}", HEIGHT - 6, label)
            for position, label in enumerate(self.labels)
            if position % every == 0
        ]
        colours = self.colours
        return format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{}</title>'
            '<rect class="chart-background" width="100%" height="100%" fill="{}"/>'
            '<g class="chart-grid" stroke="{}" stroke-width="1">{}</g>'
            '<g class="chart-axis" font-size="11" fill="{}" text-anchor="end">{}</g>'
            '<g class="chart-ticks" font-size="11" fill="{}" text-anchor="middle">{}</g>'
            '<g class="chart-bars" stroke="{}" stroke-width="1">{}</g></svg>',
            WIDTH,
            HEIGHT,
            self.id,
            self.id,
            self.title,
            BACKGROUND,
            GRID,
            format_html_join("", '<line x1="{}" y1="{}" x2="{}" y2="{}"/>', ((a, b, c, d) for a, b, c, d, *_ in grid)),
            TEXT,
            format_html_join("", '<text x="{}" y="{}">{}</text>', ((x, y, text) for *_, x, y, text in grid)),
            TEXT,
            format_html_join("", '<text x="{}" y="{}">{}</text>', ticks),
            BACKGROUND,
            format_html_join(
                "",
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-series="{}" data-label="{}" '
                'data-value="{}"><title>{} · {}: {}</title></rect>',
                (
                    (
                        f"{x:.2f}",
                        f"{y:.2f}",
                        f"{width:.2f}",
                        f"{height:.2f}",
                        colours[name],
                        name,
                        label,
                        value,
                        label,
                        name,
                        value,
                    )
                    for name, label, value, x, y, width, height in self.bars()
                ),
            ),
        )

    def swatch(self, colour):
        return format_html(
            '<svg class="chart-swatch" width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
            'fill="{}"/></svg>',
            colour,
        )

    def legend_html(self):
        items = [(self.swatch(colour), name, total) for name, colour, total in self.legend()]
        return format_html_join("", "<li>{} {} ({})</li>", items) if items else mark_safe("")
