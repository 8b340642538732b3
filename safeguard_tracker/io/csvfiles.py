"""Reading spreadsheet CSVs as Excel writes them, and writing CSVs a spreadsheet cannot run.

Accepts a UTF-8 byte-order mark, CRLF line ends, Windows-1252 files, and
headers in any case and spacing ("Received Date " -> received_date).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ..errors import ImportFailed

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
csv.field_size_limit(1 << 24)


def header_key(name: str) -> str:
    """'Received Date ' -> 'received_date'."""
    key = re.sub(r"[^0-9a-z]+", "_", (name or "").strip().lower()).strip("_")
    return key


def decode_bytes(raw: bytes, source: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed([f"{source}: the file is neither UTF-8 nor Windows-1252 text; save it as 'CSV UTF-8' from Excel"],
                       source=source)


def read_rows(path: str | Path, *, required: Sequence[str], aliases: dict[str, str] | None = None,
              known: Iterable[str] | None = None) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows as (spreadsheet row number, {normalised header: value}).  Row 1 is the header."""
    source = str(path)
    keys, reader = open_table(path, required=required, aliases=aliases, known=known)
    problems = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
                problems.append(f"row {number}: has {len(values)} cells but the header names {len(keys)} columns")
                continue
            row = {k: (values[i].strip() if i < len(values) else "") for i, k in enumerate(keys) if k}
            rows.append((number, row))
    except csv.Error as exc:
        problems.append(f"row {reader.line_num}: {exc}")
    if problems:
        raise ImportFailed(problems, source=source)
    return keys, rows


def open_table(path: str | Path, *, required: Sequence[str], aliases: dict[str, str] | None = None,
               known: Iterable[str] | None = None) -> tuple[list[str], Iterator[list[str]]]:
    """The checked, normalised header and a csv.reader positioned at row 2, for importers that
    want plain lists (100,000 rows) rather than a dict a row."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    text = decode_bytes(raw, source)
    if "\x00" in text:
        raise ImportFailed([f"{source}: contains NUL bytes; it is not a CSV text file"], source=source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([f"{source}: the file is empty; the first row must name the columns "
                            f"(at least: {', '.join(required)})"], source=source) from None
    except csv.Error as exc:
        raise ImportFailed([f"{source}: row 1: {exc}"], source=source) from None
    aliases = aliases or {}
    keys = [aliases.get(header_key(h), header_key(h)) for h in header]
    problems = []
    missing = [r for r in required if r not in keys]
    if missing:
        problems.append(f"header: missing required column(s) {', '.join(missing)}; found: "
                        f"{', '.join(h for h in header if h.strip()) or '(none)'}")
    dupes = sorted({k for k in keys if k and keys.count(k) > 1})
    if dupes:
        problems.append(f"header: column(s) {', '.join(dupes)} appear more than once")
    if known is not None:
        known_set = set(known)
        unknown = [h for h, k in zip(header, keys) if k and k not in known_set]
        if unknown:
            problems.append(f"header: unknown column(s) {', '.join(repr(u) for u in unknown)}; accepted columns: "
                            f"{', '.join(sorted(known_set))}")
    if problems:
        raise ImportFailed(problems, source=source)
    return keys, reader


def safe_cell(value: object) -> str:
    """OWASP's defence: a cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unguard(text: str) -> str:
    """The inverse of ``safe_cell`` on import: "'=SUM(A1)" was written for "=SUM(A1)"."""
    if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_PREFIXES:
        return text[1:]
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
