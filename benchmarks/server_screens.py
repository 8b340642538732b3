"""Rows S2 and S3: the TUI's first screen, and filter-as-you-type, on the PostgreSQL store beside the file
store holding the same records (100,000 contacts by default).

S2 is the whole process a user starts: ``tui_probe.py tui`` (Python's start-up, the imports, opening the
store behind the loading screen, the first screen painted), run in turns on the file and on the
database, so both see the same machine.  S3 is the filter as the TUI runs it while the user types
(``measures.tui_filter``: year + agency + text), warm, on each store's open tracker.  The server store
keeps the records it may read in memory once open, as the file store does, so S3 should be equal and
S2 differs by how fast each store is read whole.  Targets: both within 1.5x of the file store.

The database is a cluster of this run's own, fsync on.  Run:
``python -m benchmarks.server_screens [--contacts 100000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5


def first_screen(location: str) -> float:
    """Seconds from starting the process to the first screen painted (as measurement #10 counts it)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "tui_probe.py"), "tui", location],
                          capture_output=True, text=True, check=True)
    return float(json.loads(done.stdout.strip().splitlines()[-1])["at"]) - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import safeguard_tracker as st
    from safeguard_tracker.demo import build_demo
    from benchmarks.measures import tui_filter
    from benchmarks.server_support import FILTER_QUERY, durable_cluster, moved_in, warm_median
    folder = Path(tempfile.mkdtemp(prefix="st-bench-"))
    path = folder / "store.json"
    t0 = time.perf_counter()
    build_demo(path, contacts=args.contacts).close()
    print(f"built {args.contacts:,} contacts in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    cluster = durable_cluster()
    try:
        t0 = time.perf_counter()
        url = moved_in(cluster, path, "bench")
        print(f"moved into PostgreSQL in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        screens: dict[str, list[float]] = {"file": [], "postgres": []}
        for _ in range(args.repeats):
            for name, location in (("file", str(path)), ("postgres", url)):
                screens[name].append(first_screen(location))
        filters: dict[str, float] = {}
        for name, location in (("file", str(path)), ("postgres", url)):
            with st.open_tracker(location, user="bench") as t:
                warm, _cold, _how = tui_filter(t, FILTER_QUERY)  # type: ignore[arg-type]
                filters[name] = warm_median(warm, 5)
        s2 = statistics.median(screens["postgres"]) / statistics.median(screens["file"])
        s3 = filters["postgres"] / filters["file"]
        print(f"S2 first screen at {args.contacts:,}: file {statistics.median(screens['file']):.2f} s, PostgreSQL "
              f"{statistics.median(screens['postgres']):.2f} s: {s2:.2f}x (target {TARGET:g}x) "
              f"{'MET' if s2 <= TARGET else 'NOT MET'}")
        print(f"S3 filter as you type at {args.contacts:,}: file {filters['file'] * 1000:.1f} ms, PostgreSQL "
              f"{filters['postgres'] * 1000:.1f} ms: {s3:.2f}x (target {TARGET:g}x) {'MET' if s3 <= TARGET else 'NOT MET'}")
        return 0 if s2 <= TARGET and s3 <= TARGET else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
