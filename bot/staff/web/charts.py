"""Charts for the staff dashboard as inline SVG, drawn on the server: horizontal bars and
columns over days. No JavaScript, no fonts or scripts from elsewhere.

Why hand-made and not pygal: pygal's default page pulls its tooltip script from a CDN (which
we must not do), and every chart it draws carries an inline ``<style>`` element, which the staff
app's Content-Security-Policy (``style-src 'self'``) blocks, so its charts would lose their
colours unless we weakened the policy. Two chart shapes cover the dashboard; drawing them is
about as much code as configuring pygal away from its defaults, and the colours come from
``static/staff.css`` through class names.

Every chart scales to its box (``viewBox``, width 100%), so it fits a phone; it has a title
and a description for screen readers (``role="img"``), its numbers are printed on it, and the
page puts a table of the same numbers under it. In a right-to-left page (Urdu) the charts are
mirrored: labels on the right, bars growing to the left, the newest day on the left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480  # small enough that a phone shows the labels at a readable size
ROW = 30  # height of one bar's row
LABEL = 200  # width of the label column of a bar chart
LABEL_CHARS = 26  # longer labels are cut (with …) on the chart; the table has them whole
GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the number as shown, e.g. "1,204" or "1,204 (38%)"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _head(ident: str, title: str, description: str, height: int, rtl: bool, kind: str) -> str:
    direction = "rtl" if rtl else "ltr"
    return (
        f'<svg class="chart {kind}" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="{ident}-t" aria-describedby="{ident}-d" '
        f'direction="{direction}" preserveAspectRatio="xMidYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
    )


def bars(
    ident: str, title: str, description: str, items: Sequence[Bar], *, rtl: bool = False
) -> Markup:
    """Horizontal bars, one row per item, in the given order; the longest bar is the largest
    value. ``ident`` makes the ids of its title and description (unique on the page)."""
    height = max(1, len(items)) * ROW + GAP
    parts = [_head(ident, title, description, height, rtl, "bars")]
    largest = max((item.value for item in items), default=0) or 1
    room = WIDTH - LABEL - 2 * GAP - 84  # leave space for the number after the bar

    def x(position: float) -> float:  # mirrored in a right-to-left page
        return WIDTH - position if rtl else position

    for row, item in enumerate(items):
        top = GAP / 2 + row * ROW
        middle = top + ROW / 2
        length = max(1.0, room * item.value / largest) if item.value else 0.0
        start = LABEL + GAP
        left = x(start + length) if rtl else x(start)
        parts.append(
            f'<g class="bar"><title>{escape(item.label)}: {escape(item.text)}</title>'
            f'<text class="label" x="{x(LABEL):.1f}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(_short(item.label))}</text>'
            f'<rect x="{left:.1f}" y="{top + 5:.1f}" width="{length:.1f}" '
            f'height="{ROW - 10}" rx="3"></rect>'
            f'<text class="value" x="{x(start + length + 6):.1f}" y="{middle:.1f}" '
            f'text-anchor="start" dominant-baseline="middle">{escape(item.text)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(
    ident: str,
    title: str,
    description: str,
    items: Sequence[Bar],
    *,
    every: int = 7,
    rtl: bool = False,
) -> Markup:
    """Columns over days in order (oldest first; mirrored in a right-to-left page); every
    ``every``-th column is labelled under the axis, the largest value on the axis."""
    height = 230
    top, bottom = 24, 190
    parts = [_head(ident, title, description, height, rtl, "daily")]
    n = max(1, len(items))
    left_edge, right_edge = 44, WIDTH - 12
    step = (right_edge - left_edge) / n
    largest = max((item.value for item in items), default=0)
    scale = (bottom - top) / (largest or 1)

    def x(position: float) -> float:  # the whole chart mirrored in a right-to-left page
        return WIDTH - position if rtl else position

    tick_x = x(left_edge - 8)  # the scale, in the margin before the first day
    parts.append(
        f'<line class="axis" x1="{x(left_edge):.1f}" y1="{bottom}" x2="{x(right_edge):.1f}" '
        f'y2="{bottom}"></line>'
        f'<text class="tick" x="{tick_x:.1f}" y="{top + 4}" text-anchor="end">{largest}</text>'
        f'<text class="tick" x="{tick_x:.1f}" y="{bottom}" text-anchor="end">0</text>'
    )
    for index, item in enumerate(items):
        height_px = item.value * scale
        start = left_edge + index * step
        width = max(1.0, step * 0.75)
        column_x = x(start + width) if rtl else x(start)
        parts.append(
            f'<g class="column"><title>{escape(item.label)}: {escape(item.text)}</title>'
            f'<rect x="{column_x:.1f}" y="{bottom - height_px:.1f}" width="{width:.1f}" '
            f'height="{height_px:.1f}"></rect></g>'
        )
        if index % every == 0:
            parts.append(
                f'<text class="tick" x="{x(start + width / 2):.1f}" y="{bottom + 18}" '
                f'text-anchor="middle">{escape(item.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
