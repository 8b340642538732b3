"""Rows S4 and S5: the server store at ten times the size, its filter and its statistics against the same
at the smaller size, both stores in one cluster of this run's own (fsync on).  The smaller is the demo
moved in; the larger is made by the server from it (``server_support.grown``: its contacts copied with
references and trail entries of their own), since no one process here can hold a million contacts
twice to move them.

S4 is the filter as the TUI runs it (``measures.tui_filter``: year + agency + text), warm; S5 the
annual report's statistics as a script asks for them (``report_lado_annual(year, fmt="md")``).  Each
is the median of a few runs on a tracker opened on each database in turn.  Target (issue 15): at
1,000,000 contacts, within 2x their times at 100,000.  The copies keep their dates, so a year holds ten
times as many at the larger size, as the demo's spread over the same years would.

Run: ``python -m benchmarks.server_scale [--small 100000] [--factor 10]`` (the default needs about 8 GB
of memory and 12 minutes).  Prints, for each size, how many contacts the tracker saw, so a
short count cannot pass for a fast one.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0


def measure(url: str) -> dict[str, float]:
    import safeguard_tracker as st
    from benchmarks.measures import tui_filter
    from benchmarks.server_support import FILTER_QUERY, warm_median
    start = time.perf_counter()
    with st.open_tracker(url, user="bench") as t:
        opened = time.perf_counter() - start
        warm, _cold, _how = tui_filter(t, FILTER_QUERY)
        out = {"open": opened, "filter": warm_median(warm, 5),
               "stats": warm_median(lambda: t.report_lado_annual("2017-18", fmt="md"), 3)}
        out["contacts"] = len(t.contacts())
    gc.collect()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--factor", type=int, default=10)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from safeguard_tracker.demo import build_demo
    from benchmarks.server_support import durable_cluster, grown, moved_in
    folder = Path(tempfile.mkdtemp(prefix="st-bench-"))
    sizes = (args.small, args.small * args.factor)
    cluster = durable_cluster()
    try:
        path = folder / f"demo-{args.small}.json"
        build_demo(path, contacts=args.small).close()
        urls = {sizes[0]: moved_in(cluster, path, f"bench_{sizes[0]}")}
        path.unlink()
        gc.collect()
        urls[sizes[1]] = grown(cluster, f"bench_{sizes[0]}", args.factor, f"bench_{sizes[1]}")
        print(f"stored {sizes[0]:,} and {sizes[1]:,} contacts", file=sys.stderr)
        got = {size: measure(urls[size]) for size in sizes}
        small, large = got[sizes[0]], got[sizes[1]]
        for key, row, what in (("filter", "S4", "filter as you type"), ("stats", "S5", "annual statistics")):
            ratio = large[key] / small[key]
            print(f"{row} {what}: {sizes[0]:,} {small[key] * 1000:.1f} ms, {sizes[1]:,} {large[key] * 1000:.1f} ms: "
                  f"{ratio:.2f}x (target {TARGET:g}x) {'MET' if ratio <= TARGET else 'NOT MET'}")
        print(f"(opening: {small['open']:.1f} s and {large['open']:.1f} s; contacts seen: "
              f"{small['contacts']:,} and {large['contacts']:,})")
        return 0
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
