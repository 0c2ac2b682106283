"""The history chart: cases passed per clause family, release by release, as one SVG.

Small multiples, one panel per clause family plus one for the whole suite, each with its own
vertical scale (0 to the family's case count), because the families differ in size by twenty
times and one shared scale would flatten the small ones. Releases go left to right, evenly
spaced; a tick marks where a minor series (0.19, 0.20, ...) begins. Every point carries a
<title> with its exact numbers, so the values are readable on hover and by a test. Written by
hand (a page of SVG elements) rather than with matplotlib, which would be a heavy dependency
for one figure and would not give byte-identical output across its versions.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from packaging.version import Version

from wbimage_conformance.history.timeline import FamilyCount, History, family_counts, totals

PANEL_WIDTH = 300
PANEL_HEIGHT = 110
COLUMNS = 3
MARGIN = 12
PLOT_LEFT = 34      # room for the scale labels
PLOT_TOP = 22       # room for the panel's title
PLOT_BOTTOM = 20    # room for the minor-series labels
LABEL_GAP = 11      # the least distance between two minor-series labels
ALL = "all cases"


def _panels(history: History) -> list[tuple[str, list[FamilyCount | None]]]:
    per_run = [family_counts(run) for run in history.runs]
    panels: list[tuple[str, list[FamilyCount | None]]] = [(ALL, [totals(run) for run in history.runs])]
    for family in history.families:
        panels.append((family, [counts.get(family) for counts in per_run]))
    return panels


def _minor_starts(versions: Sequence[str]) -> list[tuple[int, str]]:
    starts, seen = [], set()
    for index, version in enumerate(versions):
        minor = Version(version).release[:2]
        if minor not in seen:
            seen.add(minor)
            starts.append((index, str(minor[1]) if minor[0] == 0 else ".".join(map(str, minor))))
    return starts


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render(history: History, implementation: str = "wandb") -> str:
    versions = history.versions
    panels = _panels(history)
    rows = (len(panels) + COLUMNS - 1) // COLUMNS
    width = COLUMNS * PANEL_WIDTH + 2 * MARGIN
    height = rows * PANEL_HEIGHT + 2 * MARGIN + 28
    first, last = (versions[0], versions[-1]) if versions else ("", "")
    heading = f"{implementation} {first} to {last}: cases passed per clause family, by release"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
           f"<title>{escape(heading)}</title>",
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{MARGIN}" y="{MARGIN + 12}" font-size="13" font-weight="bold">{escape(heading)}</text>',
           f'<text x="{MARGIN}" y="{MARGIN + 25}" fill="#555555">Each panel: cases passed (line) out of the '
           f'family\'s cases (top of the panel); x: releases in order, a tick where each minor series begins '
           f'(19: 0.19.0).</text>']
    for number, (name, counts) in enumerate(panels):
        left = MARGIN + (number % COLUMNS) * PANEL_WIDTH
        top = MARGIN + 28 + (number // COLUMNS) * PANEL_HEIGHT
        out += _panel(name, counts, versions, left, top, implementation)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _panel(name: str, counts: list[FamilyCount | None], versions: Sequence[str], left: int, top: int,
           implementation: str) -> list[str]:
    plot_left, plot_top = left + PLOT_LEFT, top + PLOT_TOP
    plot_width = PANEL_WIDTH - PLOT_LEFT - 14
    plot_height = PANEL_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    scale = max([c.total for c in counts if c is not None] or [1]) or 1
    step = plot_width / max(1, len(versions) - 1)

    def x(index: int) -> float:
        return plot_left + index * step

    def y(value: int) -> float:
        return plot_top + plot_height * (1 - value / scale)

    latest = next((c for c in reversed(counts) if c is not None), None)
    label = f"{name}: {latest.passed}/{latest.total} in {versions[-1]}" if latest else name
    out = [f'<g class="panel" data-family={quoteattr(name)}>',
           f'<text x="{left + 4}" y="{top + 14}" font-weight="bold">{escape(label)}</text>',
           f'<rect x="{_fmt(plot_left)}" y="{_fmt(plot_top)}" width="{_fmt(plot_width)}" height="{_fmt(plot_height)}" '
           f'fill="#f6f6f6" stroke="#cccccc"/>',
           f'<text x="{_fmt(plot_left - 3)}" y="{_fmt(plot_top + 4)}" text-anchor="end">{scale}</text>',
           f'<text x="{_fmt(plot_left - 3)}" y="{_fmt(plot_top + plot_height)}" text-anchor="end">0</text>']
    labelled: float = -LABEL_GAP
    for index, short in _minor_starts(versions):
        out.append(f'<line x1="{_fmt(x(index))}" y1="{_fmt(plot_top + plot_height)}" x2="{_fmt(x(index))}" '
                   f'y2="{_fmt(plot_top + plot_height + 4)}" stroke="#888888"/>')
        if x(index) - labelled >= LABEL_GAP:  # a label too close to the last one is left to the tick
            labelled = x(index)
            out.append(f'<text x="{_fmt(x(index))}" y="{_fmt(plot_top + plot_height + 13)}" font-size="8" '
                       f'fill="#555555">{escape(short)}</text>')
    points = [(i, c) for i, c in enumerate(counts) if c is not None]
    if points:
        path = " ".join(f"{_fmt(x(i))},{_fmt(y(c.passed))}" for i, c in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    for i, c in points:
        tip = (f"{name}, {implementation} {versions[i]}: {c.passed} of {c.total} cases passed"
               + (f" ({c.total - c.ran} skipped)" if c.total != c.ran else ""))
        out.append(f'<circle cx="{_fmt(x(i))}" cy="{_fmt(y(c.passed))}" r="2" fill="#1f77b4" '
                   f'data-release="{escape(versions[i])}" data-passed="{c.passed}" data-total="{c.total}">'
                   f"<title>{escape(tip)}</title></circle>")
    out.append("</g>")
    return out
