"""Moving a whole store between a file and a PostgreSQL database, either way, losing nothing.

Every record with its revision, the audit trail (entry for entry, numbered as before), the access
log, the settings (and so the council's lists), the transaction count and the highest reference
numbers issued are carried.  The copy is then opened afresh and compared with the source byte for
byte (``whole_bytes``), and checked; a copy that differs is reported and left for inspection, and
the source is never changed, apart from one access-log line saying that it was copied, and where to.

The target must be new: a file path where no store is, or a database with no store in it (its
schema is created if it has none).  Nothing is ever merged or written over.
"""

from __future__ import annotations

import hashlib
from typing import Any, Optional

import attrs
import orjson

from ..errors import StoreError
from ..progress import NO_PROGRESS, Progress
from .format import TABLES
from .check import RECORD_TABLES
from .issued import issued_in_keys, merge_issued
from .protocol import Doc, Store

DOCUMENT_TABLES = (*RECORD_TABLES, "settings")


@attrs.frozen
class Moved:
    """What a move carried, and the proof that both sides hold the same."""
    source: str
    target: str
    counts: dict[str, int]          # table -> rows carried
    last_seq: int
    digest: str                     # sha256 of ``whole_bytes``, equal on both sides
    problems: tuple[str, ...]       # the copy's ``check``: empty when sound

    def describe(self) -> str:
        c = self.counts
        return (f"copied {self.source} to {self.target}: {c['contacts']:,} contacts, {c['reviews']:,} reviews, "
                f"{c['actions']:,} actions, {c['settings']:,} settings document(s), {c['audit']:,} audit entries, "
                f"{c['access_log']:,} access-log entries, {self.last_seq:,} transactions; both hold the same "
                f"(sha256 {self.digest[:16]}) and the copy is sound")


def whole_tables(store: Store) -> dict[str, dict[str, Doc]]:
    """Every table of ``store`` whole, in the file format's order (the audit trail and the access log included)."""
    return {t: dict(store.all(t)) for t in TABLES}


def whole_bytes(store: Store) -> bytes:
    """The whole store as canonical bytes: equal for two stores that hold the same, whatever their kind.

    Tables, records, trail entries and every document's fields keep their order (a council's extra
    columns are in the order they came in); only ``_rev``, which each store places itself, is put last.
    """
    def canonical(doc: Doc) -> Doc:
        if "_rev" not in doc:
            return doc
        out = {k: v for k, v in doc.items() if k != "_rev"}
        out["_rev"] = doc["_rev"]
        return out
    tables = {t: {k: canonical(d) for k, d in (_renumbered(docs) if t in ("audit", "access_log") else docs).items()}
              for t, docs in whole_tables(store).items()}
    issued = issued_with_keys(store.issued_numbers(), tables)
    return orjson.dumps({"last_seq": store.last_seq, "issued": dict(sorted(issued.items())), "tables": tables})


def issued_with_keys(issued: dict[str, int], tables: dict[str, dict[str, Doc]]) -> dict[str, int]:
    """The numbers issued, as the records' own keys raise them too.  A file store counts its keys in only when it
    next writes its snapshot (as opening one that holds a redacted record does), and its count can lag its
    records; in a region each writer sees only its own authority's records, so the count carried is all that
    keeps the others' numbers issued."""
    return merge_issued(issued, issued_in_keys(k for t in RECORD_TABLES for k in tables[t]))


def move_store(source: str, target: str, *, user: Optional[str] = None, progress: Progress = NO_PROGRESS,
               authority: Optional[str] = None) -> Moved:
    """Copy the store at ``source`` to the new store ``target`` (each a file path or a ``postgresql://`` URL).
    ``authority``: of a server store holding several authorities, the one to copy; into a server store, the
    authority the records take there."""
    from .opening import open_location
    from .postgres import is_server_url, redacted_url
    if not is_server_url(source) and not _path_exists(source):
        raise StoreError(f"--from: {source} does not exist")
    if is_server_url(source) == is_server_url(target) and str(source).strip() == str(target).strip():
        raise StoreError("--from and --to name the same store")
    shown_target = redacted_url(target) if is_server_url(target) else _full_path(target)
    _refuse_unless_new(target, authority if is_server_url(target) and not is_server_url(source) else None)
    src = open_location(source, user=user, authority=authority if is_server_url(source) else None)
    try:
        problem = getattr(src, "copy_problem", lambda: None)()
        if problem:
            raise StoreError(f"{src.location}: {problem}")
        src.refresh()
        tables = whole_tables(src)
        if is_server_url(target):
            _refuse_what_the_server_cannot_keep(tables)
            _make_schema(target)     # (before the source's log says a copy was made: it may still be refused)
        with src.transaction() as txn:   # the copy holds every record: say so in the source's own log
            txn.log_access("store copied", detail="every record, the audit trail and the access log",
                           target=shown_target, records=sum(len(tables[t]) for t in DOCUMENT_TABLES))
        tables = whole_tables(src)
        expected = hashlib.sha256(whole_bytes(src)).hexdigest()     # (a digest: the bytes are the store's size)
        last_seq = src.last_seq
        issued = issued_with_keys(src.issued_numbers(), tables)
        where = src.location
    finally:
        src.close()
    del src                 # (a store of a million contacts is about 10 GB: never hold the source and the copy)
    counts = {t: len(tables[t]) for t in TABLES}
    tables = {t: (_renumbered(docs) if t in ("audit", "access_log") else docs) for t, docs in tables.items()}
    copy = _write_copy(target, tables, last_seq, issued, user, progress,
                       authority if is_server_url(target) and not is_server_url(source) else None)
    try:
        got = hashlib.sha256(whole_bytes(copy)).hexdigest()
        if got != expected:
            raise StoreError(f"the copy at {shown_target} does not hold exactly what {where} holds; it is left as "
                             f"it is for inspection, and {where} is unchanged")
        problems = tuple(copy.check(progress))
    finally:
        copy.close()
    return Moved(source=where, target=shown_target, counts=counts, last_seq=last_seq, digest=expected,
                 problems=problems)


