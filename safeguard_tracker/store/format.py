"""The on-disk format: a checksummed snapshot plus an append-only journal.

Snapshot (``store.json``)::

    {"format":"safeguard-tracker","schema":1,"last_seq":N,"crc32":C,"length":L,
     "sections":{"contacts":[start,end],...},"counts":{"contacts":n,...},
     "journal":"<id>","prev":"<id or marker>","issued":{"L-2018-":42,"A-":6}}\n
    <L bytes: the tables as JSON, in TinyDB's layout {table: {key: doc}}>

The body is one JSON object (``orjson.loads`` reads it whole), and the header
says where each table's object starts and ends in it.  So opening parses the
record tables only and keeps the audit trail -- as large as every record put
together, and read only for history, ``check`` and redaction -- as bytes until
it is first needed.  ``sections`` and ``counts`` are optional: a snapshot
without them is parsed whole.

``journal`` names the journal that continues this snapshot (a new random id
whenever a snapshot is written), so a missing, foreign or swapped journal is
recognised instead of being read as "no changes".  ``prev`` says whether that
journal has been started.  A snapshot is written with its journal not started
(``prev`` names the journal it replaced, or is ``UNNAMED_PREV``), and holds every
transaction there is: whatever journal is on disk then (empty, missing, or the
replaced one, which a crash may have left) has nothing to add.  Then the new
journal's header is written and ``prev`` overwritten in place with dashes,
fsynced (the field is fixed width, and the checksum covers the body only).
Where that did not happen (a crash, a full disk, or a new store, whose journal
is made by its first transaction) the next transaction does it before it
appends. From then on the journal must be there, with its header. ``issued`` is
the highest number ever issued for each reference prefix, so a reference is
never issued twice, even after a restore. A snapshot without ``journal`` (as
earlier versions wrote) is read as before and upgraded at its first writable open.

Journal (``store.json.journal``), one committed transaction a line, after a header line::

    <crc32 as 8 hex digits> {"seq":0,"journal":"<id>","after":N,"hwm":"<16 digits>"}\n
    <crc32 as 8 hex digits> <JSON: {"seq":..,"at":..,"user":..,"puts":[[table,key,doc]..],"audit":[..]}>\n

The header says which snapshot the journal continues (its id and last
transaction number) and how far it has been acknowledged: ``hwm`` is rewritten
in place (same width, new checksum) after each appended line is fsynced, so it
can lag behind the lines after a power cut but never run ahead of them, and a
journal cut back at a line boundary is recognised.  The header is itself a
valid line with transaction number 0, which every reader skips.

The checksums catch a flipped byte.  A last line without its newline is a
write that was never acknowledged (a kill mid-append) and is ignored (the next
writer cuts it off).  A complete line that fails its checksum is corruption,
and the store is refused.  A line or table whose checksum is right but whose
contents are not well formed is refused too (see shapes.py).
"""

from __future__ import annotations

import secrets
import zlib
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Optional

import orjson

from ..errors import StoreCorrupt, StoreTooNew
from .gc_pause import gc_paused
from .protocol import Doc
from .shapes import StoreMalformed, check_entry, check_table, check_tables, describe

FORMAT = "safeguard-tracker"
SCHEMA_VERSION = 2
# 0: a plain TinyDB file (an early prototype), migrated record by record (migration.py).
# 1: the audit trail held a changed list whole, old and new; read as it is, shrunk at the first writable open.
# 2: a changed list is audited item by item (item_changes.py).
TRAIL_ITEMS_SCHEMA = 2
TABLES = ("contacts", "reviews", "actions", "audit", "access_log", "settings")

ID_WIDTH = 32
NO_PREV = "-" * ID_WIDTH                                 # the snapshot's own journal has been started
UNNAMED_PREV = "not-started-unnamed".ljust(ID_WIDTH, "-")  # not started; no journal, or one without an id, before it
HWM_WIDTH = 16


def empty_tables() -> dict[str, dict[str, Doc]]:
    return {t: {} for t in TABLES}


