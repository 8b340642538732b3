"""The measurements (the audit trail's are in trail.py), each beside its baseline on the same data.

Each ``measure_*`` function returns Rows.  A measurement and its baseline run
alternately, ``repeats`` times each, and the medians are compared, so a busy
machine slows both alike.  Nothing is cached between repeats: every open
reads the file again, every edit is committed and fsynced, the tracker's
object cache is cleared before each filter.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

import orjson

from safeguard_tracker.demo import DEMO_TODAY
from safeguard_tracker.tracker import open_tracker

from .datasets import Dataset

HERE = Path(__file__).resolve().parent


@dataclass
class Row:
    id: str
    name: str
    size: int
    baseline_name: str
    target: Optional[float] = None       # the ratio to stay within (or, for "speed-up", to reach)
    kind: str = "ratio"                  # "ratio": measured / baseline; "speed-up": baseline / measured
    unit: str = "s"
    value: Optional[float] = None        # median of the measurement
    baseline: Optional[float] = None     # median of the baseline
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def available(self) -> bool:
        return self.value is not None and self.baseline is not None

    @property
    def ratio(self) -> Optional[float]:
        if not self.available or not self.baseline or not self.value:
            return None
        return self.baseline / self.value if self.kind == "speed-up" else self.value / self.baseline

    @property
    def met(self) -> Optional[bool]:
        r = self.ratio
        if r is None or self.target is None:
            return None
        return r >= self.target if self.kind == "speed-up" else r <= self.target

    def to_json(self) -> dict:
        d = asdict(self)
        d.update(ratio=self.ratio, met=self.met, available=self.available)
        return d


def median(xs: list[float]) -> Optional[float]:
    return statistics.median(xs) if xs else None


@contextmanager
def gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Timed:
    """A result that carries its own timing (when the clock must stop before some cleanup)."""
    seconds: float
    value: Any


def clock(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    if isinstance(out, Timed):
        return out.seconds, out.value
    return dt, out


def alternate(repeats: int, measured: Callable[[], Any], baseline: Callable[[], Any],
              teardown: Callable[[Any], None] = lambda _: None) -> tuple[list[float], list[float]]:
    """Run the measurement and the baseline in turn; teardown (untimed) gets each result."""
    ms: list[float] = []
    bs: list[float] = []
    for _ in range(repeats):
        for fn, out_list in ((measured, ms), (baseline, bs)):
            gc.collect()
            dt, out = clock(fn)
            out_list.append(dt)
            teardown(out)
            del out
    gc.collect()
    return ms, bs


def read_body(path: Path) -> memoryview:
    with open(path, "rb") as fh:
        raw = fh.read()
    return memoryview(raw)[raw.index(b"\n") + 1:]


ORJSON_MAX_BYTES = 2 ** 31 - 2 ** 16     # orjson refuses a document much past 2 GiB ("not enough memory")


def loads_body(path: Path) -> Any:
    """``orjson.loads`` of the whole body; past what orjson takes at once (a store of about 1,000,000
    contacts), the same bytes table by table, as the header locates them."""
    body = read_body(path)
    if len(body) <= ORJSON_MAX_BYTES:
        return orjson.loads(body)
    with open(path, "rb") as fh:
        sections = orjson.loads(fh.readline())["sections"]
    return {name: orjson.loads(body[a:b]) for name, (a, b) in sections.items()}


# --- 1. open ------------------------------------------------------------------------------
RECORD_SECTIONS_NOTE = "the tables the store parses when it opens (every one but the audit trail)"


def record_sections(path: Path) -> list[memoryview]:
    """The body's tables that an open parses (every table but ``audit``), located by the header."""
    with open(path, "rb") as fh:
        raw = fh.read()
    newline = raw.index(b"\n")
    header = orjson.loads(raw[:newline])
    body = memoryview(raw)[newline + 1:]
    sections = header.get("sections") or {}
    assert sections, "the snapshot's header locates its tables"
    return [body[a:b] for name, (a, b) in sections.items() if name != "audit"]


def open_and_use(ds: Dataset):
    """Open through the API and touch the records: every contact is reachable, one is a Contact."""
    t = open_tracker(ds.store, user="bench")
    docs = t.contact_docs()
    assert len(docs) >= ds.size * 0.99, (len(docs), ds.size)
    t.get_contact(next(reversed(docs)))
    return t


