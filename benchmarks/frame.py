"""13. The contacts as a pandas data frame (``Tracker.frame``), beside parsing the same records."""

from __future__ import annotations

from pathlib import Path

import orjson

from safeguard_tracker.tracker import open_tracker

from .datasets import Dataset
from .measures import Row, alternate, median, without_gc

TARGET_AT = 100_000


def contacts_section(path: Path) -> bytes:
    """The bytes of the stored contacts table, located by the snapshot's header (as measures.record_sections)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    newline = raw.index(b"\n")
    start, end = orjson.loads(raw[:newline])["sections"]["contacts"]
    return raw[newline + 1 + start:newline + 1 + end]


def measure_frame(ds: Dataset, repeats: int) -> list[Row]:
    # The target is set at 100,000 records; below, pandas' fixed cost per column (a few ms in all) is most of
    # the time, so the row is information.
    row = Row("13", f"frame: contacts frame at {ds.size:,}", ds.size,
              "orjson.loads of the same contacts records (GC paused)", target=2.0 if ds.size >= TARGET_AT else None)
    try:
        import pandas  # noqa: F401
    except ImportError as exc:
        row.note = f"not available: {exc} (pip install 'safeguard-tracker[analysis]')"
        return [row]
    section = contacts_section(ds.store)
    t = open_tracker(ds.store, user="bench")
    try:
        n = len(t.frame("contacts"))            # warm-up, untimed: the imports, the taxonomy
        assert n == len(orjson.loads(section)) == len(ds.contacts), (n, len(ds.contacts))
        ms, bs = alternate(repeats, lambda: t.frame("contacts"), lambda: without_gc(lambda: orjson.loads(section)))
    finally:
        t.close()
    row.value, row.baseline, row.samples, row.baseline_samples = median(ms), median(bs), ms, bs
    row.note = ("" if row.target is not None else f"information below {TARGET_AT:,} records; ") + (
                "t.frame('contacts'): pandas, every non-personal column (27), from the open store's records; "
                "the baseline parses the contacts table's bytes")
    return [row]