class RawTable:
    """A table kept as the JSON bytes of its object until it is first needed.

    New entries go to ``extra`` (keys continue the numbering), so the table
    can grow and be written into the next snapshot without ever being parsed.
    """

    __slots__ = ("raw", "count", "extra", "name")

    def __init__(self, raw: bytes, count: int, name: Optional[str] = None):
        self.raw = raw
        self.count = count
        self.extra: dict[str, Any] = {}
        self.name = name      # the table's name: its entries are checked when it is parsed

    def __len__(self) -> int:
        return self.count + len(self.extra)

    def add(self, key: str, doc: Any) -> None:
        self.extra[key] = doc

    def with_extra(self, more: dict[str, Any]) -> "RawTable":
        """A copy with ``more`` entries added; this one is left as it was."""
        copy = RawTable(self.raw, self.count, self.name)
        copy.extra = {**self.extra, **more}
        return copy

    def load(self, path: Path) -> dict[str, Any]:
        try:
            with gc_paused():
                table = orjson.loads(self.raw)
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(f"{path} is damaged: {exc}") from None
        if not isinstance(table, dict) or len(table) != self.count:
            raise StoreCorrupt(f"{path} is damaged: a table does not hold the {self.count} entries its header names")
        if self.name is not None:
            check_table(path, self.name, table)
        table.update(self.extra)
        return table

    def chunks(self) -> list[Any]:
        if not self.extra:
            return [self.raw]
        more = memoryview(orjson.dumps(self.extra))[1:-1]     # (views: an import's entries are 100+ MB)
        return [memoryview(self.raw)[:-1], b"," if self.count else b"", more, b"}"]


def new_journal_id() -> str:
    return secrets.token_hex(ID_WIDTH // 2)


def encode_snapshot(tables: dict[str, Any], last_seq: int, *, journal_id: Optional[str] = None,
                    prev_journal: str = NO_PREV, issued: Optional[Mapping[str, int]] = None,
                    schema: int = SCHEMA_VERSION) -> list[Any]:
    """The snapshot as chunks to write in order (header, newline, body pieces), without joining them.

    Without ``journal_id`` the header names no journal: a copy (a scrubbed
    backup) that no journal continues.  ``schema`` is given only to keep an
    older copy's label (a copy taken before an upgrade, a scrubbed old backup).
    """
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
    fields: dict[str, Any] = {
        "format": FORMAT, "schema": schema, "last_seq": last_seq,
        "crc32": crc, "length": pos, "sections": sections, "counts": counts,
    }
    if journal_id is not None:
        fields.update(journal=journal_id, prev=prev_journal)
    if issued:
        fields["issued"] = dict(issued)
    return [orjson.dumps(fields), b"\n", *body]


def prev_field_offset(header: bytes) -> Optional[int]:
    """Where the fixed-width ``prev`` value starts in a snapshot's header line (to overwrite it in place)."""
    at = header.find(b'"prev":"')
    return None if at < 0 else at + len(b'"prev":"')


class SnapshotInfo:
    __slots__ = ("schema", "last_seq", "tables", "legacy", "journal_id", "prev_journal", "issued")

    def __init__(self, schema: int, last_seq: int, tables: dict[str, Any], legacy: bool = False,
                 journal_id: Optional[str] = None, prev_journal: str = NO_PREV,
                 issued: Optional[dict[str, int]] = None):
        self.schema, self.last_seq, self.tables, self.legacy = schema, last_seq, tables, legacy
        self.journal_id, self.prev_journal = journal_id, prev_journal
        self.issued = issued or {}


def _identity(header: dict[str, Any], path: Path) -> tuple[Optional[str], str, dict[str, int]]:
    """The header's journal id, previous journal and issued numbers, refusing values of the wrong shape."""
    journal_id = header.get("journal")
    prev = header.get("prev", NO_PREV)
    issued = header.get("issued", {})
    if journal_id is not None and not (isinstance(journal_id, str) and len(journal_id) == ID_WIDTH):
        raise StoreMalformed(f"{path} is not a sound store: its header's journal id is {describe(journal_id)}, "
                             f"where {ID_WIDTH} hexadecimal digits are expected")
    if not (isinstance(prev, str) and len(prev) == ID_WIDTH):
        raise StoreMalformed(f"{path} is not a sound store: its header's previous journal is {describe(prev)}, "
                             f"where {ID_WIDTH} characters are expected")
    if not (isinstance(issued, dict) and all(isinstance(k, str) and type(v) is int for k, v in issued.items())):
        raise StoreMalformed(f"{path} is not a sound store: its header's issued references are {describe(issued)}, "
                             f"where an object of reference prefixes and numbers is expected")
    return journal_id, prev, issued


def read_header(raw: bytes) -> Optional[dict[str, Any]]:
    """A snapshot's header line, parsed, if the file has one (its body may still be damaged)."""
    newline = raw.find(b"\n")
    try:
        header = orjson.loads(raw[:newline] if newline >= 0 else raw)
    except orjson.JSONDecodeError:
        return None
    return header if isinstance(header, dict) and header.get("format") == FORMAT else None


def _sections(header: dict[str, Any], body: memoryview) -> list[tuple[str, int, int]] | None:
    """The header's table offsets, if they describe ``body`` exactly ({"name":{..},"name":{..}}), else None."""
    sections = header.get("sections")
    if not isinstance(sections, dict) or not sections:
        return None
    out = []
    pos = 1
    if bytes(body[:1]) != b"{":   # (bytes(): a memoryview compares with bytes by content, but mypy sees no overlap)
        return None
    for i, (name, span) in enumerate(sections.items()):
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)):
            return None
        start, end = span
        key = (b"," if i else b"") + orjson.dumps(name) + b":"
        if start != pos + len(key) or bytes(body[pos:start]) != key or end < start + 2:
            return None
        if bytes(body[start:start + 1]) != b"{" or bytes(body[end - 1:end]) != b"}":
            return None
        out.append((name, start, end))
        pos = end
    if pos != len(body) - 1 or bytes(body[pos:]) != b"}":
        return None
    return out


