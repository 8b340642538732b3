"""How cost grows: time against size, log-log, one line per measurement, as a hand-written SVG.

    python benchmarks/curve.py RESULTS.json [MORE.json ...] -o docs/performance-curve.svg

Reads the JSON that ``run.py --out`` writes (several files are merged: a later file's figure for
the same row and size replaces an earlier one, so a 1,000,000 run can be added to a 1,000-100,000
one).  Draws the rows measured in seconds at two sizes or more: by default the measurements a user
meets (open, filter, statistics, one write, import, the CLI's queries and check), else every such
row.  No plotting library: the SVG is written by hand, with a <title> and <desc> for screen readers.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional
from xml.sax.saxutils import escape

# The measurements drawn by default, in the legend's order, with short names.
DEFAULT_LINES: dict[str, str] = {
    "1": "open the store (#1)",
    "4b": "filter, first after a change (#4b)",
    "7": "statistics + report (#7)",
    "2": "one durable edit (#2)",
    "14": "the slowest kind of write (#14)",
    "6": "CLI import (#6)",
    "15": "CLI contacts query (#15)",
    "15b": "CLI annual report (#15b)",
    "16": "CLI check (#16)",
}

# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito), with dash patterns
# and marker shapes as well, so no line is told apart by colour alone.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F7F00", "#882255")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3", "")

WIDTH, HEIGHT = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 78, 250, 48, 62        # the plot's margins (the legend sits on the right)


@dataclass
class Series:
    id: str
    label: str
    points: list[tuple[int, float]]      # (size, seconds), by size


def load(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The rows of every results file, a later file's (id, size) replacing an earlier one's."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for path in paths:
        for r in json.loads(Path(path).read_text())["rows"]:
            rows[(str(r["id"]), int(r["size"]))] = r
    return list(rows.values())


def series(rows: list[dict[str, Any]], ids: Optional[dict[str, str]] = None) -> list[Series]:
    """One series per row id measured in seconds at 2+ sizes: ``ids`` (id -> label) in that order,
    or the default lines if any are there, else every such row."""
    timed: dict[str, dict[int, float]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r.get("unit", "s") == "s" and isinstance(r.get("value"), (int, float)) and r["value"] > 0:
            timed.setdefault(str(r["id"]), {})[int(r["size"])] = float(r["value"])
            names.setdefault(str(r["id"]), str(r.get("name", r["id"])))
    usable = {rid: pts for rid, pts in timed.items() if len(pts) >= 2}
    if ids is None:
        ids = {rid: label for rid, label in DEFAULT_LINES.items() if rid in usable}
        if not ids:
            ids = {rid: f"{names[rid]} (#{rid})" for rid in sorted(usable, key=_id_order)}
    return [Series(rid, label, sorted(usable[rid].items())) for rid, label in ids.items() if rid in usable]


def _id_order(rid: str) -> tuple[int, str]:
    digits = "".join(c for c in rid if c.isdigit())
    return (int(digits) if digits else 999, rid)


@dataclass
class Scale:
    """Log10 on both axes: decades of size across, decades of seconds up."""
    x_lo: int
    x_hi: int
    y_lo: int
    y_hi: int
    height: int = HEIGHT

    @classmethod
    def around(cls, lines: list[Series], height: int = HEIGHT) -> "Scale":
        sizes = [s for line in lines for s, _ in line.points]
        times = [t for line in lines for _, t in line.points]
        x_lo, x_hi = math.floor(math.log10(min(sizes))), math.ceil(math.log10(max(sizes)))
        y_lo, y_hi = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
        return cls(x_lo, max(x_hi, x_lo + 1), y_lo, max(y_hi, y_lo + 1), height)

    def x(self, size: float) -> float:
        span = WIDTH - LEFT - RIGHT
        return LEFT + span * (math.log10(size) - self.x_lo) / (self.x_hi - self.x_lo)

    def y(self, seconds: float) -> float:
        span = self.height - TOP - BOTTOM
        return self.height - BOTTOM - span * (math.log10(seconds) - self.y_lo) / (self.y_hi - self.y_lo)


def size_label(n: float) -> str:
    for step, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= step:
            v = n / step
            return f"{v:g}{suffix}"
    return f"{n:g}"


def time_label(seconds: float) -> str:
    for step, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if seconds >= step * 0.999:
            return f"{seconds / step:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _short(label: str, room: int = 34) -> str:
    """A legend entry that fits beside the plot (the whole label is in each point's title and the desc)."""
    return label if len(label) <= room else label[:room - 1].rstrip() + "…"


def _f(v: float) -> str:
    return f"{v:.1f}"


def svg(lines: list[Series], title: str = "How the cost of each measurement grows with the store's size") -> str:
    if not lines:
        raise ValueError("nothing to draw: no row has a time in seconds at two sizes or more")
    height = max(HEIGHT, TOP + 22 * len(lines) + 20)     # room for every line in the legend
    sc = Scale.around(lines, height)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, height - BOTTOM
    desc = ("Log-log chart of the median time of each measurement against the number of contacts in the store. "
            + " ".join(f"{line.label}: " + ", ".join(f"{size_label(s)} records {time_label(t)}"
                                                     for s, t in line.points) + "."
                       for line in lines))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="curve-title curve-desc" '
           f'font-family="sans-serif" font-size="12">',
           f'<title id="curve-title">{escape(title)}</title>',
           f'<desc id="curve-desc">{escape(desc)}</desc>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
           f'<text x="{_f(x0)}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>',
           '<g class="grid" stroke="#dddddd" stroke-width="1">']
    for d in range(sc.x_lo, sc.x_hi + 1):
        out.append(f'<line x1="{_f(sc.x(10 ** d))}" y1="{_f(y0)}" x2="{_f(sc.x(10 ** d))}" y2="{_f(y1)}"/>')
    for d in range(sc.y_lo, sc.y_hi + 1):
        out.append(f'<line x1="{_f(x0)}" y1="{_f(sc.y(10.0 ** d))}" x2="{_f(x1)}" y2="{_f(sc.y(10.0 ** d))}"/>')
    out.append("</g>")
    out.append(f'<g class="axes" stroke="#333333" stroke-width="1.2"><line x1="{_f(x0)}" y1="{_f(y1)}" '
               f'x2="{_f(x1)}" y2="{_f(y1)}"/><line x1="{_f(x0)}" y1="{_f(y0)}" x2="{_f(x0)}" y2="{_f(y1)}"/></g>')
    out.append('<g class="ticks" fill="#333333">')
    for d in range(sc.x_lo, sc.x_hi + 1):
        out.append(f'<text class="x-tick" x="{_f(sc.x(10 ** d))}" y="{_f(y1 + 18)}" '
                   f'text-anchor="middle">{size_label(10 ** d)}</text>')
    for d in range(sc.y_lo, sc.y_hi + 1):
        out.append(f'<text class="y-tick" x="{_f(x0 - 8)}" y="{_f(sc.y(10.0 ** d) + 4)}" '
                   f'text-anchor="end">{escape(time_label(10.0 ** d))}</text>')
    out.append("</g>")
    out.append(f'<text class="x-label" x="{_f((x0 + x1) / 2)}" y="{height - 18}" text-anchor="middle">'
               f'Contacts in the store (log scale)</text>')
    out.append(f'<text class="y-label" x="18" y="{_f((y0 + y1) / 2)}" text-anchor="middle" '
               f'transform="rotate(-90 18 {_f((y0 + y1) / 2)})">Median time (log scale)</text>')
    for i, line in enumerate(lines):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        pts = " ".join(f"{_f(sc.x(s))},{_f(sc.y(t))}" for s, t in line.points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="series" data-id="{escape(line.id)}">')
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{dashed}/>')
        for s, t in line.points:
            out.append(f'<circle cx="{_f(sc.x(s))}" cy="{_f(sc.y(t))}" r="3.5" fill="{colour}">'
                       f'<title>{escape(line.label)}: {size_label(s)} records, {escape(time_label(t))}</title></circle>')
        out.append("</g>")
    out.append('<g class="legend">')
    lx, ly = x1 + 18, y0 + 4
    for i, line in enumerate(lines):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        yy = ly + 22 * i
        out.append(f'<line x1="{_f(lx)}" y1="{_f(yy)}" x2="{_f(lx + 26)}" y2="{_f(yy)}" stroke="{colour}" '
                   f'stroke-width="2"{dashed}/><circle cx="{_f(lx + 13)}" cy="{_f(yy)}" r="3.5" fill="{colour}"/>'
                   f'<text x="{_f(lx + 32)}" y="{_f(yy + 4)}">{escape(_short(line.label))}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", type=Path, help="JSON written by run.py --out")
    ap.add_argument("-o", "--output", type=Path, required=True, help="the SVG to write")
    ap.add_argument("--ids", default="", help="comma-separated row ids to draw (default: the lines a user meets)")
    args = ap.parse_args(argv)
    rows = load(args.results)
    ids = None
    if args.ids:
        wanted = [i.strip() for i in args.ids.split(",") if i.strip()]
        ids = {i: DEFAULT_LINES.get(i, f"#{i}") for i in wanted}
    lines = series(rows, ids)
    if not lines:
        print("curve: no row has a time in seconds at two sizes or more", file=sys.stderr)
        return 1
    args.output.write_text(svg(lines), encoding="utf-8")
    print(f"wrote {args.output}: {len(lines)} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
