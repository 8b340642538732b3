"""Rows 15, 15b, 15c, 16: what a user runs from the shell, each timed as a whole process from its start.

A cold query (``contacts --year Y --category referral``; ``report lado-annual --format json``) beside
a whole process that imports the library and opens the same store with ``open_tracker`` and exits
(the CLI opens the store the same way, for reading and writing: there is no read-only open).
``check`` beside a whole process that reads the store's file and ``orjson.loads`` all of it, the
header line and the body, audit trail too, with the cyclic GC paused (as fast as orjson goes).
"""

from __future__ import annotations

import json
import sys

from .datasets import Dataset
from .measures import ORJSON_MAX_BYTES, Row, Timed, _cli, _journal_size, _whole_process, alternate, median

OPEN_STORE = ("import sys\n"
              "from safeguard_tracker.tracker import open_tracker\n"
              "open_tracker(sys.argv[1], user='bench.open').close()\n")

READ_WHOLE = ("import gc, sys\n"
              "import orjson\n"
              "gc.disable()\n"
              "with open(sys.argv[1], 'rb') as fh:\n"
              "    raw = fh.read()\n"
              "newline = raw.index(b'\\n')\n"
              "header = orjson.loads(raw[:newline])\n"
              "body = memoryview(raw)[newline + 1:]\n"
              "if len(body) <= int(sys.argv[2]):\n"
              "    data = orjson.loads(body)\n"
              "else:  # orjson takes at most about 2 GiB at once: the same bytes, table by table\n"
              "    data = {name: orjson.loads(body[a:b]) for name, (a, b) in header['sections'].items()}\n"
              "print(len(data['contacts']))\n")

COMPACT = ("import sys\n"
           "from safeguard_tracker.tracker import open_store\n"
           "store = open_store(sys.argv[1], user='bench.settle')\n"
           "store.compact()\n"
           "store.close()\n")


def _runs(ds: Dataset, repeats: int) -> int:
    """Whole processes per side: at 1,000,000 each opens a 3 GB file, so fewer."""
    return repeats if ds.size <= 100_000 else min(repeats, 2)


def measure_query(ds: Dataset, repeats: int) -> list[Row]:
    store = str(ds.store)
    listing = [*_cli(), "--db", store, "contacts", "--year", ds.year, "--category", "referral"]
    report = [*_cli(), "--db", store, "report", "lado-annual", "--year", ds.year, "--format", "json"]
    opening = [sys.executable, "-c", OPEN_STORE, store]
    start, end = ds.bounds
    referrals = sum(1 for d in ds.contacts if start <= d["received_on"] <= end and d.get("category") == "referral")

    def listed(out: Timed) -> Timed:
        shown = [line for line in out.value.stdout.splitlines() if line.startswith("L-")]
        assert len(shown) == referrals, f"contacts listed {len(shown)} referrals where the year holds {referrals}"
        return out

    def reported(out: Timed) -> Timed:
        data = json.loads(out.value.stdout)
        assert data, "the report printed no JSON"
        return out

    # (untimed) one of each first: the file into the page cache on both sides, and the day's backup
    # written by whichever opens first after the backups were aged (#1c)
    _whole_process(opening)
    listed(_whole_process(listing))
    reported(_whole_process(report))
    n = _runs(ds, repeats)
    rows = []
    for rid, what, cmd, check in (("15", "contacts --year {y} --category referral", listing, listed),
                                  ("15b", "report lado-annual --year {y} --format json", report, reported)):
        ms, bs = alternate(n, lambda: check(_whole_process(cmd)), lambda: _whole_process(opening))
        rows.append(Row(rid, f"CLI: a cold query, {what.format(y=ds.year)} (whole process)", ds.size,
                        "a whole process that imports the library, opens the store with open_tracker and exits",
                        target=1.5, value=median(ms), baseline=median(bs), samples=ms, baseline_samples=bs,
                        note=f"each a fresh process timed from its start, Python's start-up and every import "
                             f"included; the store file {ds.store.stat().st_size / 1e6:,.0f} MB; "
                             + (f"{referrals:,} referrals listed" if rid == "15" else "the report's JSON printed")))
    # 15c: the same report as the store stood at the year's end, rebuilt from the audit trail, beside 15b's.
    past = [*report, "--as-of", end]
    reported(_whole_process(past))
    ms, bs = alternate(n, lambda: reported(_whole_process(past)), lambda: reported(_whole_process(report)))
    rows.append(Row("15c", f"CLI: the annual report as at the year's end, report lado-annual --year {ds.year} "
                           f"--as-of {end} (whole process)", ds.size,
                    "the same report of today's store (15b's command)", target=2.0, value=median(ms),
                    baseline=median(bs), samples=ms, baseline_samples=bs,
                    note="every record rebuilt from the audit trail as it stood at the end of the day; the "
                         "benchmark's store was written after that day, so each record then stands as its own "
                         "dates say (the fallback before the trail begins)"))
    return rows


def settle(ds: Dataset) -> None:
    """(Untimed) fold the journal into the snapshot, in a process of its own, so the file ``check`` reads
    is the whole store: no journal left over from building it or from the measurements before."""
    if _journal_size(ds.store) > 4096:
        _whole_process([sys.executable, "-c", COMPACT, str(ds.store)])


def measure_check(ds: Dataset, repeats: int) -> list[Row]:
    settle(ds)
    store = str(ds.store)
    checking = [*_cli(), "--db", store, "check"]
    reading = [sys.executable, "-c", READ_WHOLE, store, str(ORJSON_MAX_BYTES)]

    def sound(out: Timed) -> Timed:
        assert out.value.stdout.startswith("sound:"), out.value.stdout[:300]
        return out

    sound(_whole_process(checking))          # (untimed) into the page cache; the day's backup if one is due
    _whole_process(reading)
    journal = _journal_size(ds.store)
    size = ds.store.stat().st_size
    ms, bs = alternate(_runs(ds, repeats), lambda: sound(_whole_process(checking)), lambda: _whole_process(reading))
    return [Row("16", "CLI: check the store's integrity (whole process)", ds.size,
                "a whole process reading the file and orjson.loads of all of it (GC paused)", target=3.0,
                value=median(ms), baseline=median(bs), samples=ms, baseline_samples=bs,
                note=f"the store compacted first (untimed): a {size / 1e6:,.1f} MB file, {journal:,} bytes of journal; "
                     f"check replays the audit trail against every record"
                     + ("" if size <= ORJSON_MAX_BYTES else "; past 2 GiB the baseline parses table by table "
                                                            "(orjson takes no more at once)"))]