def _age_backups(ds: Dataset) -> set[Path]:
    """(Untimed) make every backup two days old, so the next open is the first of a new day."""
    folder = ds.store.with_name(ds.store.name + ".backups")
    old = time.time() - 2 * 86400
    found = set(folder.glob("*")) if folder.is_dir() else set()
    for p in found:
        os.utime(p, (old, old))
    return found


def without_gc(work: Callable[[], Any]) -> Timed:
    """``work()`` timed with the cyclic GC paused: orjson as fast as it goes.  The clock stops before
    the GC is switched back on, so the collection it then owes is not counted either."""
    with gc_paused():
        t = time.perf_counter()
        out = work()
        return Timed(time.perf_counter() - t, out)


def measure_open(ds: Dataset, repeats: int) -> list[Row]:
    def parse_tables():                  # the floor: the same tables the store parses
        return [orjson.loads(part) for part in record_sections(ds.store)]

    def close(t):
        if hasattr(t, "close"):
            t.close()

    ms, bs = alternate(repeats, lambda: open_and_use(ds), lambda: without_gc(parse_tables), close)
    _, whole_s = alternate(repeats, lambda: None, lambda: without_gc(lambda: loads_body(ds.store)))
    ds.seconds["open"] = median(ms)

    # The first open of a day writes the day's backup (a copy of the snapshot, fsynced) before it returns;
    # its baseline parses the same tables and writes one durable copy of the file's bytes.
    copy = ds.folder / "baseline-copy.json"

    def parse_and_copy():
        data = parse_tables()
        with open(copy, "wb") as fh:
            fh.write(ds.store.read_bytes())
            fh.flush()
            os.fsync(fh.fileno())
        return data

    folder = ds.store.with_name(ds.store.name + ".backups")
    fs: list[float] = []
    fb: list[float] = []
    for _ in range(max(repeats, 3)):
        before = _age_backups(ds)
        gc.collect()
        dt, t = clock(lambda: open_and_use(ds))
        fs.append(dt)
        close(t)
        new = set(folder.glob("*")) - before
        assert new, "the first open of a day wrote no backup"
        _remove(new)
        gc.collect()
        fb.append(clock(lambda: without_gc(parse_and_copy))[0])
        copy.unlink()
    row = Row("1", "open the store, every record usable through the API", ds.size,
              "orjson.loads of the same record tables (GC paused)", target=2.0, value=median(ms), baseline=median(bs),
              samples=ms, baseline_samples=bs, note=f"the baseline parses {RECORD_SECTIONS_NOTE}, as the store does")
    info = Row("1b", "open the store (as above)", ds.size, "orjson.loads of the whole file, audit trail too (GC paused)",
               value=median(ms), baseline=median(whole_s), samples=ms, baseline_samples=whole_s,
               note="information: the baseline #1 used until 30 November 2026; it parses the audit trail, which an "
                    "open leaves as bytes" + ("" if ds.store.stat().st_size <= ORJSON_MAX_BYTES else
                                              "; past 2 GiB, table by table (orjson takes no more at once)"))
    first = Row("1c", "the first open of a day (writes the day's backup)", ds.size,
                "the same parse, plus one copy of the file written and fsynced", target=2.0, value=median(fs),
                baseline=median(fb),
                samples=fs, baseline_samples=fb,
                note="every backup made two days old (untimed) before each open, the new backup deleted after")
    return [row, info, first]


# --- 2, 3. one durable edit ----------------------------------------------------------------
FILL_BATCH = 900            # records per filler transaction (below the size that is written as a snapshot)