def _parse_table(data: Any, path: Path) -> dict[str, Any]:
    try:
        table = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path} is damaged: {exc}") from None
    if not isinstance(table, dict):
        raise StoreCorrupt(f"{path} is damaged: the tables are not a JSON object")
    return table


def decode_snapshot(raw: bytes, path: Path, lazy: Iterable[str] = (), check: bool = False) -> SnapshotInfo:
    """Parse a snapshot, refusing anything damaged, unknown or from a newer version.

    Tables named in ``lazy`` come back as RawTable (checked, not parsed) when
    the header locates them; every other table is parsed.  With ``check``
    (the store's own reads) every table must be well formed (shapes.py): the
    parsed ones now, the raw ones when they are parsed.
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
        last_seq = header.get("last_seq", 0)
        if type(last_seq) is not int or last_seq < 0:
            raise StoreMalformed(f"{path} is not a sound store: its header's last transaction number is "
                                 f"{describe(last_seq)}, where a whole number is expected")
        journal_id, prev, issued = _identity(header, path)
        lazy = set(lazy)
        sections = _sections(header, body) if lazy else None
        counts = header.get("counts")
        if not isinstance(counts, dict):
            counts = {}
        raw_tables = set()
        with gc_paused():
            if sections is None:
                tables = _parse_table(body, path)
            else:
                tables = {}
                for name, start, end in sections:
                    if name in lazy and isinstance(counts.get(name), int):
                        tables[name] = RawTable(bytes(body[start:end]), counts[name], name if check else None)
                        raw_tables.add(name)
                    else:
                        tables[name] = _parse_table(body[start:end], path)
        if check:
            check_tables(path, tables, skip=tuple(raw_tables))
        return SnapshotInfo(schema, last_seq, tables, journal_id=journal_id, prev_journal=prev, issued=issued)
    # Schema 0: a plain TinyDB JSON file ({table: {doc_id: doc}}), as an early prototype wrote it.
    try:
        with gc_paused():
            tables = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(f"{path} is not a safeguard-tracker store and not JSON: {exc}") from None
    if not isinstance(tables, dict):
        raise StoreMalformed(f"{path} is not a safeguard-tracker store: expected a JSON object of tables")
    for name, docs in tables.items():
        if not isinstance(docs, dict):
            raise StoreMalformed(f"{path} is not a safeguard-tracker store: the table '{name}' is {describe(docs)}, "
                                 f"where an object of records is expected")
    return SnapshotInfo(0, 0, tables, legacy=True)


def encode_entry(entry: dict[str, Any]) -> bytes:
    body = orjson.dumps(entry)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


class JournalHeader:
    """The journal's first line: which snapshot it continues, and how far it has been acknowledged."""

    __slots__ = ("journal_id", "after", "hwm", "length")

    def __init__(self, journal_id: str, after: int, hwm: int, length: int):
        self.journal_id, self.after, self.hwm, self.length = journal_id, after, hwm, length