def _refuse_unless_new(target: str, authority: Optional[str] = None) -> None:
    """Refuse a target that holds a store (or what is left of one): a move never merges or writes over.
    Before anything is written anywhere (the source's log included); so is an ``authority`` the target lacks."""
    from .postgres import is_server_url
    if is_server_url(target):
        from .postgres.connection import connect, redacted_url
        from .postgres.schema import database_version
        conn = connect(target)
        try:
            version = database_version(conn)
            if authority and (version is None or version < 3 or not conn.execute(
                    "SELECT 1 FROM st_authorities WHERE code = %s", (authority,)).fetchone()):
                raise StoreError(f"--authority {authority}: {redacted_url(target)} has no such authority yet: add it "
                                 f"first (safeguard-tracker --db URL admin authority add {authority} NAME)")
            if version is not None:
                held = conn.execute("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM reviews) + "
                                    "(SELECT count(*) FROM actions) + (SELECT count(*) FROM settings) + "
                                    "(SELECT last_seq FROM st_state)").fetchone()
                if held and held[0]:
                    raise StoreError(f"{redacted_url(target)} already holds a store: a store is moved only into an "
                                     f"empty database, so that nothing is mixed or written over")
        finally:
            conn.close()
        return
    from pathlib import Path
    from .file_store import FileStore
    import os
    path = Path(target).expanduser()
    if str(target).endswith(("/", os.sep)):
        raise StoreError(f"--to: {target} names a folder: give the new store's file name (such as "
                         f"{path / 'store.json'})")
    if path.is_symlink() and not path.exists():
        raise StoreError(f"--to: {path} is a link to {os.readlink(path)}, which does not exist: name the new file "
                         f"itself, not a link")
    if path.exists():
        raise StoreError(f"{path} already exists: a store is moved only to a new file, so that nothing is written "
                         f"over; choose another path")
    if not path.parent.exists():
        raise StoreError(f"--to: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StoreError(f"--to: the folder {path.parent} cannot be written by this user; nothing was written")
    FileStore(path).refuse_if_store_was_here()


def _full_path(target: str) -> str:
    """Where a file copy goes, as the access log says it: the full path, as an export's is."""
    from pathlib import Path
    return str(Path(target).expanduser().absolute())


def _refuse_what_the_server_cannot_keep(tables: dict[str, dict[str, Doc]]) -> None:
    """A record holding U+0000 (written before the store refused it) cannot go into PostgreSQL: say which, before
    anything is written anywhere."""
    from .transaction import nul_in
    for table, docs in tables.items():
        for key, doc in docs.items():
            found = nul_in(doc)
            if found is None and "\x00" not in key:
                continue
            field = found[0] if found else "key"
            shown = key.replace(chr(0), "?")
            if table in RECORD_TABLES:
                raise StoreError(f"{table} '{shown}' {field} holds the NUL character (U+0000), which PostgreSQL "
                                 f"cannot keep: remove it in the source (edit the field) and move again; nothing "
                                 f"was written")
            about = f" about {doc.get('ref')}" if isinstance(doc, dict) and doc.get("ref") else ""
            raise StoreError(f"the {table.replace('_', ' ')} entry {shown}{about} holds the NUL character (U+0000) in "
                             f"{field}, which PostgreSQL cannot keep, and an entry is never edited: redacting the "
                             f"record it is about (a closed contact) blanks it; otherwise this store stays a file "
                             f"store; nothing was written")


def _make_schema(target: str) -> None:
    """The current schema in an empty database (none, or an older one: ``_refuse_unless_new`` has seen it holds
    nothing), all or nothing, with the server's refusal (no CREATEROLE, say) in one line."""
    import psycopg
    from .postgres.connection import connect, redacted_url, server_error
    from .postgres.schema import apply_migrations
    where = redacted_url(target)
    conn = connect(target)
    try:
        apply_migrations(conn, where)
        conn.commit()
    except psycopg.Error as exc:
        raise server_error(exc, where, written="; nothing was written", url=target) from None
    finally:
        conn.close()


def _path_exists(path: str) -> bool:
    from pathlib import Path
    return Path(path).expanduser().exists()


def _renumbered(entries: dict[str, Doc]) -> dict[str, Doc]:
    """A trail's entries numbered 1, 2, 3... in their order: one authority's part of a server store's trail
    has gaps where the others' entries were, and a file store numbers its next entry after the count."""
    return {str(n): doc for n, doc in enumerate(entries.values(), start=1)}


def _write_copy(target: str, tables: dict[str, dict[str, Doc]], last_seq: int, issued: dict[str, int],
                user: Optional[str], progress: Progress, authority: Optional[str] = None) -> Any:
    from .postgres import is_server_url
    if is_server_url(target):
        from .postgres.store import PostgresStore     # (move_store has made the schema already)
        store = PostgresStore(target, user=user, authority=authority).open()
        try:
            store.load_whole(tables, last_seq, issued, progress)
        except BaseException:
            store.close()
            raise
        store.close()
        tables.clear()
        return PostgresStore(target, user=user).open()
    from pathlib import Path
    from .file_store import FileStore
    path = Path(target).expanduser()
    if not path.parent.exists():
        raise StoreError(f"--to: the folder {path.parent} does not exist")
    FileStore(path, user=user).create_from(tables, last_seq, issued)
    tables.clear()
    return FileStore(path, user=user).open()
