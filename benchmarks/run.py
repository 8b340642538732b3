"""Benchmarks: every figure a ratio to a baseline run in the same process on the same data.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--out results.json] [--repeat N]
    python benchmarks/run.py --sizes 1000,100000,1000000     # the 1,000,000 row: information only

For each size it builds a fresh demo store (``safeguard_tracker.demo``), runs
each measurement and its baseline alternately several times, and reports the
medians.  It prints a table and writes JSON.  Two targets compare a size with
1,000 records: those baselines run on a 1,000-record store built beside each
size's, in turns with the measurement.

Above 100,000 records (the size the store is designed for) a run is for information: only the
measurements in LARGE run (the rest are skipped, with a line in the log), and their rows carry
no target.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import cli_paths, datasets, frame, measures, trail, writes  # noqa: E402
from benchmarks.measures import Row  # noqa: E402

DEFAULT_SIZES = (1000, 10_000, 100_000)
DESIGN_SIZE = 100_000            # above it, rows are information (no target) and only LARGE run
LARGE = {"open", "filter", "stats", "memory", "query", "check", "edit", "writes"}
APART = ("memory", "query", "check")   # measured in processes of their own: first above DESIGN_SIZE, while
                                       # this process holds least (a 1,000,000 store open takes ~10 GB)


Measure = Callable[[datasets.Dataset, int], list[Row]]


def measurements() -> list[Measure]:
    """Every measurement, in the order they run: reading first (the CLI's queries and ``check``
    among them, so ``check`` reads a store no edit has touched), then the edits; the writes last,
    since they add contacts and actions that the measurements before count."""
    fns = list(measures.MEASURES)
    at = next(i for i, fn in enumerate(fns) if fn is measures.measure_edit)
    fns[at:at] = [cli_paths.measure_query, cli_paths.measure_check]
    return [*fns, trail.measure_trail, frame.measure_frame, writes.measure_writes]


def name_of(fn: Measure) -> str:
    return str(getattr(fn, "__name__", "")).removeprefix("measure_")


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "date": time.strftime("%Y-%m-%d %H:%M")}


def default_repeats(size: int) -> int:
    return 3 if size >= 50_000 else 5


def fmt_value(v: Optional[float], unit: str) -> str:
    if v is None:
        return "-"
    if unit == "MB":
        return f"{v:,.0f} MB"
    if unit == "B":
        return f"{v / 1e6:,.2f} MB" if v >= 1e5 else f"{v / 1e3:,.1f} KB"
    if v >= 1:
        return f"{v:.2f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.1f} ms"
    return f"{v * 1e6:.0f} µs"


def fmt_ratio(r: Row) -> str:
    ratio = r.ratio
    if ratio is None:
        return "-"
    return f"{ratio:,.1f}× faster" if r.kind == "speed-up" else f"{ratio:.2f}×"


def fmt_target(r: Row) -> str:
    if r.target is None:
        return "(info)"
    return f"≥ {r.target:g}×" if r.kind == "speed-up" else f"≤ {r.target:g}×"


def table(rows: list[Row]) -> str:
    """A Markdown table, readable in a terminal too."""
    lines = ["| # | size | measurement | value | baseline | baseline value | ratio | target | met |",
             "|---|---:|---|---:|---|---:|---:|---:|:-:|"]
    for r in rows:
        met = {True: "yes", False: "**no**", None: "-"}[r.met]
        if not r.available and r.note.startswith("not available"):
            met = "n/a"
        lines.append(f"| {r.id} | {r.size:,} | {r.name} | {fmt_value(r.value, r.unit)} | {r.baseline_name} | "
                     f"{fmt_value(r.baseline, r.unit)} | {fmt_ratio(r)} | {fmt_target(r)} | {met} |")
    notes: list[str] = []
    for rid in dict.fromkeys(r.id for r in rows):
        said = [r for r in rows if r.id == rid and r.note]
        if said and len({r.note for r in said}) == 1:
            notes.append(f"- #{rid}: {said[0].note}")
        else:
            notes += [f"- #{r.id} at {r.size:,}: {r.note}" for r in said]
    return "\n".join(lines + ([""] + notes if notes else []))


def run(sizes: list[int], repeat: Optional[int] = None, workdir: Optional[Path] = None,
        only: Optional[set[str]] = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    sizes = sorted(set(sizes))
    rows: list[Row] = []
    setup: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    for size in sizes:
        t = time.perf_counter()
        ds = datasets.build(size, workdir)
        log(f"[{size:,}] store built in {ds.seconds['build store']:.1f} s "
            f"({ds.store.stat().st_size / 1e6:.0f} MB); filter: {ds.year}, {ds.agency}, '{ds.word}'")
        try:
            order = measurements()
            if size > DESIGN_SIZE:
                order.sort(key=lambda fn: name_of(fn) not in APART)    # stable: otherwise as usual
            for fn in order:
                name = name_of(fn)
                if only and name not in only:
                    continue
                if size > DESIGN_SIZE and name not in LARGE:
                    log(f"[{size:,}] {name}: skipped above {DESIGN_SIZE:,} records (runs there: "
                        f"{', '.join(sorted(LARGE))})")
                    continue
                m = time.perf_counter()
                try:
                    got = fn(ds, repeat or default_repeats(size))
                except Exception as exc:  # one broken measurement must not lose the others
                    got = [Row(f"?{name}", name, size, "-", note=f"not available: failed: {type(exc).__name__}: {exc}")]
                    log(f"[{size:,}] {name} FAILED: {type(exc).__name__}: {exc}")
                if size > DESIGN_SIZE:
                    for r in got:    # information: how cost grows past the size the store is designed for
                        r.target = None
                        if not r.note.startswith("not available"):
                            r.note = f"information above {DESIGN_SIZE:,} records" + (f"; {r.note}" if r.note else "")
                rows.extend(got)
                log(f"[{size:,}] {name}: {time.perf_counter() - m:.1f} s")
                gc.collect()
        finally:
            setup[str(size)] = dict(ds.seconds, total=time.perf_counter() - t)
            ds.close()
            del ds
            gc.collect()
    rows.sort(key=lambda r: (int("".join(c for c in r.id if c.isdigit()) or 99), r.id, r.size))
    return {"machine": machine(), "sizes": sizes, "seconds": round(time.perf_counter() - started, 1),
            "setup": setup, "rows": rows}


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                    help="comma-separated record counts (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    ap.add_argument("--repeat", type=int, default=None, help="repeats per measurement (default 5, or 3 at 50k+)")
    ap.add_argument("--workdir", type=Path, default=None, help="where to build the data (default: the temp folder)")
    ap.add_argument("--only", default="", help="comma-separated measurement names, e.g. open,edit,filter "
                    "(all: " + ",".join(name_of(fn) for fn in measurements()) + ")")
    args = ap.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error(f"--sizes: expected numbers separated by commas, got {args.sizes!r}")
    if any(s < 100 for s in sizes):
        ap.error("--sizes: each size must be at least 100")
    only = {s.strip() for s in args.only.split(",") if s.strip()} or None
    unknown = sorted((only or set()) - {name_of(fn) for fn in measurements()})
    if unknown:
        ap.error(f"--only: no measurement named {', '.join(unknown)}")
    result = run(sizes, args.repeat, args.workdir, only, log=lambda m: print(m, file=sys.stderr, flush=True))
    m = result["machine"]
    print(f"\nMachine: {m['nproc']} CPUs, {m['cpu']}, Python {m['python']}; "
          f"sizes {', '.join(f'{s:,}' for s in result['sizes'])}; {result['seconds']:.0f} s in all\n")
    print(table(result["rows"]))
    if args.out:
        data = dict(result, rows=[r.to_json() for r in result["rows"]])
        args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
