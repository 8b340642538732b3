"""The data every measurement and its baseline share, built fresh for each size.

One demo store per size (``safeguard_tracker.demo.build_demo``), and from the
very same records: the contacts as plain dicts, a SQLite file and a naive
TinyDB file (the import's spreadsheet is written by ``messy.py``).  Nothing is
kept between runs: the folder is a fresh temporary one and is deleted afterwards.
"""

from __future__ import annotations

import gc
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import orjson

from safeguard_tracker.dates import financial_year_bounds
from safeguard_tracker.demo import DEMO_TODAY, build_demo

QUERY_YEAR = "2017-18"
BUILD_APART_ABOVE = 100_000          # larger stores are built in a process of their own
BUILD = ("import sys\n"
         "from safeguard_tracker.demo import DEMO_TODAY, build_demo\n"
         "build_demo(sys.argv[1], contacts=int(sys.argv[2]), today=DEMO_TODAY, user='bench.builder').close()\n")
QUERY_WORD = "child"


@dataclass
class Dataset:
    size: int
    folder: Path
    store: Path
    contacts: list[dict]                 # the stored contacts, parsed separately, for the baselines
    agency: str                          # the filter's agency: the most common one in the query year
    year: str = QUERY_YEAR
    word: str = QUERY_WORD
    seconds: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)   # kept for rows that reuse a measurement
    _sqlite: Optional[Path] = None
    _tinydb: Optional[Path] = None

    @property
    def bounds(self) -> tuple[str, str]:
        s, e = financial_year_bounds(self.year)
        return s.isoformat(), e.isoformat()

    def snapshot_body(self) -> bytes:
        raw = self.store.read_bytes()
        return raw[raw.index(b"\n") + 1:]

    # --- derived files, built on first use -------------------------------------------
    def sqlite_path(self) -> Path:
        if self._sqlite is None:
            t = time.perf_counter()
            self._sqlite = self.folder / "contacts.sqlite"
            con = sqlite3.connect(self._sqlite)
            con.execute("CREATE TABLE contacts (reference TEXT PRIMARY KEY, received_on TEXT, agency TEXT, "
                        "category TEXT, harm TEXT, closed_on TEXT, subject_name TEXT, employer TEXT, role TEXT, "
                        "summary TEXT, doc TEXT)")
            con.executemany("INSERT INTO contacts VALUES (?,?,?,?,?,?,?,?,?,?,?)", (
                (d["reference"], d["received_on"], d["agency"], d.get("category"), d.get("harm"), d.get("closed_on"),
                 (d.get("subject") or {}).get("name", ""), (d.get("subject") or {}).get("employer", ""),
                 (d.get("subject") or {}).get("role", ""), d.get("summary", ""), orjson.dumps(d).decode())
                for d in self.contacts))
            # Indexed on the fields the filter tests (the year's dates and the agency), as a database
            # built for this query would be; the words have no index (nor does the store's warm filter
            # keep one: it keeps each record's search text).
            con.execute("CREATE INDEX contacts_received ON contacts (received_on)")
            con.execute("CREATE INDEX contacts_agency_received ON contacts (agency, received_on)")
            con.execute("CREATE INDEX contacts_category ON contacts (category)")
            con.execute("ANALYZE")
            con.commit()
            con.close()
            self.seconds["build sqlite"] = time.perf_counter() - t
        return self._sqlite

    def tinydb_path(self) -> Path:
        """A TinyDB file in its default layout, holding the same contacts (written as TinyDB writes it)."""
        if self._tinydb is None:
            t = time.perf_counter()
            self._tinydb = self.folder / "tinydb.json"
            table = {str(i): d for i, d in enumerate(self.contacts, 1)}
            with open(self._tinydb, "w", encoding="utf-8") as fh:
                json.dump({"contacts": table}, fh)
            self.seconds["build tinydb"] = time.perf_counter() - t
        return self._tinydb

    def reference_store(self) -> Path:
        """A demo store of 1,000 records beside this size's, for baselines run in the same minutes."""
        path = self.folder / "reference-1000.json"
        if not path.exists():
            build_demo(path, contacts=1000, today=DEMO_TODAY, user="bench.builder").close()
        return path

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.contacts = []
        gc.unfreeze()  # (see build) hand the process's objects back to the collector


def build(size: int, workdir: Optional[Path] = None) -> Dataset:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{size}-", dir=workdir))
    try:
        return _build(size, folder)
    except BaseException:            # a build that fails (or is interrupted) leaves no data behind either
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _build(size: int, folder: Path) -> Dataset:
    store = folder / "store.json"
    t = time.perf_counter()
    if size > BUILD_APART_ABOVE:
        # In a process of its own: building 1,000,000 contacts peaks at about 10 GB, which this process
        # would keep (freed, not given back) beside everything it opens later.
        subprocess.run([sys.executable, "-c", BUILD, str(store), str(size)], check=True)
    else:
        tracker = build_demo(store, contacts=size, today=DEMO_TODAY, user="bench.builder")
        tracker.close()
        del tracker
    gc.collect()
    built = time.perf_counter() - t
    raw = store.read_bytes()
    newline = raw.index(b"\n")
    start, end = orjson.loads(raw[:newline])["sections"]["contacts"]   # the contacts table alone: orjson
    contacts = list(orjson.loads(memoryview(raw)[newline + 1 + start:newline + 1 + end]).values())  # takes 2 GiB at most
    del raw
    # The baselines' copy of the records lives as long as the size's run: out of the cyclic GC's
    # sight, so that the collections the measured code sets off do not walk the benchmark's own data.
    gc.collect()
    gc.freeze()
    ds = Dataset(size=size, folder=folder, store=store, contacts=contacts, agency="")
    s, e = ds.bounds
    in_year = Counter(d["agency"] for d in contacts if s <= d["received_on"] <= e)
    ds.agency = in_year.most_common(1)[0][0]
    ds.seconds["build store"] = built
    return ds