def encode_journal_header(journal_id: str, after: int, hwm: int) -> bytes:
    """The header line; for one journal it is always the same length, so it can be rewritten in place."""
    body = b'{"seq":0,"journal":"%s","after":%d,"hwm":"%0*d"}' % (journal_id.encode(), after, HWM_WIDTH, hwm)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def _parse_line(line: memoryview) -> Any:
    """A line's JSON if its checksum is right, else None."""
    if len(line) > 9 and line[8] == ord(" "):
        body = line[9:]
        try:
            if int(bytes(line[:8]), 16) == zlib.crc32(body):
                with gc_paused():
                    return orjson.loads(body)
        except (ValueError, orjson.JSONDecodeError):
            return None
    return None


def read_journal_header(raw: bytes, path: Path) -> Optional[JournalHeader]:
    """The header at the start of ``raw``, or None when the first line is not one (an older journal, or empty).

    A first line that fails its checksum is damage; a header of the wrong shape is refused.
    """
    end = raw.find(b"\n")
    if end < 0:
        return None            # empty, or a single torn line: no header was ever completed
    entry = _parse_line(memoryview(raw)[:end])
    if entry is None:
        raise StoreCorrupt(f"{path} is damaged at byte 0: a journal line fails its checksum")
    if not isinstance(entry, dict) or "journal" not in entry:
        return None
    journal_id, after, hwm = entry.get("journal"), entry.get("after"), entry.get("hwm")
    if not (isinstance(journal_id, str) and len(journal_id) == ID_WIDTH and type(after) is int and after >= 0
            and isinstance(hwm, str) and len(hwm) == HWM_WIDTH and hwm.isdigit() and entry.get("seq") == 0):
        raise StoreMalformed(f"{path} is not a sound journal: its first line names a journal but is not a "
                             f"well-formed header (id, transaction it continues from, acknowledged mark)")
    return JournalHeader(journal_id, after, int(hwm), end + 1)


def iter_journal(raw: bytes, path: Path, start: int = 0, base: int = 0) -> Iterator[tuple[dict[str, Any], int]]:
    """Yield (entry, end offset) for each complete, intact, well-formed line from ``start``.

    A torn last line (no newline) is an unacknowledged write and is skipped; a
    complete line that fails its checksum raises StoreCorrupt, one whose
    contents are not a well-formed transaction StoreMalformed.  ``base`` is
    where ``raw`` starts in the file, for the byte offsets in messages.
    """
    for pos, end, entry in iter_lines(raw, start):
        if entry is None:
            raise StoreCorrupt(f"{path} is damaged at byte {base + pos}: a journal line fails its checksum")
        check_entry(path, entry, base + pos)
        yield entry, end


def iter_lines(raw: bytes, start: int = 0) -> Iterator[tuple[int, int, Any]]:
    """Yield (start, end offset, parsed JSON or None when the checksum fails) for each complete line.

    Used as is to salvage what can be read from a damaged journal.
    """
    pos = start
    size = len(raw)
    view = memoryview(raw)  # slices without copies: an import is one line of many megabytes
    while pos < size:
        end = raw.find(b"\n", pos)
        if end < 0:
            return  # torn tail: a write that was never acknowledged
        yield pos, end + 1, _parse_line(view[pos:end])
        pos = end + 1
