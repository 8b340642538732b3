"""Row S1: eight people editing at once, 500 edits each, on the PostgreSQL store beside the file store.

Each writer is a process of its own with its own open tracker, as eight LADO officers' screens are.
Each edit is what a screen does: read a contact as the screen shows it, then add a note to it with
the revision it read (``expected_rev``), so that an edit made on a record someone else has just
changed is refused with a CONFLICT, as it must be, rather than written over.  The contacts edited are
a busy set of 200, so conflicts happen.

After each run the store is opened afresh and checked: every note that was acknowledged is there
exactly once, every refused one is absent (counted as reported conflicts), and ``check`` is clean.
Throughput is acknowledged edits per second of the whole run (the first writer's start to the last
writer's end).  The target: the server store at least 4x the file store's throughput, nothing lost.

Beside the throughput it prints the CPU each edit cost: in the writers (their own clocks), and on the whole
machine (/proc/stat: the server's backends, its WAL writer and the kernel too, so run it on an otherwise quiet
machine), against the CPU per edit that the target leaves on this machine's cores.

The PostgreSQL server is a cluster of this run's own, with fsync and synchronous commit on, as a
real server has them.  Run: ``python -m benchmarks.server_writers [--writers 8] [--edits 500]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = 4.0
HOT = 200


def _writer(location: str, n: int, edits: int, hot: list[str], ready: Any, go: Any, out: Any) -> None:
    import safeguard_tracker as st
    from safeguard_tracker.errors import ConflictError
    tracker = st.open_tracker(location, user=f"writer.{n}")
    rng = random.Random(n)
    landed: list[tuple[str, str]] = []
    conflicts = 0
    ready.release()
    go.wait()
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(edits):
        ref = rng.choice(hot)
        seen = tracker.get_contact(ref)
        text = f"writer {n} edit {i}"
        try:
            tracker.add_note(ref, text, expected_rev=seen.rev)
            landed.append((ref, text))
        except ConflictError:
            conflicts += 1
    end, cpu = time.perf_counter(), time.process_time() - cpu
    tracker.close()
    out.put((n, landed, conflicts, start, end, cpu))


def run_writers(location: str, writers: int, edits: int, hot: list[str]) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(location, n, edits, hot, ready, go, out)) for n in range(writers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()       # every writer has its store open: the run starts together
    busy = _busy_cpu()
    go.set()
    results = [out.get() for _ in procs]
    busy = _busy_cpu() - busy
    for p in procs:
        p.join()
    landed = [x for r in results for x in r[1]]
    conflicts = sum(r[2] for r in results)
    seconds = max(r[4] for r in results) - min(r[3] for r in results)
    attempts = writers * edits
    return {"landed": landed, "conflicts": conflicts, "seconds": seconds, "per_second": len(landed) / seconds,
            "writer_ms": 1000 * sum(r[5] for r in results) / attempts, "machine_ms": 1000 * busy / attempts}


def _busy_cpu() -> float:
    """Seconds of CPU the whole machine has spent busy (every process: the writers, the server, the rest)."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")     # all but idle and iowait


def verify(location: str, landed: list[tuple[str, str]], conflicts: int, attempted: int) -> list[str]:
    """What went wrong: a lost or doubled note, a note that was refused but is there, an unsound store."""
    import safeguard_tracker as st
    problems = []
    with st.open_tracker(location, user="checker") as t:
        stored: dict[tuple[str, str], int] = {}
        for ref in {r for r, _ in landed}:
            for note in t.get_contact(ref).notes:
                if note.text.startswith("writer "):
                    stored[(ref, note.text)] = stored.get((ref, note.text), 0) + 1
        for item in landed:
            if stored.get(item) != 1:
                problems.append(f"acknowledged note {item} is there {stored.get(item, 0)} time(s)")
        extra = set(stored) - set(landed)
        if extra:
            problems.append(f"{len(extra)} note(s) stored that no writer was told were saved")
        if len(landed) + conflicts != attempted:
            problems.append(f"{attempted} edits made, {len(landed)} saved + {conflicts} conflicts reported")
        problems += t.check()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--contacts", type=int, default=1000)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from safeguard_tracker.demo import build_demo
    from safeguard_tracker.store.moving import move_store
    from benchmarks.server_support import durable_cluster, moved_in
    folder = Path(tempfile.mkdtemp(prefix="st-bench-"))
    source = folder / "source.json"
    build_demo(source, contacts=args.contacts).close()
    cluster = durable_cluster()
    try:
        url = moved_in(cluster, source, "bench")
        file_store = folder / "team.json"
        move_store(str(source), str(file_store))
        import safeguard_tracker as st
        with st.open_tracker(str(source), user="bench") as t:
            refs = sorted(t.store.all("contacts"))
        hot = random.Random(2018).sample(refs, min(HOT, len(refs)))
        attempted = args.writers * args.edits
        rows = {}
        for name, location in (("file", str(file_store)), ("postgres", url)):
            got = run_writers(location, args.writers, args.edits, hot)
            got["problems"] = verify(location, got["landed"], got["conflicts"], attempted)
            rows[name] = got
            print(f"{name:9} {len(got['landed']):5} saved, {got['conflicts']:4} conflicts reported, "
                  f"{got['seconds']:6.1f} s, {got['per_second']:7.1f} edits/s, "
                  f"{'sound, nothing lost' if not got['problems'] else 'PROBLEMS: ' + '; '.join(got['problems'][:3])}")
        for name, got in rows.items():
            print(f"{name:9} CPU per edit: {got['writer_ms']:.2f} ms in the writers, {got['machine_ms']:.2f} ms on the "
                  f"whole machine (the server's work included)")
        cores = os.cpu_count() or 1
        needed = TARGET * rows["file"]["per_second"]
        print(f"the target is {needed:,.0f} edits/s: on this machine's {cores} core(s), at most "
              f"{1000 * cores / needed:.2f} ms of CPU per edit, writers and server together")
        ratio = rows["postgres"]["per_second"] / rows["file"]["per_second"]
        ok = ratio >= TARGET and not rows["postgres"]["problems"] and not rows["file"]["problems"]
        print(f"S1 {args.writers} writers x {args.edits} edits: PostgreSQL {ratio:.2f}x the file store's throughput "
              f"(target {TARGET:g}x) {'MET' if ok else 'NOT MET'}")
        return 0 if ok else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
