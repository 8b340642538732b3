"""The measurements (the audit trail's are in trail.py), each beside its baseline on the same data.

Each ``measure_*`` function returns Rows.  A measurement and its baseline run
alternately, ``repeats`` times each, and the medians are compared, so a busy
machine slows both alike.  Nothing is cached between repeats: every open
reads the file again, every edit is committed and fsynced, the tracker's
object cache is cleared before each filter.
"""

from __future__ import annotations

import asyncio
import csv
import gc
import json
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
from typing import Any, Callable, Iterator, Optional

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


# --- 1. open ------------------------------------------------------------------------------
def open_and_use(ds: Dataset):
    """Open through the API and touch the records: every contact is reachable, one is a Contact."""
    t = open_tracker(ds.store, user="bench")
    docs = t.contact_docs()
    assert len(docs) >= ds.size * 0.99, (len(docs), ds.size)
    t.get_contact(next(reversed(docs)))
    return t


def measure_open(ds: Dataset, repeats: int) -> list[Row]:
    def floor():
        # The floor: orjson as fast as it goes, the cyclic GC kept out.  The clock stops before the GC is
        # switched back on, so the collection it then owes is not counted either.
        with gc_paused():
            t = time.perf_counter()
            data = orjson.loads(read_body(ds.store))
            return Timed(time.perf_counter() - t, data)

    def plain():
        return orjson.loads(read_body(ds.store))

    def close(t):
        if hasattr(t, "close"):
            t.close()

    ms, bs = alternate(repeats, lambda: open_and_use(ds), floor, close)
    _, plain_s = alternate(repeats, lambda: None, plain)
    ds.seconds["open"] = median(ms)
    row = Row("1", "open the store, every record usable through the API", ds.size,
              "orjson.loads of the file's bytes (GC paused)", target=2.0, value=median(ms), baseline=median(bs),
              samples=ms, baseline_samples=bs)
    info = Row("1b", "open the store (as above)", ds.size, "orjson.loads, GC left on (plain call)",
               value=median(ms), baseline=median(plain_s), samples=ms, baseline_samples=plain_s,
               note="information: the plain call includes the cyclic GC's passes over the new objects")
    return [row, info]


# --- 2, 3. one durable edit ----------------------------------------------------------------
def measure_edit(ds: Dataset, repeats: int) -> list[Row]:
    """Edit the summary of a random contact through the API: locked, audited, appended, fsynced.

    The baseline, the same edit in a store of 1,000 records, runs alternately with it in the
    same minutes: an fsync's time depends on what else the disk is doing, so comparing with
    a run made earlier would measure the disk, not the store.
    """
    small_path = ds.reference_store()
    editors = []
    for path in (ds.store, small_path):
        t = open_tracker(path, user="bench.editor")
        refs = random.Random(ds.size).sample(sorted(t.contact_docs()), 50)
        editors.append((t, refs))
    counter = iter(range(10 ** 9))

    def editor(i: int) -> Callable[[], None]:
        t, refs = editors[i]

        def edit() -> None:
            n = next(counter)
            t.update_contact(refs[n % len(refs)], summary=f"Summary revised by the benchmark ({n}).")
        return edit

    big, small = editor(0), editor(1)
    big(), small()  # warm-up, untimed (first use of the taxonomy and converters)
    ms, bs = alternate(max(repeats * 6, 20), big, small)
    for t, _ in editors:
        t.close()
    ds.seconds["edit"] = median(ms)
    ds.samples["edit"] = ms
    return [Row("2", "one durable edit (a contact's summary, committed and fsynced)", ds.size,
                "the same edit at 1,000 records, alternately", target=5.0, value=median(ms), baseline=median(bs),
                samples=ms, baseline_samples=bs)]


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
                     d.get("agency", ""))).casefold()


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
        Row("4", "filter as the TUI runs it: year + agency + text", ds.size,
            "list comprehension over the same records as dicts", target=3.0, value=median(ms), baseline=median(bs),
            samples=ms, baseline_samples=bs, note=note),
        Row("4b", "the same, first filter after the data changed (cold caches)", ds.size,
            "list comprehension over the same records as dicts", value=median(cs), baseline=median(bs2),
            samples=cs, baseline_samples=bs2, note="information: builds the sort order and search text once per change"),
        Row("5", "the same filter", ds.size, "sqlite3 file, equivalent WHERE (no index)", target=1.0,
            value=median(ms2), baseline=median(ss), samples=ms2, baseline_samples=ss, note="aim, reported"),
    ]


