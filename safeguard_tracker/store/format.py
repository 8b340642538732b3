"""The on-disk format: a checksummed snapshot plus an append-only journal.

Snapshot (``store.json``)::

    {"format":"safeguard-tracker","schema":1,"last_seq":N,"crc32":C,"length":L,
     "sections":{"contacts":[start,end],...},"counts":{"contacts":n,...}}\n
    <L bytes: the tables as JSON, in TinyDB's layout {table: {key: doc}}>

The body is one JSON object (``orjson.loads`` reads it whole), and the header
says where each table's object starts and ends in it.  So opening parses the
record tables only and keeps the audit trail -- as large as every record put
together, and read only for history, ``check`` and redaction -- as bytes until
it is first needed.  ``sections`` and ``counts`` are optional: a snapshot
without them is parsed whole.

Journal (``store.json.journal``), one committed transaction a line::

    <crc32 as 8 hex digits> <JSON: {"seq":..,"at":..,"user":..,"puts":[[table,key,doc]..],"audit":[..]}>\n

The checksums catch a flipped byte.  A last line without its newline is a
write that was never acknowledged (a kill mid-append) and is ignored (the next writer cuts it off).  A complete line that fails its
checksum is corruption, and the store is refused.
"""

from __future__ import annotations

import gc
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson

from ..errors import StoreCorrupt, StoreTooNew

FORMAT = "safeguard-tracker"
SCHEMA_VERSION = 1
TABLES = ("contacts", "reviews", "actions", "audit", "access_log", "settings")


def empty_tables() -> dict[str, dict]:
    return {t: {} for t in TABLES}


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True
_gc_freeze = False


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Keep the cyclic garbage collector out of a bulk parse.

    Parsing a large store creates millions of containers, and each burst of
    allocations sets off collections that walk all of them again: at 100,000
    contacts the collector took longer than the parse itself.  JSON data holds
    no cycles, so there is nothing for it to find.  With ``freeze`` the parsed
    data is then moved out of the collector's sight for good (``gc.freeze``),
    so no later full collection walks it either (a pause of half a second at
    100,000 contacts); it is still freed as usual when the store lets go of it.
    Nested and threaded uses are counted; the last one out restores the
    collector, and only if it was on before.
    """
    global _gc_pauses, _gc_was_enabled, _gc_freeze
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            _gc_freeze = False
            gc.disable()
        _gc_pauses += 1
        _gc_freeze = _gc_freeze or freeze
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                if _gc_freeze:
                    gc.freeze()
                if _gc_was_enabled:
                    gc.enable()


class RawTable:
    """A table kept as the JSON bytes of its object until it is first needed.

    New entries go to ``extra`` (keys continue the numbering), so the table
    can grow and be written into the next snapshot without ever being parsed.
    """

    __slots__ = ("raw", "count", "extra")

    def __init__(self, raw: bytes, count: int):
        self.raw = raw
        self.count = count
        self.extra: dict[str, Any] = {}

    def __len__(self) -> int:
        return self.count + len(self.extra)

    def add(self, key: str, doc: Any) -> None:
        self.extra[key] = doc

    def with_extra(self, more: dict[str, Any]) -> "RawTable":
        """A copy with ``more`` entries added; this one is left as it was."""
        copy = RawTable(self.raw, self.count)
        copy.extra = {**self.extra, **more}
        return copy

    def load(self, path: Path) -> dict:
        try:
            with gc_paused():
                table = orjson.loads(self.raw)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{path} is damaged: {exc}") from None
        if not isinstance(table, dict) or len(table) != self.count:
            raise StoreCorrupt(f"{path} is damaged: a table does not hold the {self.count} entries its header names")
        table.update(self.extra)
        return table

    def chunks(self) -> list[Any]:
        if not self.extra:
            return [self.raw]
        more = orjson.dumps(self.extra)[1:-1]
        return [memoryview(self.raw)[:-1], (b"," if self.count else b"") + more + b"}"]


def encode_snapshot(tables: dict[str, Any], last_seq: int) -> list[Any]:
    """The snapshot as chunks to write in order (header, newline, body pieces), without joining them."""
    body: list[Any] = [b"{"]
    pos = 1
    sections: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for i, (name, table) in enumerate(tables.items()):
        key = (b"," if i else b"") + orjson.dumps(name) + b":"
        body.append(key)
        pos += len(key)
        start = pos
        for chunk in (table.chunks() if isinstance(table, RawTable) else [orjson.dumps(table)]):
            body.append(chunk)
            pos += len(chunk)
        sections[name] = [start, pos]
        counts[name] = len(table)
    body.append(b"}")
    pos += 1
    crc = 0
    for chunk in body:
        crc = zlib.crc32(chunk, crc)
    header = orjson.dumps({
        "format": FORMAT, "schema": SCHEMA_VERSION, "last_seq": last_seq,
        "crc32": crc, "length": pos, "sections": sections, "counts": counts,
    })
    return [header, b"\n", *body]


class SnapshotInfo:
    __slots__ = ("schema", "last_seq", "tables", "legacy")

    def __init__(self, schema: int, last_seq: int, tables: dict, legacy: bool = False):
        self.schema, self.last_seq, self.tables, self.legacy = schema, last_seq, tables, legacy


def _sections(header: dict, body: memoryview) -> list[tuple[str, int, int]] | None:
    """The header's table offsets, if they describe ``body`` exactly ({"name":{..},"name":{..}}), else None."""
    sections = header.get("sections")
    if not isinstance(sections, dict) or not sections:
        return None
    out = []
    pos = 1
    if body[:1] != b"{":
        return None
    for i, (name, span) in enumerate(sections.items()):
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
            return None
        start, end = span
        key = (b"," if i else b"") + orjson.dumps(name) + b":"
        if start != pos + len(key) or body[pos:start] != key or end < start + 2:
            return None
        if body[start:start + 1] != b"{" or body[end - 1:end] != b"}":
            return None
        out.append((name, start, end))
        pos = end
    if pos != len(body) - 1 or body[pos:] != b"}":
        return None
    return out


