"""
Charts: each is a `<figure data-chart>` carrying its data as JSON, which the vendored uPlot
(`static/charts.js`) draws with axes, grid, legend and values on hover; inside, an SVG drawn here
on the server stands for it wherever scripts do not run. Colours come from CSS custom properties,
so both read in light and in dark mode.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from patchvet.formats._escape import html_text

WIDTH = 640
HEIGHT = 160
PAD = 28


def bars(title: str, labels: Sequence[str], values: Sequence[int]) -> str:
    """A bar chart of counts, one bar per label (weeks, oldest first)."""
    if not values:
        return f'<p class="muted">{html_text(title)}: nothing recorded yet.</p>'
    top = max(max(values), 1)
    step = (WIDTH - 2 * PAD) / len(values)
    width = max(step * 0.8, 1.0)
    shapes = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + index * step
        y = HEIGHT - PAD - height
        shapes.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}"><title>{html_text(label)}: {value}</title></rect>'
        )
    spec = {"kind": "bars", "labels": list(labels),
            "series": [{"name": title, "css": "bar", "values": list(values)}]}  # fmt: skip
    return _frame(title, f"max {top}", labels, "".join(shapes), spec)


def lines(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]]
) -> str:
    """Shares between 0 and 1 over the weeks: one line per (name, css class, values)."""
    if not labels:
        return f'<p class="muted">{html_text(title)}: nothing recorded yet.</p>'
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)
    shapes = []
    legend = []
    for position, (name, css, values) in enumerate(series):
        points = " ".join(
            f"{PAD + index * step:.1f},{HEIGHT - PAD - (HEIGHT - 2 * PAD) * value:.1f}"
            for index, value in enumerate(values)
        )
        shapes.append(f'<polyline class="line {css}" fill="none" points="{points}"/>')
        legend.append(
            f'<text class="legend {css}" x="{PAD + 130 * position}" y="14">{html_text(name)}</text>'
        )
    spec = {"kind": "lines", "labels": list(labels),
            "series": [{"name": name, "css": css, "values": [round(v, 4) for v in values]}
                       for name, css, values in series]}  # fmt: skip
    return _frame(title, "share, 0–100%", labels, "".join(legend) + "".join(shapes), spec)


def _frame(title: str, scale: str, labels: Sequence[str], body: str, spec: object) -> str:
    first = html_text(labels[0]) if labels else ""
    last = html_text(labels[-1]) if labels else ""
    data = html.escape(json.dumps(spec, separators=(",", ":")), quote=True)
    return (
        f'<figure data-chart="{data}"><figcaption>{html_text(title)} '
        f'<span class="muted">({html_text(scale)})</span></figcaption><div class="plot">'
        f'<svg role="img" aria-label="{html_text(title)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<line class="axis" x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" '
        f'y2="{HEIGHT - PAD}"/>{body}'
        f'<text class="tick" x="{PAD}" y="{HEIGHT - 8}">{first}</text>'
        f'<text class="tick" x="{WIDTH - PAD}" y="{HEIGHT - 8}" text-anchor="end">{last}</text>'
        "</svg></div></figure>"
    )