# --- 6. import --------------------------------------------------------------------------------
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _uk(cell: Any) -> Any:
    m = _ISO_DATE.match(cell) if isinstance(cell, str) else None
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else cell


def measure_import(ds: Dataset, repeats: int) -> list[Row]:
    """Import the demo's contacts, exported to CSV with day-first dates, into a new store: validated, one transaction."""
    row = Row("6", "import the contacts CSV (UK dates), validated, one transaction", ds.size,
              "csv.DictReader reading the same file", target=5.0)
    try:
        from safeguard_tracker.lado import contacts_export as ce  # the LADO area's export, whose rows it imports
        columns, export_row = list(ce.CSV_COLUMNS), ce._csv_row
    except (ImportError, AttributeError) as exc:
        row.note = f"not available: {exc}"
        return [row]
    path = ds.csv_path(columns, lambda d: [_uk(c) for c in export_row(d)])
    counter = iter(range(10 ** 6))

    def do_import():
        store = ds.folder / f"import-{next(counter)}.json"
        t = open_tracker(store, user="bench.import", today=lambda: DEMO_TODAY)
        result = t.import_contacts(path)
        return t, result

    def dict_reader():
        with open(path, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    def cleanup(out):
        if isinstance(out, tuple):
            t, result = out
            assert result.rows == len(ds.contacts) and len(result.added) == len(ds.contacts), result.summary()
            store = t.path
            t.close()
            for p in store.parent.glob(store.name + "*"):
                shutil.rmtree(p) if p.is_dir() else p.unlink()

    ms, bs = alternate(repeats, do_import, dict_reader, cleanup)
    row.value, row.baseline, row.samples, row.baseline_samples = median(ms), median(bs), ms, bs
    row.note = ("into a new store each time; the time includes the fsynced commit (written as the new snapshot) "
                "and its backup copy")
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
                "peak RSS after orjson.loads of the file (same imports)", target=1.5, unit="MB", value=median(ms),
                baseline=median(bs), samples=ms, baseline_samples=bs)]


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
    done = subprocess.run([sys.executable, str(HERE / "tui_probe.py"), mode, str(path)], capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    start = Row("9", "TUI: start to the first screen painted (Pilot)", ds.size,
                "#1 (open the store), in the same kind of process", target=1.3)
    key = Row("10", "TUI: keystroke in the filter box to the table repainted (Pilot)", ds.size,
              "the same at 1,000 records, in turns", target=3.0)
    missing = _tui_available()
    if missing:
        start.note = key.note = missing
        return [start, key]
    try:
        _measure_tui(ds, repeats, start, key)
    except Exception as exc:  # the TUI is another area's work in progress: report, do not stop the run
        for row in (start, key):
            if not row.available:
                row.value = row.baseline = None
                row.note = f"not available: the TUI failed: {type(exc).__name__}: {str(exc)[:200]}"
    return [start, key]


def _measure_tui(ds: Dataset, repeats: int, start: Row, key: Row) -> None:
    n = max(1, min(repeats, 3))
    ms, bs = [], []
    home = ""
    for _ in range(n):  # each in a fresh process, as a user starts it; the store's open likewise
        got = _tui_probe("tui", ds.store)
        ms.append(got["seconds"])
        home = got["home"]
        bs.append(_tui_probe("open", ds.store)["seconds"])
    start.value, start.baseline, start.samples, start.baseline_samples = median(ms), median(bs), ms, bs
    start.note = (f"first screen: {home} (the home tab); fresh processes, imports done before the clock; the app "
                  f"opens the store itself (worker thread, loading screen); 120x40 headless")
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
