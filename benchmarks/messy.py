"""A contacts spreadsheet as a council's staff keep one, for the import benchmark.

Made from the demo's records through the export's own columns, then roughed up
the way a workbook saved as CSV is: no reference or revision column (the rows
are the council's, not ours), dates day-first with and without leading zeros
or ISO, agency names in other case with doubled spaces and the dash typed as a
hyphen or an en dash, yes/no in other words, and summaries that hold commas,
quotes and line breaks (so the fields are quoted).  Every variation is one the
import accepts, so the benchmark times the whole import, warnings included,
not its error path.  Deterministic: the same records give the same file.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path
from typing import Iterable

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _date(cell: object, rng: random.Random) -> object:
    m = _ISO.match(cell) if isinstance(cell, str) else None
    if not m:
        return cell
    y, mo, d = m.groups()
    style = rng.randrange(3)
    if style == 0:
        return f"{d}/{mo}/{y}"
    if style == 1:
        return f"{int(d)}/{int(mo)}/{y}"
    return cell


def _agency(name: str, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return name.upper()
    if style == 1:
        return "  " + name.lower().replace(" ", "  ") + " "
    if style == 2:
        return name.replace(" - ", " \u2013 ")
    return name


def _summary(text: str, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return text + ", per the referrer's \"initial\" account"
    if style == 1:
        return text.replace(". ", ".\n", 1) + "\nFollow-up: employer, police, LADO"
    return text


def write(path: Path, contacts: Iterable[dict], columns: list[str], row, seed: int = 2018) -> int:
    """Write the messy file; ``row(doc)`` gives the export's values for ``columns``.  Returns the row count."""
    rng = random.Random(seed)
    keep = [i for i, c in enumerate(columns) if c not in ("reference", "revision")]
    heading = [columns[i].replace("_", " ").capitalize() for i in keep]
    agency_at = columns.index("agency")
    summary_at = columns.index("summary")
    n = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:   # Excel's byte-order mark
        w = csv.writer(fh, lineterminator="\r\n")                      # and its line ends
        w.writerow(heading)
        for doc in contacts:
            values = list(row(doc))
            values[agency_at] = _agency(values[agency_at], rng)
            values[summary_at] = _summary(values[summary_at], rng)
            w.writerow([_date(values[i], rng) for i in keep])
            n += 1
    return n
