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
from contextlib import contextmanager
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
TARGET = 4.0
HOT = 200


def _writer(location: str, n: int, edits: int, hot: list[str], ready: Any, go: Any, out: Any) -> None:
    import safeguard_tracker as st
    from safeguard_tracker.errors import ConflictError
    tracker = st.open_tracker(location, user=f"writer.{n}")
    in_store = _time_the_store(tracker.store)
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
    out.put((n, landed, conflicts, start, end, cpu, in_store[0]))


def _time_the_store(store: Any) -> list[float]:
    """Count the CPU this process spends inside the store's transaction (its start: the lock and the catch-up;
    its end: the write and the commit), so the Tracker's own work (reading the record, checking and converting
    the edit, the audit entries) is the rest: the part of an edit that any store pays."""
    inner, spent = store.transaction, [0.0]

    @contextmanager
    def transaction() -> Iterator[Any]:
        mark = [time.process_time()]
        try:
            with inner() as txn:
                spent[0] += time.process_time() - mark[0]
                try:
                    yield txn
                finally:
                    mark[0] = time.process_time()
        finally:
            spent[0] += time.process_time() - mark[0]
    store.transaction = transaction
    return spent


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
            "writer_ms": 1000 * sum(r[5] for r in results) / attempts, "machine_ms": 1000 * busy / attempts,
            "tracker_ms": 1000 * sum(r[5] - r[6] for r in results) / attempts}


def _bare_client(url: str, n: int, edits: int, docs: dict[str, str], ready: Any, go: Any, out: Any) -> None:
    """The least a durable, audited edit can ask of the server: the record's new version, written only if its
    revision is the one read, and its trail entry, sent in one round trip and committed (no lock, no catch-up,
    no Tracker)."""
    import psycopg
    rng, keys = random.Random(n), sorted(docs)
    revs = dict.fromkeys(keys, 1)
    with psycopg.connect(url) as conn:
        ready.release()
        go.wait()
        for i in range(edits):
            key = rng.choice(keys)
            with conn.pipeline():
                cur = conn.execute("UPDATE floor_docs SET doc = %s::json, rev = rev + 1 WHERE key = %s AND rev = %s "
                                   "RETURNING rev", (docs[key], key, revs[key]))
                conn.execute("INSERT INTO floor_trail (ref, entry) VALUES (%s, %s::json)",
                             (key, f'{{"ref": "{key}", "field": "notes", "user": "writer.{n}", "new": "edit {i}"}}'))
            row = cur.fetchone()
            if row is None:            # another client's edit came first: a conflict, as the store reports one
                conn.rollback()
                revs[key] = conn.execute("SELECT rev FROM floor_docs WHERE key = %s", (key,)).fetchone()[0]
                conn.rollback()
            else:
                conn.commit()
                revs[key] = row[0]
    out.put(n)


def bare_floor(cluster: Any, source_url: str, writers: int, edits: int, hot: list[str]) -> float:
    """Whole-machine CPU per attempt of ``_bare_client``'s transaction, ``writers`` clients at once, on the same
    server, with the hot contacts' own documents (milliseconds)."""
    import psycopg
    with cluster.admin() as conn:
        conn.execute("CREATE DATABASE bench_floor")
    url = cluster.url("bench_floor")
    with psycopg.connect(source_url) as src:
        docs = {k: d for k, d in src.execute("SELECT key, doc::text FROM contacts WHERE key = ANY(%s)", (hot,))}
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE floor_docs (key text PRIMARY KEY, doc json NOT NULL, rev int NOT NULL)")
        conn.execute("CREATE TABLE floor_trail (id bigserial PRIMARY KEY, ref text NOT NULL, entry json NOT NULL)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO floor_docs VALUES (%s, %s::json, 1)", list(docs.items()))
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_bare_client, args=(url, n, edits, docs, ready, go, out)) for n in range(writers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    busy = _busy_cpu()
    go.set()
    for _ in procs:
        out.get()
    busy = _busy_cpu() - busy
    for p in procs:
        p.join()
    return 1000 * busy / (writers * edits)


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
        tracker_ms = min(got["tracker_ms"] for got in rows.values())
        floor_ms = bare_floor(cluster, url, args.writers, args.edits, hot)
        least = tracker_ms + floor_ms
        print(f"the least any server store's edit costs here: the Tracker's own work {tracker_ms:.2f} ms (in the "
              f"writers, outside the store) + a bare server transaction {floor_ms:.2f} ms (one revision-checked "
              f"UPDATE and one trail INSERT, committed, {args.writers} clients, whole machine) = {least:.2f} ms: "
              f"at most {1000 * cores / least:,.0f} edits/s on {cores} core(s), "
              f"{1000 * cores / least / rows['file']['per_second']:.2f}x the file store's")
        ratio = rows["postgres"]["per_second"] / rows["file"]["per_second"]
        ok = ratio >= TARGET and not rows["postgres"]["problems"] and not rows["file"]["problems"]
        print(f"S1 {args.writers} writers x {args.edits} edits: PostgreSQL {ratio:.2f}x the file store's throughput "
              f"(target {TARGET:g}x) {'MET' if ok else 'NOT MET'}")
        return 0 if ok else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