def _parse_table(data: Any, path: Path) -> dict:
    try:
        table = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path} is damaged: {exc}") from None
    if not isinstance(table, dict):
        raise StoreCorrupt(f"{path} is damaged: the tables are not a JSON object")
    return table


def decode_snapshot(raw: bytes, path: Path, lazy: Iterable[str] = ()) -> SnapshotInfo:
    """Parse a snapshot, refusing anything damaged, unknown or from a newer version.

    Tables named in ``lazy`` come back as RawTable (checked, not parsed) when
    the header locates them; every other table is parsed.
    """
    if not raw or raw.isspace():  # (not raw.strip(): that would copy the whole file)
        raise StoreCorrupt(f"{path} is empty")
    newline = raw.find(b"\n")
    head = raw[:newline] if newline >= 0 else raw
    try:
        header = orjson.loads(head)
    except orjson.JSONDecodeError:
        header = None
    if isinstance(header, dict) and header.get("format") == FORMAT:
        schema = header.get("schema")
        if not isinstance(schema, int):
            raise StoreCorrupt(f"{path} has no schema version in its header")
        if schema > SCHEMA_VERSION:
            raise StoreTooNew(
                f"{path} was written by a newer safeguard-tracker (schema {schema}; this version reads up to "
                f"{SCHEMA_VERSION}); upgrade safeguard-tracker to open it"
            )
        body = memoryview(raw)[newline + 1:]  # no copy of what may be hundreds of megabytes
        if len(body) != header.get("length") or zlib.crc32(body) != header.get("crc32"):
            raise StoreCorrupt(
                f"{path} is damaged: its contents do not match the checksum in its header "
                f"({len(body)} bytes where {header.get('length')} were written)"
            )
        lazy = set(lazy)
        sections = _sections(header, body) if lazy else None
        counts = header.get("counts") if isinstance(header.get("counts"), dict) else {}
        with gc_paused():
            if sections is None:
                tables = _parse_table(body, path)
            else:
                tables = {}
                for name, start, end in sections:
                    if name in lazy and isinstance(counts.get(name), int):
                        tables[name] = RawTable(bytes(body[start:end]), counts[name])
                    else:
                        tables[name] = _parse_table(body[start:end], path)
        return SnapshotInfo(schema, int(header.get("last_seq", 0)), tables)
    # Schema 0: a plain TinyDB JSON file ({table: {doc_id: doc}}), as an early prototype wrote it.
    try:
        with gc_paused():
            tables = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path} is not a safeguard-tracker store and not JSON: {exc}") from None
    if not isinstance(tables, dict) or not all(isinstance(v, dict) for v in tables.values()):
        raise StoreCorrupt(f"{path} is not a safeguard-tracker store: expected a JSON object of tables")
    return SnapshotInfo(0, 0, tables, legacy=True)


def encode_entry(entry: dict) -> bytes:
    body = orjson.dumps(entry)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def iter_journal(raw: bytes, path: Path, start: int = 0) -> Iterator[tuple[dict, int]]:
    """Yield (entry, end offset) for each complete, intact line from ``start``.

    A torn last line (no newline) is an unacknowledged write and is skipped; a
    complete line that fails its checksum raises StoreCorrupt.
    """
    pos = start
    size = len(raw)
    view = memoryview(raw)  # slices without copies: an import is one line of many megabytes
    while pos < size:
        end = raw.find(b"\n", pos)
        if end < 0:
            return  # torn tail: a write that was never acknowledged
        line = view[pos:end]
        entry = None
        if len(line) > 9 and line[8:9] == b" ":
            body = line[9:]
            try:
                if int(bytes(line[:8]), 16) == zlib.crc32(body):
                    with gc_paused():
                        entry = orjson.loads(body)
            except (ValueError, orjson.JSONDecodeError):
                entry = None
        if entry is None:
            raise StoreCorrupt(f"{path} is damaged at byte {pos}: a journal line fails its checksum")
        yield entry, end + 1
        pos = end + 1
