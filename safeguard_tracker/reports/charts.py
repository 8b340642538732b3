"""Inline SVG charts for HTML reports, computed in Python (a template never computes a figure).

The SVG has no external assets and every label is escaped, so a report stays
self-contained and safe to open.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from .blocks import Table

PALETTE = ("#1f5f8b", "#9bbbd4", "#c0392b", "#e6a700", "#2e8b57", "#2b6cb0")


def _fit(label: str, chars: int) -> str:
    """A label cut to fit its column (the whole name stays in the tooltip)."""
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "\u2026"


def bar_chart_svg(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]],
                  *, colours: Sequence[str] = PALETTE, horizontal: bool = True, width: int = 720) -> str:
    """Grouped bars: one group per label, one bar per series.  Returns an <svg> element."""
    labels = list(labels)
    peak = max((v for _, values in series for v in values), default=0) or 1
    n_series = max(len(series), 1)
    if horizontal:
        bar_h, gap, label_w = 12, 6, 300
        group_h = bar_h * n_series + gap
        height = 40 + group_h * len(labels) + 24
        plot_w = width - label_w - 60
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
                 f'<title>{escape(title)}</title>',
                 f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
        for i, label in enumerate(labels):
            y0 = 32 + i * group_h
            shown = _fit(str(label), (label_w - 10) // 6)
            parts.append(f'<text x="{label_w - 6}" y="{y0 + bar_h * n_series / 2 + 4:.0f}" text-anchor="end">'
                         f'<title>{escape(str(label))}</title>{escape(shown)}</text>')
            for j, (name, values) in enumerate(series):
                v = values[i] if i < len(values) else 0
                w = plot_w * v / peak
                parts.append(f'<rect x="{label_w}" y="{y0 + j * bar_h}" width="{w:.1f}" height="{bar_h - 1}" '
                             f'fill="{colours[j % len(colours)]}"><title>{escape(name)}: {v:g}</title></rect>')
                parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y0 + j * bar_h + bar_h - 2}">{v:g}</text>')
    else:
        plot_h, label_h = 160, 40
        group_w = (width - 60) / max(len(labels), 1)
        bar_w = max(2.0, (group_w - 4) / n_series)
        height = 40 + plot_h + label_h
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
                 f'<title>{escape(title)}</title>',
                 f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
        base = 32 + plot_h
        for i, label in enumerate(labels):
            x0 = 40 + i * group_w
            for j, (name, values) in enumerate(series):
                v = values[i] if i < len(values) else 0
                h = plot_h * v / peak
                parts.append(f'<rect x="{x0 + j * bar_w:.1f}" y="{base - h:.1f}" width="{bar_w - 1:.1f}" '
                             f'height="{h:.1f}" fill="{colours[j % len(colours)]}"><title>{escape(name)} '
                             f'{escape(str(label))}: {v:g}</title></rect>')
            parts.append(f'<text x="{x0 + group_w / 2:.1f}" y="{base + 14}" text-anchor="middle">'
                         f'{escape(str(label))}</text>')
    legend_y = height - 6
    for j, (name, _) in enumerate(series):
        x = 10 + j * 160
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colours[j % len(colours)]}"/>'
                     f'<text x="{x + 14}" y="{legend_y}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


CHARTED = ("by_sector", "durations", "trend")


def measure_chart(table: Table) -> str:
    """A bar chart of a measure's table (the year beside the comparison year), or '' for a table not charted.

    Sector groups chart their subtotals; the trend its contacts and referrals by year.  The table is
    printed beside the chart, so a screen reader has the figures.
    """
    if table.key not in CHARTED or not table.rows:
        return ""
    if table.key == "trend":
        return bar_chart_svg(table.caption, [str(r[0]) for r in table.rows],
                             [(str(table.header[1]), [_num(r[1]) for r in table.rows]),
                              (str(table.header[2]), [_num(r[2]) for r in table.rows])], horizontal=False)
    rows = [table.rows[i] for i in table.total_rows] if table.key == "by_sector" else list(table.rows)
    rows = [r for r in rows if r[0] != "Total"]
    return bar_chart_svg(table.caption, [str(r[0]) for r in rows],
                         [(str(table.header[1]), [_num(r[1]) for r in rows]),
                          (str(table.header[3]), [_num(r[3]) for r in rows])])


def _num(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0
