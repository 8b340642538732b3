"""The on-disk format: a checksummed snapshot plus an append-only journal.

Snapshot (``store.json``)::

    {"format":"safeguard-tracker","schema":1,"last_seq":N,"crc32":C,"length":L}\n
    <L bytes: the tables as JSON, in TinyDB's layout {table: {key: doc}}>

Journal (``store.json.journal``), one committed transaction a line::

    <crc32 as 8 hex digits> <JSON: {"seq":..,"at":..,"user":..,"puts":[[table,key,doc]..],"audit":[..]}>\n

The checksums catch a flipped byte.  A last line without its newline is a
write that was never acknowledged (a kill mid-append) and is ignored (the next writer cuts it off).  A complete line that fails its
checksum is corruption, and the store is refused.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Iterator

import orjson

from ..errors import StoreCorrupt, StoreTooNew

FORMAT = "safeguard-tracker"
SCHEMA_VERSION = 1
TABLES = ("contacts", "reviews", "actions", "audit", "access_log", "settings")


def empty_tables() -> dict[str, dict]:
    return {t: {} for t in TABLES}


def encode_snapshot(tables: dict[str, dict], last_seq: int) -> list[bytes]:
    body = orjson.dumps(tables)
    header = orjson.dumps({
        "format": FORMAT, "schema": SCHEMA_VERSION, "last_seq": last_seq,
        "crc32": zlib.crc32(body), "length": len(body),
    })
    return [header, b"\n", body]


class SnapshotInfo:
    __slots__ = ("schema", "last_seq", "tables", "legacy")

    def __init__(self, schema: int, last_seq: int, tables: dict, legacy: bool = False):
        self.schema, self.last_seq, self.tables, self.legacy = schema, last_seq, tables, legacy


def decode_snapshot(raw: bytes, path: Path) -> SnapshotInfo:
    """Parse a snapshot, refusing anything damaged, unknown or from a newer version."""
    if not raw.strip():
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
        body = raw[newline + 1:]
        if len(body) != header.get("length") or zlib.crc32(body) != header.get("crc32"):
            raise StoreCorrupt(
                f"{path} is damaged: its contents do not match the checksum in its header "
                f"({len(body)} bytes where {header.get('length')} were written)"
            )
        try:
            tables = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{path} is damaged: {exc}") from None
        if not isinstance(tables, dict):
            raise StoreCorrupt(f"{path} is damaged: the tables are not a JSON object")
        return SnapshotInfo(schema, int(header.get("last_seq", 0)), tables)
    # Schema 0: a plain TinyDB JSON file ({table: {doc_id: doc}}), as an early prototype wrote it.
    try:
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
    while pos < size:
        end = raw.find(b"\n", pos)
        if end < 0:
            return  # torn tail: a write that was never acknowledged
        line = raw[pos:end]
        entry = None
        if len(line) > 9 and line[8:9] == b" ":
            body = line[9:]
            try:
                if int(line[:8], 16) == zlib.crc32(body):
                    entry = orjson.loads(body)
            except (ValueError, orjson.JSONDecodeError):
                entry = None
        if entry is None:
            raise StoreCorrupt(f"{path} is damaged at byte {pos}: a journal line fails its checksum")
        yield entry, end + 1
        pos = end + 1