def _compaction_threshold(path: Path) -> int:
    """The journal size past which the next write folds the journal into a new snapshot."""
    from safeguard_tracker.store.file_store import COMPACT_MIN_BYTES
    return max(COMPACT_MIN_BYTES, path.stat().st_size // 4)


def _journal_size(path: Path) -> int:
    journal = path.with_name(path.name + ".journal")
    return journal.stat().st_size if journal.exists() else 0


def fill_journal_to_edge(t, path: Path, room: int) -> None:
    """(Untimed) grow the journal until it is about ``room`` bytes short of a compaction, with real
    audited changes: long summaries, written in transactions of up to FILL_BATCH records."""
    threshold = _compaction_threshold(path)
    refs = sorted(t.store.all("contacts"))
    filler = " ".join(["A long summary written to grow the journal before the timed edits."] * 40)
    i = 0
    per_record: Optional[float] = None
    while True:
        left = threshold - room - _journal_size(path)
        if left <= 0 or (per_record is not None and left < per_record):
            break
        batch = 10 if per_record is None else max(1, min(FILL_BATCH, int(left // per_record)))  # 10: to learn a line's size
        before = _journal_size(path)
        with t.store.transaction() as txn:
            for _ in range(batch):
                ref = refs[i % len(refs)]
                i += 1
                txn.put("contacts", ref, dict(txn.get("contacts", ref), summary=f"{filler} ({i})"), user="bench.filler")
        grown = _journal_size(path) - before
        if grown <= 0:
            raise RuntimeError("the filler set off the compaction itself")
        per_record = grown / batch


def measure_edit(ds: Dataset, repeats: int) -> list[Row]:
    """Edit the summary of a random contact through the API: locked, audited, appended, fsynced.

    The baseline, the same edit in a store of 1,000 records, runs alternately with it in the
    same minutes: an fsync's time depends on what else the disk is doing, so comparing with
    a run made earlier would measure the disk, not the store.  Before the timed edits each
    store's journal is filled (untimed) to a few edits short of its compaction, so the edits
    include the one that folds the journal into a new snapshot, on both sides; the median and
    the worst edit are reported.
    """
    small_path = ds.reference_store()
    editors = []
    n = max(repeats * 6, 20)
    for path in (ds.store, small_path):
        t = open_tracker(path, user="bench.editor")
        refs = random.Random(ds.size).sample(sorted(t.contact_docs()), 50)
        editors.append((t, refs, path))
    counter = iter(range(10 ** 9))

    def editor(i: int) -> Callable[[], None]:
        t, refs, _ = editors[i]

        def edit() -> None:
            k = next(counter)
            t.update_contact(refs[k % len(refs)], summary=f"Summary revised by the benchmark ({k}).")
        return edit

    big, small = editor(0), editor(1)
    big(), small()  # warm-up, untimed (first use of the taxonomy and converters)
    snapshots = []
    between = []
    for t, refs, path in editors:
        before = _journal_size(path)
        t.update_contact(refs[0], summary="An edit measuring the size of one journal line.")   # untimed
        line = max(64, _journal_size(path) - before)
        between.append(_compaction_threshold(path) // line)
        fill_journal_to_edge(t, path, room=line * (n // 2))     # the compaction falls about half way
        snapshots.append(path.stat().st_ino)
    ms, bs = alternate(n, big, small)
    compacted = [path.stat().st_ino != ino for (_, _, path), ino in zip(editors, snapshots)]
    for t, _, _ in editors:
        t.close()
    ds.seconds["edit"] = median(ms)
    ds.samples["edit"] = ms
    note = ("a new snapshot was written during the timed edits in " +
            " and ".join(f"{name} ({'yes' if c else 'no'})" for name, c in zip(("this store", "the baseline's"),
                                                                                compacted)))
    return [Row("2", "one durable edit (a contact's summary, committed and fsynced)", ds.size,
                "the same edit at 1,000 records, alternately", target=5.0, value=median(ms), baseline=median(bs),
                samples=ms, baseline_samples=bs, note=note),
            Row("2b", "the worst of the same edits (the one that writes the new snapshot)", ds.size,
                "the worst at 1,000 records", value=max(ms), baseline=max(bs), samples=ms, baseline_samples=bs,
                note=f"information: about one edit in {between[0]:,} here (in {between[1]:,} at 1,000) folds the "
                     f"journal into a new snapshot and writes its backup")]


def measure_tinydb(ds: Dataset, repeats: int) -> list[Row]:
    from tinydb import TinyDB
    path = ds.tinydb_path()
    template = dict(ds.contacts[0])
    db = TinyDB(str(path))  # the default JSONStorage: re-reads and rewrites the whole file every time
    table = db.table("contacts")
    counter = iter(range(10 ** 9))

    def insert():
        doc = dict(template, reference=f"L-2099-{next(counter):05d}")
        table.insert(doc)

    insert()  # warm-up, untimed, as for the store's edit
    n = repeats if ds.size >= 50_000 else max(repeats, 5)
    samples = [clock(insert)[0] for _ in range(n)]
    db.close()
    return [Row("3", "the same edit", ds.size, "naive TinyDB insert (JSONStorage)", target=50.0, kind="speed-up",
                value=ds.seconds.get("edit"), samples=ds.samples.get("edit", []), baseline=median(samples),
                baseline_samples=samples, note="the speed-up: TinyDB's time over the store's")]


# --- 4, 5. filtering --------------------------------------------------------------------------
def _haystack(d: dict) -> str:
    s = d.get("subject") or {}
    return " ".join((d.get("reference", ""), s.get("employer", ""), s.get("role", ""), d.get("summary", ""),
                     d.get("agency", ""), d.get("legacy_reference", ""))).casefold()


def tui_filter(t, ds: Dataset) -> tuple[Callable[[], list[str]], Callable[[], list[str]], str]:
    """The filter as the TUI runs it (tui.lado.data.filter_contacts), warm and cold.

    Warm: the view's per-data-version caches (sort order, search text) exist, as they do while
    the user works; only the memory of the previous query, which lets a narrower query rescan
    just the previous matches, is dropped, so every repeat scans the whole store.  Cold: the first
    filter after the data changed, building those caches.  Without the TUI: tracker.contacts().
    """
    try:
        from tui.lado.data import Criteria, LadoData, filter_contacts
    except ImportError:
        def api():
            t._cache.clear()  # no object cache carried over from the previous repeat
            return [c.reference for c in t.contacts(year=ds.year, agency=ds.agency, text=ds.word)]
        return api, api, "tracker.contacts(year=, agency=, text=) (the TUI is not available)"
    criteria = Criteria(year=ds.year, agency=ds.agency, text=ds.word)
    data = LadoData(t)
    data.sync(0)
    data.order("received", True)     # what the view has built by the time the user filters: the list it
    assert data.hay                  # shows, and the search text (the index worker's work on a large store)

    def warm():
        data._last = None
        return filter_contacts(data, criteria)

    def cold():
        return filter_contacts(LadoData(t), criteria)

    return warm, cold, "tui.lado.data.filter_contacts"


def measure_filter(ds: Dataset, repeats: int) -> list[Row]:
    t = open_tracker(ds.store, user="bench")
    start, end = ds.bounds
    agency, word = ds.agency, ds.word.casefold()
    dicts = ds.contacts

    def comprehension():
        return [d for d in dicts if start <= d["received_on"] <= end and d["agency"] == agency
                and word in " ".join((d["reference"], d["subject"]["employer"], d["subject"]["role"], d["summary"],
                                      d["agency"])).casefold()]

    warm, cold, how = tui_filter(t, ds)
    expected = sorted(d["reference"] for d in comprehension())
    for fn in (cold, warm):
        got = sorted(fn())
        assert got == expected, f"{how} found {len(got)} contacts where the list comprehension found {len(expected)}"
    n = max(repeats * 2, 5)
    ms, bs = alternate(n, warm, comprehension)
    cs, bs2 = alternate(max(repeats, 3), cold, comprehension)

    con = __import__("sqlite3").connect(ds.sqlite_path())
    sql = ("SELECT reference, doc FROM contacts WHERE received_on BETWEEN ? AND ? AND agency = ? AND "
           "instr(lower(reference || ' ' || employer || ' ' || role || ' ' || summary || ' ' || agency), ?) > 0")

    def sqlite():
        return con.execute(sql, (start, end, agency, word)).fetchall()

    sq = sorted(r[0] for r in sqlite())
    assert sq == expected, f"sqlite found {len(sq)} where the list comprehension found {len(expected)}"
    ms2, ss = alternate(n, warm, sqlite)
    con.close()
    t.close()
    note = f"{how}; {len(expected)} matches ({ds.year}, {ds.agency}, '{ds.word}')"
    return [
        Row("4", "filter as the TUI runs it while the user works: year + agency + text", ds.size,
            "list comprehension over the same records as dicts", target=3.0, value=median(ms), baseline=median(bs),
            samples=ms, baseline_samples=bs,
            note=note + "; uses what the view keeps between keys (the sort order, found by bisection, and each "
                        "record's search text, built once per change): not equal work, see #4b"),
        Row("4b", "the same, the first filter after the data changed (nothing kept)", ds.size,
            "list comprehension over the same records as dicts", target=3.0, value=median(cs), baseline=median(bs2),
            samples=cs, baseline_samples=bs2,
            note="a new view each time: no sort order, no search text; the matches are sorted"),
        Row("5", "the same filter (#4)", ds.size,
            "sqlite3 file, equivalent WHERE, indexed on (received_on), (agency, received_on), (category)",
            target=1.0, value=median(ms2), baseline=median(ss), samples=ms2, baseline_samples=ss,
            note="aim, reported; no index on the words"),
    ]


# --- 6. import --------------------------------------------------------------------------------
READ_CSV = ("import csv, sys\n"
            "with open(sys.argv[1], newline='', encoding='utf-8-sig') as fh:\n"
            "    rows = list(csv.DictReader(fh))\n"
            "print(len(rows))\n")


def _cli() -> list[str]:
    """The command a user runs (the installed script when there is one, else the module)."""
    script = Path(sys.executable).with_name("safeguard-tracker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "safeguard_tracker"]


def _whole_process(cmd: list[str]) -> Timed:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited {done.returncode}: "
                           f"{(done.stderr.strip().splitlines() or ['no message'])[-1][:300]}")
    return Timed(seconds, done)


def _store_files(store: Path) -> list[Path]:
    """A store's file and everything beside it that belongs to it (journal, lock, backups)."""
    return list(store.parent.glob(store.name + "*"))


def _copy_store(source: Path, target: Path) -> None:
    for p in _store_files(source):
        dest = target.with_name(target.name + p.name[len(source.name):])
        shutil.copytree(p, dest) if p.is_dir() else shutil.copy2(p, dest)


def _remove(paths: Iterable[Path]) -> None:
    for p in paths:
        shutil.rmtree(p) if p.is_dir() else p.unlink()


def measure_import(ds: Dataset, repeats: int) -> list[Row]:
    """``safeguard-tracker import contacts`` of a council's messy spreadsheet, as a user runs it, into an
    existing store; beside a whole process that only reads the same file with ``csv.DictReader``."""
    row = Row("6", "CLI: import contacts from a messy spreadsheet into an existing store (whole process)", ds.size,
              "a whole process reading the same file with csv.DictReader", target=5.0)
    from safeguard_tracker.lado import contacts_export as ce  # the LADO area's export, whose columns it imports
    from . import messy
    path = ds.folder / "messy-contacts.csv"
    if not path.exists():
        messy.write(path, ds.contacts, list(ce.CSV_COLUMNS), ce._csv_row)
    existing = ds.folder / "existing-1000.json"
    if not existing.exists():
        from safeguard_tracker.demo import build_demo
        build_demo(existing, contacts=1000, seed=7, today=DEMO_TODAY, user="bench.builder").close()
    ms: list[float] = []
    bs: list[float] = []
    for i in range(repeats):
        store = ds.folder / f"import-{i}.json"
        _copy_store(existing, store)     # (untimed) the existing store, of another seed: every row is new
        gc.collect()
        dt, out = clock(lambda: _whole_process([*_cli(), "--db", str(store), "import", "contacts", str(path)]))
        ms.append(dt)
        added = re.search(r"row\(s\): added ([\d,]+)", out.stdout)
        assert added and int(added.group(1).replace(",", "")) == ds.size, out.stdout[:500]
        _remove(_store_files(store))
        dt, out = clock(lambda: _whole_process([sys.executable, "-c", READ_CSV, str(path)]))
        bs.append(dt)
        assert int(out.stdout.split()[-1]) == ds.size, out.stdout
    row.value, row.baseline, row.samples, row.baseline_samples = median(ms), median(bs), ms, bs
    row.note = ("day-first and ISO dates, agency names in other case and spacing, en dashes, quoted summaries with "
                "commas and line breaks, no reference column (benchmarks/messy.py); into a copy of a 1,000-contact "
                "store; the pattern warnings included")
    return [row]


# --- 7. statistics ----------------------------------------------------------------------------
def measure_stats(ds: Dataset, repeats: int) -> list[Row]:
    row = Row("7", "lado_statistics for one year + the Markdown report", ds.size,
              "one collections.Counter pass over agency and category", target=3.0)
    t = open_tracker(ds.store, user="bench")
    start, end = ds.bounds
    dicts = ds.contacts

    def report():
        return t.report_lado_annual(ds.year, fmt="md")

    def counter():
        return Counter((d["agency"], d.get("category")) for d in dicts if start <= d["received_on"] <= end)

    assert f"{sum(counter().values()):,}" in report()
    ms, bs = alternate(max(repeats, 5), report, counter)
    t.close()
    row.value, row.baseline, row.samples, row.baseline_samples = median(ms), median(bs), ms, bs
    row.note = "report_lado_annual(year, fmt='md'): the year and the year before, in one pass"
    return [row]


# --- 8. memory --------------------------------------------------------------------------------
def _peak_rss(mode: str, path: Path) -> float:
    out = subprocess.run([sys.executable, str(HERE / "rss_probe.py"), mode, str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["maxrss_kb"] / 1024


def measure_memory(ds: Dataset, repeats: int) -> list[Row]:
    n = 1 if ds.size >= 50_000 else min(repeats, 3)
    ms, bs = [], []
    for _ in range(n):
        ms.append(_peak_rss("store", ds.store))
        bs.append(_peak_rss("orjson", ds.store))
    return [Row("8", "peak RSS with the store open (fresh process)", ds.size,
                "peak RSS after orjson.loads of the same record tables (same imports)", target=1.5, unit="MB",
                value=median(ms), baseline=median(bs), samples=ms, baseline_samples=bs,
                note=f"the baseline parses {RECORD_SECTIONS_NOTE} holding the file's bytes while it parses, as the store does")]


# --- 9, 10. the TUI ---------------------------------------------------------------------------
TUI_SIZE = (120, 40)
TUI_WORD = "child"


def _tui_available() -> str:
    try:
        from tui.app import TrackerApp  # noqa: F401
        from tui.lado.views import ContactsView, QueueView  # noqa: F401
    except ImportError as exc:
        return f"not available: {exc}"
    return ""


def _tui_probe(mode: str, path: Path) -> dict:
    """Run the probe in a fresh process; ``from_start`` is the time from just before the process was
    started to the moment it reports (the first screen painted, or the store open)."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, str(HERE / "tui_probe.py"), mode, str(path)], capture_output=True,
                          text=True, timeout=600)
    total = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    got["from_start"] = got["at"] - t0
    if not 0 < got["from_start"] <= total:
        raise RuntimeError(f"the probe's clock does not match this process's ({got['from_start']:.3f} s of {total:.3f} s)")
    return got


async def _tui_keystrokes(store: Path, rounds: int) -> tuple[list[float], int]:
    """Type a word into All contacts' filter box, one key at a time: each key until the table is repainted.

    Timed from handing the key event to the app (as Pilot does) to the first screen update made
    after the filter was applied: ``App._display`` receives each compositor update, headless or not.
    Pilot's own waits (it sleeps until the process looks idle) are not counted.
    """
    from textual import events
    from textual.widgets import Input
    from tui.app import TrackerApp
    from tui.lado.views import ContactsView
    from tui.testing import record_paints

    t = open_tracker(store, user="bench.tui")
    app = TrackerApp(t, refresh_interval=None, cursor_blink=False)
    samples: list[float] = []
    shown = -1
    applied: list[float] = []
    async with app.run_test(size=TUI_SIZE) as pilot:
        painted = record_paints(app)
        await pilot.pause()
        app.show_workspace("contacts")
        await pilot.pause()
        await pilot.press("slash")  # Find: into the filter box, as a user gets there
        await pilot.pause()
        view = app.screen.query_one(ContactsView)
        box = app.screen.query_one("#contacts-filter", Input)
        assert app.focused is box, app.focused
        real_apply = view.apply_filter

        def apply_filter(*args, **kwargs):
            out = real_apply(*args, **kwargs)
            applied.append(time.perf_counter())
            return out
        view.apply_filter = apply_filter  # type: ignore[method-assign]
        for _ in range(rounds):
            for ch in TUI_WORD:
                n_applied = len(applied)
                t0 = time.perf_counter()
                event = events.Key(ch, ch)
                event.set_sender(app)
                app._driver.send_message(event)
                while not (len(applied) > n_applied and painted and painted[-1] > applied[-1]):
                    if time.perf_counter() - t0 > 60:
                        raise RuntimeError(f"no repaint within a minute of the key {ch!r}")
                    await asyncio.sleep(0)
                samples.append(painted[-1] - t0)
                await pilot.pause()  # (untimed) let the app settle before the next key
            shown = len(view.pager.keys)
            assert box.value == TUI_WORD, box.value
            box.value = ""  # (untimed) start the word again
            await pilot.pause()
        await pilot.press("escape", "q")
    t.close()
    return samples, shown


def measure_tui(ds: Dataset, repeats: int) -> list[Row]:
    start = Row("9", "TUI: from starting the process to the first screen painted", ds.size,
                "a process that imports the library and opens the store (#1), from its start", target=1.3)
    inner = Row("9b", "TUI: from creating the app to the first screen painted (imports done)", ds.size,
                "#1 in the same kind of process, imports done")
    key = Row("10", "TUI: keystroke in the filter box to the table repainted (Pilot)", ds.size,
              "the same at 1,000 records, in turns", target=3.0)
    missing = _tui_available()
    if missing:
        start.note = inner.note = key.note = missing
        return [start, inner, key]
    try:
        _measure_tui(ds, repeats, start, inner, key)
    except Exception as exc:  # report, do not stop the run
        for row in (start, inner, key):
            if not row.available:
                row.value = row.baseline = None
                row.note = f"not available: the TUI failed: {type(exc).__name__}: {str(exc)[:200]}"
    return [start, inner, key]


def _measure_tui(ds: Dataset, repeats: int, start: Row, inner: Row, key: Row) -> None:
    n = max(1, min(repeats, 3))
    ms, bs, ims, ibs = [], [], [], []
    home = ""
    for _ in range(n):  # each in a fresh process, as a user starts it; the store's open likewise
        got = _tui_probe("tui", ds.store)
        ms.append(got["from_start"])
        ims.append(got["seconds"])
        home = got["home"]
        opened = _tui_probe("open", ds.store)
        bs.append(opened["from_start"])
        ibs.append(opened["seconds"])
    start.value, start.baseline, start.samples, start.baseline_samples = median(ms), median(bs), ms, bs
    start.note = (f"first screen: {home} (the home tab); fresh processes timed from before their start, Python's "
                  f"start-up and every import included; the app opens the store itself (worker thread, loading "
                  f"screen); 120x40 headless")
    inner.value, inner.baseline, inner.samples, inner.baseline_samples = median(ims), median(ibs), ims, ibs
    inner.note = "information: #9 until 30 November 2026 (the clock started after the imports)"
    # Keystrokes: in turns with the same typing in a 1,000-record store, so both see the same machine.
    samples: list[float] = []
    small: list[float] = []
    reference = ds.reference_store()
    expected = sum(1 for d in ds.contacts if TUI_WORD in _haystack(d))
    for _ in range(max(2, n)):
        gc.collect()
        got, shown = asyncio.run(_tui_keystrokes(ds.store, rounds=1))
        assert shown == expected, f"the filter showed {shown} where {expected} contain '{TUI_WORD}'"
        samples += got
        gc.collect()
        small += asyncio.run(_tui_keystrokes(reference, rounds=1))[0]
    key.value, key.samples, key.baseline, key.baseline_samples = median(samples), samples, median(small), small
    key.note = (f"typing '{TUI_WORD}' key by key into Find, in turns with a 1,000-record store ({len(samples)} keys "
                f"each; slowest {max(samples) * 1e3:.0f} ms: the first key after opening builds the search text)")


# Reading measurements first: the edits change the store (and the records the baselines hold).
MEASURES = (measure_open, measure_filter, measure_stats, measure_memory, measure_tui, measure_edit, measure_tinydb,
            measure_import)
