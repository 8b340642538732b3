"""The file store: records that are never lost, every change attributed.

Why one module of this size: ``FileStore`` is one state machine over five
files (snapshot, journal, lock, ledger, backups).  Opening, catching up,
committing, compacting and restoring all read and move the same private state
(the snapshot's identity, the journal's id, reach and torn tail, the issued
references), and each step's crash-safety argument depends on the others';
the pieces with their own state are apart (``transaction.py``, ``migration.py``,
``format.py``, ``files.py``, ``lockfile.py``, ``redaction.py``, ``shapes.py``).

Design (see README, "The store"):

* ``store.json`` is a checksummed snapshot in TinyDB's table layout.
* ``store.json.journal`` gets one fsynced line per committed transaction, so a
  save costs the size of the change, not the size of the store.
* Every so often (when the journal outgrows a quarter of the snapshot) the
  state is compacted into a new snapshot: temp file, fsync, ``os.replace``,
  fsync of the folder.  A copy goes to the rotating backups.  A transaction
  that would set off a compaction at once (an import) is written as the new
  snapshot directly, instead of as a journal line and then a snapshot.
* Opening parses the record tables only: the audit trail, as large as all the
  records, stays bytes until history, ``check`` or redaction need it (see
  format.py), and the cyclic GC is kept out of the parse.
* A write transaction holds ``store.json.lock`` (see lockfile.py), first catches up
  with what other processes committed, checks the revision each edit was based
  on, then appends.  Two users editing different records both keep their
  edits; an edit from a stale copy raises ConflictError.
* A file that cannot be read is never written: the store refuses to open and
  names the newest backup.  So is a journal that is missing, cut back, or
  belongs to another snapshot (the snapshot names its journal and the journal
  records how far it was acknowledged: see format.py), and a store that
  reaches fewer transactions than its newest backup (an older copy put back).
* The path is resolved once (symbolic links, ``..``), so every name of the
  store reaches one journal, one lock and one set of backups, and a link is
  never replaced by a file.  A data file with several hard links is refused:
  nothing can tell its names apart.
* A reference, once issued, is never issued again: the snapshot carries the
  highest number issued per prefix, and a restore keeps the highest of the
  state it replaces.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ..errors import StoreCorrupt, StoreError, StoreTooNew, StoreWriteError
from .files import FILE_MODE, append_durably, atomic_write, describe_os_error, rewrite_in_place
from .lockfile import LockFile, LockUnavailable
from ..signals import deferred_signals
from ..progress import NO_PROGRESS, Progress
from .check import check_store
from .migration import migrated_tables
from .protocol import Doc, Redacted, StoreFiles
from .redaction import Session, default_rules, finish_outstanding, session, take_finished
from .transaction import Transaction, default_user, redact_audit_values, substitute_audit_values
from .format import (NO_PREV, SCHEMA_VERSION, TABLES, TRAIL_ITEMS_SCHEMA, UNNAMED_PREV, RawTable, SnapshotInfo,
                     decode_snapshot, empty_tables, encode_entry, encode_journal_header, encode_snapshot,
                     iter_journal, iter_lines, new_journal_id, prev_field_offset, read_header, read_journal_header)
from .gc_pause import gc_paused
from .issued import issued_in_bytes, issued_in_keys, merge_issued
from .change_log import ChangeLog
from .item_changes import entries_by_record, patched, shrunk_audit
from .shapes import check_entry

KEEP_BACKUPS = 5
COMPACT_MIN_BYTES = 1 << 20
CHANGES_KEPT = 1_000_000    # changes remembered for changed_since; an index further behind is rebuilt
RECORD_TABLES = ("contacts", "reviews", "actions")


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} KB"


def _bytes_on_disk(*paths: Path) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def resolve_store_path(path: str | os.PathLike[str]) -> Path:
    """The real path of the store: symbolic links, ``..`` and ``~`` resolved, so each name reaches one store."""
    given = Path(path).expanduser()
    try:
        return given.resolve()
    except (OSError, RuntimeError) as exc:   # a loop of symbolic links
        raise StoreError(f"{given} cannot be resolved to a file ({exc}); check the symbolic links on the way to it "
                         f"and open the store by its real path; nothing was changed") from None


class RestoreReport:
    """What a restore did: the backup used, what it kept, what could not be kept."""

    def __init__(self, backup: Path):
        self.backup = backup
        self.kept_as: Optional[Path] = None         # the replaced state, kept as a backup
        self.damaged = False                        # the replaced state could not be read
        self.damaged_copies: list[Path] = []        # its files, copied aside
        self.replayed: list[int] = []               # journal transactions kept on top of the backup
        self.lost_from: Optional[int] = None        # the first transaction that could not be kept
        self.last_seq = 0

    def describe(self) -> str:
        parts = [f"restored from {self.backup.name}"]
        if self.replayed:
            parts.append(f"and kept {len(self.replayed)} later transaction(s) from the journal "
                         f"({self.replayed[0]} to {self.replayed[-1]})")
        if self.lost_from is not None:
            parts.append(f"; transactions from {self.lost_from} on could not be read and are not in the restored "
                         f"store")
        if self.kept_as is not None:
            parts.append(f"; the previous state was kept as the backup {self.kept_as.name}")
        if self.damaged_copies:
            parts.append(f"; the damaged files were kept in {self.damaged_copies[0].parent}")
        return " ".join(parts).replace(" ;", ";")


class FileStore:
    """One store file, safe to share between processes: the ``Store`` protocol on a local disk."""

    def __init__(self, path: str | os.PathLike[str], user: Optional[str] = None, lock_timeout: float = 15.0,
                 on_wait: Optional[Callable[[str], None]] = None, compact_min_bytes: int = COMPACT_MIN_BYTES,
                 progress: Optional[Callable[[str], None]] = None):
        self.path = resolve_store_path(path)
        self.journal_path = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.backup_dir = self.path.with_name(self.path.name + ".backups")
        self.user = user or default_user()
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self.progress = progress
        self.compact_min_bytes = compact_min_bytes
        self.warnings: list[str] = []
        self._tables: dict[str, Any] = empty_tables()   # the audit table may be a RawTable: see ``tables``
        self.last_seq = 0
        self.migrated_from: Optional[int] = None
        self.schema = SCHEMA_VERSION                # of the snapshot as read; older ones are upgraded when writable
        self._snap_id: Optional[tuple[int, int, int]] = None   # the snapshot's inode, size and mtime
        self._journal_end = 0
        self._journal_torn = False
        self.journal_id: Optional[str] = None      # the journal the snapshot names (None: an older, unnamed one)
        self._prev_journal = NO_PREV               # the journal it replaced, accepted only until its own is written
        self._journal_state = "legacy"             # legacy (unnamed) | unstarted | current: see _open_journal
        self._journal_ino: Optional[int] = None
        self._journal_after = 0                    # the transaction the journal continues from (its header)
        self._disk_journal = UNNAMED_PREV          # the journal file on disk: its id, or UNNAMED_PREV
        self._issued: dict[str, int] = {}          # the highest number issued per reference prefix
        self._history: Optional[dict[str, list[Doc]]] = None
        self._thread_lock = threading.RLock()
        self._lock = LockFile(self.lock_path, self.user)
        self.read_only: Optional[str] = None   # why the store cannot be changed (a read-only folder), else None
        self._lock_depth = 0
        self.listeners: list[Callable[[list[tuple[str, str]]], None]] = []
        # What changed, in order, for indexes kept up to date (``change_mark``/``changed_since``): every
        # (table, key) this store applied since its tables were last loaded whole (the generation).
        self._changes = ChangeLog(CHANGES_KEPT)

    # --- opening ---------------------------------------------------------------
    def open(self) -> "FileStore":
        if not self.path.parent.exists():
            raise StoreWriteError(f"the folder {self.path.parent} does not exist; create it or choose another --db path")
        with self.locked():
            if not self.path.exists():
                self._create()
            self._load_full()
            if self._lock_depth == 1 and not self.read_only and self.journal_id is None:
                self._upgrade_legacy()
            if self._lock_depth == 1 and not self.read_only and self.schema < TRAIL_ITEMS_SCHEMA:
                self._shrink_trail()
            finish_outstanding(self)  # an interrupted redaction, or a redacted record brought back by hand
            if self._lock_depth == 1 and not self.read_only:
                self._sweep_temp_files()
                self._daily_backup()
        self._check_mode()
        return self

    def _sweep_temp_files(self) -> None:
        """Remove temp files of writes that a kill -9 interrupted.

        Every atomic write of the store, its journal and its backups happens
        under the lock, so a temp file seen while we hold the lock is an orphan.
        """
        name = self.path.name  # mkstemp names: ".store.json." + 8 random characters + ".tmp"
        orphans = [*self.path.parent.glob(f".{name}.????????.tmp"), *self.path.parent.glob(f".{name}.journal.????????.tmp")]
        if self.backup_dir.is_dir():
            orphans += self.backup_dir.glob(".*.tmp")
        for p in orphans:
            try:
                p.unlink()
            except OSError:
                pass

    def _create(self) -> None:
        """A new, empty store: a snapshot whose journal is not started yet (see format.py).

        A journal or backups beside a missing snapshot mean the snapshot was
        lost, not that there was never a store: that is refused.
        """
        self.refuse_if_store_was_here()
        atomic_write(self.path, encode_snapshot(empty_tables(), 0, journal_id=new_journal_id(),
                                                prev_journal=self._journal_on_disk()))

    def create_from(self, tables: dict[str, dict[str, Doc]], last_seq: int, issued: dict[str, int]) -> None:
        """Write a new store holding ``tables`` whole (a store moved from a server); open it afterwards (not
        here: the caller lets go of ``tables`` first, since a large store held twice may not fit in memory).

        Refused where a store, or what is left of one, is already at the path: nothing is written over.
        """
        with self.locked():
            if self.path.exists():
                raise StoreWriteError(f"{self.path} already exists: a store is moved only to a new file, so that "
                                      f"nothing is written over; choose another path")
            self.refuse_if_store_was_here()
            ordered = {t: tables.get(t, {}) for t in TABLES}
            atomic_write(self.path, encode_snapshot(ordered, last_seq, journal_id=new_journal_id(),
                                                    prev_journal=self._journal_on_disk(), issued=issued))

    def refuse_if_store_was_here(self) -> None:
        """Refuse (StoreCorrupt, naming the way back) where the snapshot of an existing store has gone missing.

        Opening creates a missing store; this keeps it from creating an empty one
        over the journal or backups of a store whose file was lost.
        """
        evidence = None
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StoreCorrupt(f"{self.journal_path} cannot be read: {exc.strerror}") from None
        if raw:
            try:
                header = read_journal_header(raw, self.journal_path)
            except StoreCorrupt:
                header = None
            if header is None or header.after or header.hwm or len(raw) > header.length:
                evidence = f"its journal {self.journal_path} holds transactions"
        if evidence is None and self.newest_backup() is not None:
            evidence = f"backups of it are in {self.backup_dir}"
        if evidence is not None:
            raise self._refuse(StoreCorrupt(
                f"{self.path} is missing, but {evidence}: put the file back, or restore it, or move the journal "
                f"and backups away to start a new store there"))

    def _check_mode(self) -> None:
        for p in (self.path, self.journal_path):
            try:
                mode = p.stat().st_mode
            except FileNotFoundError:
                continue
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                self.warnings.append(
                    f"{p} can be read by other users (mode {stat.filemode(mode)}); "
                    f"it holds personal data: run `chmod 600 {p}`"
                )
        if self.backup_dir.is_dir():  # copies of the same personal data
            loose = []
            for p in (self.backup_dir, *self.backup_dir.rglob("*")):
                try:
                    if p.lstat().st_mode & (stat.S_IRWXG | stat.S_IRWXO) and not p.is_symlink():
                        loose.append(p)
                except OSError:
                    pass  # rotated away by another process meanwhile
            if loose:
                self.warnings.append(
                    f"{len(loose)} backup file(s) or folder(s) in {self.backup_dir} can be read by other users; "
                    f"they hold personal data: run `chmod -R go-rwx {self.backup_dir}`"
                )

    def _refuse(self, exc: StoreError) -> StoreError:
        newest = self.newest_backup()
        hint = (f"; the newest backup is {newest} (restore it with `safeguard-tracker restore --from-backup`)"
                if newest else "; there is no backup of it")
        return type(exc)(f"{exc}{hint}. The file has not been changed.")

    def _load_full(self) -> None:
        if self.progress:
            self.progress(f"reading {self.path.name}")
        try:
            with open(self.path, "rb") as fh:
                st = os.fstat(fh.fileno())
                self._refuse_hard_links(st, self.path)
                raw = fh.read()
        except OSError as exc:
            raise StoreCorrupt(f"{self.path} cannot be read: {exc.strerror}") from exc
        try:
            with gc_paused(freeze=True):
                info = decode_snapshot(raw, self.path, lazy=("audit",), check=True)
        except (StoreCorrupt, StoreTooNew) as exc:
            raise self._refuse(exc) from None
        del raw
        tables = info.tables
        if info.legacy or info.schema == 0:
            tables, info = self._migrate(info)
            st = os.stat(self.path)
        self.schema = info.schema
        for t in TABLES:
            tables.setdefault(t, {})
        self.tables = tables
        self.last_seq = info.last_seq
        self.journal_id, self._prev_journal = info.journal_id, info.prev_journal
        self._issued = dict(info.issued)
        self._snap_id = (st.st_ino, st.st_size, st.st_mtime_ns)
        self._journal_end = 0
        self._journal_ino = None
        self._history = None
        with gc_paused():
            self._open_journal()
            self._read_journal()
        self._refuse_if_behind_backups()

    @staticmethod
    def _refuse_hard_links(st: os.stat_result, path: Path) -> None:
        """A file with several names would be a second store under each other name: refuse it."""
        if st.st_nlink > 1:
            raise StoreError(
                f"{path} has {st.st_nlink} names (hard links), and the journal, lock and backups sit beside each "
                f"name, so another name would open it as a second store; open it by one name only: remove the "
                f"other links (`find / -samefile {path}` lists them), or use a copy (cp) instead of a link. "
                f"Nothing was changed.")

    def _open_journal(self) -> None:
        """Judge the journal on disk against the snapshot, and set where reading starts.

        * The snapshot names no journal (written by an earlier version): any
          journal without a header is read as before ("legacy").
        * Its journal is not started (``prev`` is not dashes): the snapshot
          holds every transaction, so a missing or empty journal, the journal
          it replaced, or lines it already holds, add nothing ("unstarted").
        * Its journal is started: it must be there, with this snapshot's id,
          continue from this snapshot, and reach its acknowledged mark ("current").

        Anything else (a journal missing, empty or cut back, or another
        snapshot's) is refused: the transactions it should hold would be lost.
        """
        path = self.journal_path
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise StoreError(f"{path} is a symbolic link; the journal must be a plain file beside {self.path.name} "
                                 f"(a link would be replaced by a file at the next compaction): replace the link with "
                                 f"the file it points to. Nothing was changed.")
            with open(path, "rb") as fh:
                st = os.fstat(fh.fileno())
                self._refuse_hard_links(st, path)
                head = fh.readline()
        except FileNotFoundError:
            self._disk_journal, st, head = UNNAMED_PREV, None, b""
        except OSError as exc:
            raise StoreCorrupt(f"{path} cannot be read: {exc.strerror}") from exc
        self._journal_ino = st.st_ino if st is not None else None
        try:
            header = read_journal_header(head, path)
        except StoreCorrupt as exc:
            raise self._refuse(exc) from None
        if st is not None:
            self._disk_journal = header.journal_id if header is not None else UNNAMED_PREV
        if self.journal_id is None:
            if header is not None:
                raise self._journal_refused(f"names journal {header.journal_id[:8]}, but {self.path.name} names none")
            self._journal_state = "legacy"
        elif header is not None and header.journal_id == self.journal_id:
            if header.after != self.last_seq:
                raise self._journal_refused(f"continues from transaction {header.after}, but {self.path.name} "
                                            f"holds transactions up to {self.last_seq}")
            self._journal_state = "current"
            self._journal_end, self._journal_after = header.length, header.after
        elif self._prev_journal == NO_PREV:
            if st is None:
                raise self._journal_refused("is missing")
            raise self._journal_refused("is empty" if not head else "has no header" if header is None else
                                        f"belongs to another snapshot (journal {header.journal_id[:8]})")
        elif header is None and self._holds_nothing_new():
            self._journal_state = "unstarted"
            self._journal_end = st.st_size if st is not None else 0
        elif header is not None and header.journal_id == self._prev_journal:
            self._journal_state = "unstarted"       # the journal this snapshot replaced (a crash between the two)
            assert st is not None                    # (a header was read from it)
            self._journal_end = st.st_size
        else:
            raise self._journal_refused("belongs to another snapshot" + (
                f" (journal {header.journal_id[:8]})" if header is not None else ""))

    def _holds_nothing_new(self) -> bool:
        """Every line of the unnamed journal on disk (if any) is already in the snapshot."""
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return all(isinstance(e, dict) and type(e.get("seq")) is int and e["seq"] <= self.last_seq
                   for _, _, e in iter_lines(raw))

    def _journal_refused(self, what: str) -> StoreError:
        """Refuse, saying what is wrong with the journal and the ways back."""
        if self.journal_id is None:
            why = f"it is not the journal of {self.path.name}"
        else:
            why = (f"{self.path.name} names journal {self.journal_id[:8]}, which holds every transaction after "
                   f"{self.last_seq}, and without it they would be lost; put that journal back beside "
                   f"{self.path.name} if you have it")
        return self._refuse(StoreCorrupt(f"the journal {self.journal_path} {what}: {why}"))

    def _read_journal(self) -> list[tuple[str, str]]:
        if self._journal_state == "unstarted":
            return []
        try:
            with open(self.journal_path, "rb") as fh:
                fh.seek(self._journal_end)
                raw = fh.read()
                head = b""
                if self._journal_state == "current":
                    fh.seek(0)
                    head = fh.readline()
        except FileNotFoundError:
            if self._journal_state == "current":
                raise self._journal_refused("has disappeared") from None
            self._journal_torn = False
            return []
        changed: list[tuple[str, str]] = []
        end = 0
        strict = self._journal_state == "current"
        try:
            for entry, end in iter_journal(raw, self.journal_path, base=self._journal_end):
                seq = entry.get("seq", 0)
                if seq <= self.last_seq and not strict:
                    continue  # already in the snapshot (a crash between compaction steps)
                if seq != self.last_seq + 1:
                    raise StoreCorrupt(f"{self.journal_path} skips from transaction {self.last_seq} to {seq}")
                changed.extend(self._apply(entry))
            if strict:
                self._refuse_if_cut_back(head)
        except StoreCorrupt as exc:
            raise self._refuse(exc) from None
        self._journal_end += end
        self._journal_torn = end < len(raw)
        return changed

    def _refuse_if_cut_back(self, head: bytes) -> None:
        """The header's mark is written only after the line it names is durable: fewer lines mean lost lines."""
        header = read_journal_header(head, self.journal_path)
        if header is None or header.journal_id != self.journal_id:
            raise StoreCorrupt(f"the header of {self.journal_path} was changed while the store was open")
        if self.last_seq < header.hwm:
            raise StoreCorrupt(
                f"the journal {self.journal_path} was cut back: it holds transactions up to {self.last_seq}, but "
                f"transaction {header.hwm} was saved and acknowledged, so the later ones are lost")

    def _refuse_if_behind_backups(self) -> None:
        """A store that reaches fewer transactions than one of its backups was replaced by an older copy."""
        newest = self._backup_reach()
        if newest is not None and newest[0] > self.last_seq:
            raise self._refuse(StoreCorrupt(
                f"{self.path} and its journal reach transaction {self.last_seq}, but the backup {newest[1].name} "
                f"holds transaction {newest[0]}: an older copy of the store was put back, or transactions were lost"))

    def _backup_reach(self) -> Optional[tuple[int, Path]]:
        """The highest transaction number among the rotating backups' names, and that backup."""
        best: Optional[tuple[int, Path]] = None
        suffix = self.path.suffix
        for p in self.backups():
            name = p.name[:-len(suffix)] if suffix and p.name.endswith(suffix) else p.name
            head, sep, seq = name.rpartition("-seq")
            if sep and seq.isdigit() and (best is None or int(seq) > best[0]):
                best = (int(seq), p)
        return best

    def _apply(self, entry: dict[str, Any]) -> list[tuple[str, str]]:
        changed = []
        tables = self._tables
        for table, key, doc in entry.get("puts", ()):
            tables.setdefault(table, {})[key] = doc
            changed.append((table, key))
        by_record = entries_by_record(entry.get("audit", ())) if entry.get("patches") else {}
        for table, key, rev in entry.get("patches", ()):
            entries = by_record.get((table, key), [])
            current = tables.get(table, {}).get(key)
            try:
                if current is None:
                    raise ValueError("the record is not in the store")
                tables[table][key] = patched(current, entries, rev)
            except ValueError as exc:
                raise StoreCorrupt(f"{self.journal_path}: transaction {entry['seq']} changes {table} '{key}' in a way "
                                   f"that does not fit the stored record ({exc})") from None
            changed.append((table, key))
        audit = tables["audit"]
        add = audit.add if isinstance(audit, RawTable) else audit.__setitem__
        n = len(audit)
        history = self._history
        for a in entry.get("audit", ()):
            n += 1
            a.setdefault("seq", entry["seq"])
            add(str(n), a)
            if history is not None:
                history.setdefault(a["ref"], []).append(a)
        access = tables["access_log"]
        for a in entry.get("access", ()):
            access[str(len(access) + 1)] = a
        for rw in entry.get("rewrites", ()):
            self._apply_rewrite(rw)
        self.last_seq = entry["seq"]
        self._changes.note(changed)
        return changed

    def _apply_rewrite(self, rw: dict[str, Any]) -> None:
        """A redaction's rewrite of one record's trail, by the table's rule (or, in an older line, by values)."""
        if "fields" in rw:
            substitute_audit_values(self.tables["audit"].values(), rw["ref"], rw["fields"])
            return
        rule = default_rules().get(rw["table"])
        if rule is None:
            raise StoreCorrupt(f"{self.journal_path} redacts a record of '{rw['table']}', a table this version "
                               f"cannot redact; use the version that wrote it")
        redact_audit_values(self.tables["audit"].values(), rw["ref"], rule.trail_value)

    def _migrate(self, info: SnapshotInfo) -> tuple[dict[str, dict[str, Doc]], SnapshotInfo]:
        """Bring an older file up to the current schema, after copying it to the backups.

        Every record is made into a valid record first (the model's own
        converter, which also normalises what it accepts, such as "3" for 3);
        one that cannot be is refused by table, key and field before anything
        is written.
        """
        tables = migrated_tables(info.tables, self.path, self.user)
        copy = self._backup_name(f"schema{info.schema}")
        shutil.copy2(self.path, copy)
        os.chmod(copy, FILE_MODE)
        journal_id = new_journal_id()
        issued = issued_in_keys(k for t in RECORD_TABLES for k in tables[t])
        atomic_write(self.journal_path, encode_journal_header(journal_id, 0, 0))
        atomic_write(self.path, encode_snapshot(tables, 0, journal_id=journal_id, issued=issued))
        self.migrated_from = info.schema
        self.warnings.append(f"{self.path} was upgraded from schema {info.schema} to {SCHEMA_VERSION}; "
                             f"the old file was copied to {copy}")
        return tables, SnapshotInfo(SCHEMA_VERSION, 0, tables, journal_id=journal_id, issued=issued)

    def _shrink_trail(self) -> None:
        """Upgrade a schema-1 trail, which held a changed list whole, to item entries, after copying the file.

        Each whole-list entry becomes the item entries that make the same
        change (``item_changes.item_entries``), so the trail replays to the
        same records; the file shrinks by the copies of earlier items.
        """
        before = _bytes_on_disk(self.path, self.journal_path)
        copy = self._backup_name(f"schema{self.schema}")
        # The copy is the whole state as read (snapshot and journal), in the old form and under the old
        # label, so that restoring it (or the old version opening it) loses nothing.
        atomic_write(copy, encode_snapshot(self.tables, self.last_seq, issued=self._issued, schema=self.schema))
        self._tables["audit"] = shrunk_audit(self.tables["audit"])
        self._history = None
        try:
            self.compact()
        except StoreWriteError as exc:
            self.warnings.append(f"{self.path} could not be upgraded to schema {SCHEMA_VERSION} yet ({exc}); "
                                 f"it is tried again when the store is next opened")
            return
        self.migrated_from, self.schema = self.schema, SCHEMA_VERSION
        after = _bytes_on_disk(self.path, self.journal_path)
        self.warnings.append(f"{self.path} was upgraded from schema {self.migrated_from} to {SCHEMA_VERSION}: its "
                             f"audit trail now records changes to lists item by item ({_size(before)} -> "
                             f"{_size(after)}); the old file was copied to {copy}")

    def _backup_name(self, label: str) -> Path:
        """Where a copy kept before an upgrade goes, in the backups folder."""
        self.backup_dir.mkdir(mode=0o700, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        return self.backup_dir / f"{self.path.stem}-{stamp}-{label}{self.path.suffix}"

    def _upgrade_legacy(self) -> None:
        """Give a store written before journals were named a named journal now, at its first writable open.

        Until then a journal cut back at a line boundary could not be told from
        one with fewer changes.  The references its audit trail names are kept
        as issued, in case a record was ever removed from the file by hand.
        """
        audit = self._tables.get("audit")
        raw = audit.raw if isinstance(audit, RawTable) else b""
        self._issued = merge_issued(self._issued, issued_in_bytes(raw))
        try:
            self.compact()
        except StoreWriteError as exc:
            self.warnings.append(f"{self.path} could not be upgraded to a named journal yet ({exc}); "
                                 f"it is tried again when the store is next opened")

    # --- locking and catching up --------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._thread_lock:
            if self._lock_depth == 0:
                self._acquire()
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
                if self._lock_depth == 0:
                    self._lock.release()

    def _acquire(self) -> None:
        """Take the lock, waiting (with a message) for a live holder; a dead holder's lock is already free.

        Where the lock file cannot be opened for writing (a read-only folder),
        the store stays readable and every write is refused by ``verify_writable``.
        """
        try:
            self._lock.acquire(self.lock_timeout, self.on_wait, what=str(self.path))
        except LockUnavailable as exc:
            self._note_read_only(str(exc))  # nobody can write here without the lock file: read unlocked
            return
        if self._lock.read_only_reason:
            self._note_read_only(self._lock.read_only_reason)
        else:
            self.read_only = None

    def _note_read_only(self, reason: str) -> None:
        if self.read_only is None:
            self.warnings.append(reason)
        self.read_only = reason

    def verify_writable(self) -> None:
        """Just before writing: refuse if read-only, or if the lock file was deleted under us."""
        if self.read_only:
            raise StoreWriteError(f"{self.read_only}; nothing was saved")
        self._lock.verify()

    def refresh(self) -> list[tuple[str, str]]:
        """Catch up with what other processes committed.  Returns the (table, key) pairs that changed."""
        with self.locked():
            return self._refresh_locked()

    def _refresh_locked(self) -> list[tuple[str, str]]:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise StoreCorrupt(f"{self.path} has disappeared") from None
        if (st.st_ino, st.st_size, st.st_mtime_ns) != self._snap_id:
            self._load_full()
            return [("*", "*")]
        try:
            jst: Optional[os.stat_result] = os.stat(self.journal_path)
        except FileNotFoundError:
            jst = None
        jsize = jst.st_size if jst is not None else 0
        if (jst.st_ino if jst is not None else None) != self._journal_ino or jsize < self._journal_end:
            self._load_full()    # replaced, removed or cut back: judged afresh (and refused if it must be)
            return [("*", "*")]
        changed = self._read_journal() if jsize > self._journal_end else []
        if changed:
            for listener in self.listeners:
                listener(changed)
        return changed

    # --- writing --------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Lock, catch up, stage edits; commit them as one durable write when the block ends."""
        with self.locked():
            self._refresh_locked()
            txn = Transaction(self)
            yield txn
            if not txn.empty:
                with deferred_signals():  # Ctrl+C or SIGTERM lands after the commit, not inside it
                    self._commit(txn)

    def _commit(self, txn: Transaction) -> None:
        self.verify_writable()
        if self._journal_state == "unstarted":
            self._start_journal(self.last_seq)
        elif self._journal_state == "current" and self._prev_journal != NO_PREV:
            self._revoke_prev()      # a crash fell between writing the journal's header and marking it started
        if self._journal_torn:
            self._cut_torn_tail()
        entry: dict[str, Any] = {
            "seq": self.last_seq + 1, "at": txn.at, "user": self.user,
            "puts": [[t, k, doc] for (t, k), doc in txn.puts.items()],
            "audit": txn.audit, "access": txn.access,
        }
        if txn.rewrites:
            entry["rewrites"] = txn.rewrites
        elif self._compaction_due_after(txn):
            self._commit_as_snapshot(entry)
            return
        if self.schema >= TRAIL_ITEMS_SCHEMA:
            self._as_patches(entry)
        line = encode_entry(entry)
        append_durably(self.journal_path, line)
        self._journal_end += len(line)
        self._apply(entry)
        self._mark_acknowledged(entry["seq"])
        if self._journal_end > max(self.compact_min_bytes, (self._snap_id[1] if self._snap_id else 0) // 4):
            try:
                self.compact()
            except StoreWriteError:
                pass  # the journal holds everything; compaction is retried on the next write

    def _as_patches(self, entry: dict[str, Any]) -> None:
        """Write a changed record as its audit entries ("patches") rather than whole, where they rebuild it.

        A note added to a long case file is then a line the size of the note,
        not of the file.  Each patch is checked before it is written: the
        stored record with this line's entries applied must equal the new
        record exactly, or the record is written whole, as a new one is.
        """
        by_record = entries_by_record(entry["audit"])
        puts, patches = [], []
        for table, key, doc in entry["puts"]:
            current = self._tables.get(table, {}).get(key)
            entries = by_record.get((table, key), ())
            if current is None or not entries or any(a["field"] == "*" for a in entries):
                puts.append([table, key, doc])
                continue
            try:
                rebuilt = patched(current, entries)
            except ValueError:
                rebuilt = None
            if rebuilt == doc:
                patches.append([table, key, doc["_rev"]])
            else:
                puts.append([table, key, doc])
        entry["puts"] = puts
        if patches:
            entry["patches"] = patches

    def _compaction_due_after(self, txn: Transaction) -> bool:
        """Would this transaction's journal line set off a compaction at once?  (A guess from its size.)

        An import of 100,000 contacts is one line of hundreds of megabytes: appending it and
        then folding it into a snapshot writes and encodes everything twice.
        """
        if len(txn.puts) < 1000:
            return False
        snapshot = self._snap_id[1] if self._snap_id else 0
        records = sum(len(self._tables[t]) for t in RECORD_TABLES)
        per_record = snapshot / records if records >= 100 else 2000
        return self._journal_end + len(txn.puts) * per_record > max(self.compact_min_bytes, snapshot // 4)

    def _commit_as_snapshot(self, entry: dict[str, Any]) -> None:
        """Commit a large transaction by writing the new snapshot directly (what compaction writes).

        The snapshot's atomic replace is the commit point: before it the old snapshot and journal
        stand untouched, after it the new snapshot holds everything up to this transaction's
        number, and the journal it replaced is accepted as already folded in until its new journal
        is written (see ``_install_snapshot``), so a crash between the two loses nothing.  Memory is
        changed only once the write succeeded.
        """
        seq = entry["seq"]
        for a in entry["audit"]:
            a.setdefault("seq", seq)
        tables = dict(self._tables)
        puts: dict[str, dict[str, Doc]] = {}
        for table, key, doc in entry["puts"]:
            puts.setdefault(table, {})[key] = doc
        for table, docs in puts.items():
            tables[table] = {**tables.get(table, {}), **docs}
        for name, added in (("audit", entry["audit"]), ("access_log", entry["access"])):
            current = tables[name]
            numbered = {str(n): a for n, a in enumerate(added, len(current) + 1)}
            if isinstance(current, RawTable):
                tables[name] = current.with_extra(numbered)
            elif numbered:
                tables[name] = {**current, **numbered}
        chunks = self._install_snapshot(tables, seq)
        self._apply(entry)
        self._write_backup(chunks)

    def _cut_torn_tail(self) -> None:
        try:
            with open(self.journal_path, "r+b") as fh:
                fh.truncate(self._journal_end)
                os.fsync(fh.fileno())
        except OSError as exc:
            raise StoreWriteError(describe_os_error(exc, self.journal_path)) from exc
        self._journal_torn = False

    def compact(self) -> None:
        """Fold the journal into a new snapshot, atomically, and keep a backup of it."""
        with self.locked(), deferred_signals():
            self._refresh_locked()
            self.verify_writable()
            self._write_backup(self._install_snapshot(self._tables, self.last_seq))

    def _install_snapshot(self, tables: dict[str, Any], seq: int, issued: Optional[dict[str, int]] = None) -> list[Any]:
        """Write ``tables`` as the new snapshot, then start its new, empty journal; return the chunks.

        The snapshot's replace is the commit point.  It names, as ``prev``, the
        journal still on disk, all of which it holds: if a crash (or a full
        disk) keeps the new journal from being started, that journal is
        accepted as adding nothing, and the next transaction starts the new one.
        """
        journal_id = new_journal_id()
        issued = merge_issued(self._issued, issued or {},
                              issued_in_keys(k for t in RECORD_TABLES for k in tables.get(t, ())))
        prev = self._disk_journal
        chunks = encode_snapshot(tables, seq, journal_id=journal_id, prev_journal=prev, issued=issued)
        atomic_write(self.path, chunks)
        self.journal_id, self._prev_journal, self._issued = journal_id, prev, issued
        self._journal_state, self._journal_torn = "unstarted", False
        self._journal_ino, self._journal_end = self._journal_identity()
        self._note_snapshot()
        try:
            self._start_journal(seq)
        except StoreWriteError:
            pass  # the replaced journal stands, already folded in; the next transaction starts the new one
        return chunks

    def _journal_identity(self) -> tuple[Optional[int], int]:
        try:
            st = os.stat(self.journal_path)
        except FileNotFoundError:
            return None, 0
        return st.st_ino, st.st_size

    def _start_journal(self, after: int) -> None:
        """Before the first transaction after a snapshot: write its journal's header, then mark it started.

        Raises StoreWriteError (nothing saved) if either step fails: a
        transaction appended to a journal the snapshot does not know was
        started could be lost without anyone noticing.
        """
        journal_id = self.journal_id
        assert journal_id is not None   # (a journal is started only for a snapshot that names it: see _open_journal)
        header = encode_journal_header(journal_id, after, after)
        try:
            atomic_write(self.journal_path, header)
        except StoreWriteError as exc:
            raise StoreWriteError(f"{exc}; nothing was saved") from exc
        self._journal_ino = os.stat(self.journal_path).st_ino
        self._journal_state, self._disk_journal = "current", journal_id
        self._journal_after, self._journal_end, self._journal_torn = after, len(header), False
        self._revoke_prev()

    def _revoke_prev(self) -> None:
        """Overwrite the snapshot's ``prev`` field with dashes, fsynced: from now on its journal must be there."""
        try:
            with open(self.path, "rb") as fh:
                head = fh.readline(1 << 16)
            at = prev_field_offset(head)
            if at is None or head[at:at + len(NO_PREV)] != self._prev_journal.encode():
                raise StoreCorrupt(f"the header of {self.path} was changed while the store was open; nothing was "
                                   f"saved")
            rewrite_in_place(self.path, at, NO_PREV.encode(), durable=True)
        except OSError as exc:
            raise StoreWriteError(describe_os_error(exc, self.path) + "; nothing was saved") from exc
        self._prev_journal = NO_PREV
        self._note_snapshot()

    def _note_snapshot(self) -> None:
        st = os.stat(self.path)
        self._snap_id = (st.st_ino, st.st_size, st.st_mtime_ns)

    def _mark_acknowledged(self, seq: int) -> None:
        """After a line is durable: raise the journal header's mark to it (no fsync: see format.py)."""
        if self._journal_state == "current":
            assert self.journal_id is not None   # (a current journal is a named one: see _open_journal)
            try:
                rewrite_in_place(self.journal_path, 0, encode_journal_header(self.journal_id, self._journal_after, seq))
            except OSError:
                pass  # the mark only trails the lines: a lower one loses nothing, it just checks less
        elif self._journal_ino is None:
            self._journal_ino = os.stat(self.journal_path).st_ino   # an unnamed journal this append created

    # --- backups ----------------------------------------------------------------------
    def backups(self) -> list[Path]:
        """Backups, newest first."""
        if not self.backup_dir.is_dir():
            return []
        return sorted((p for p in self.backup_dir.iterdir() if p.is_file() and not p.name.startswith(".")),
                      key=lambda p: p.name, reverse=True)

    def newest_backup(self) -> Optional[Path]:
        found = self.backups()
        return found[0] if found else None

    def _write_backup(self, chunks: list[bytes], strict: bool = False) -> Optional[Path]:
        """Add a rotating backup; a failure is a warning (the store itself is intact), or raised if ``strict``."""
        target = None
        try:
            self.backup_dir.mkdir(mode=0o700, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            target = self.backup_dir / f"{self.path.stem}-{stamp}-seq{self.last_seq}{self.path.suffix}"
            atomic_write(target, chunks)
            rotating = [p for p in self.backups() if "-schema" not in p.name]
            for old in rotating[KEEP_BACKUPS:]:
                old.unlink()
        except (OSError, StoreWriteError) as exc:
            if strict:
                raise StoreWriteError(f"the current state could not be kept as a backup ({exc}), so it was not "
                                      f"replaced") from exc
            self.warnings.append(f"a backup could not be written: {exc}")
        return target

    def _current_chunks(self) -> list[Any]:
        """The state in memory as a snapshot that the current journal continues (a backup of it)."""
        issued = merge_issued(self._issued, issued_in_keys(k for t in RECORD_TABLES for k in self._tables[t]))
        return encode_snapshot(self._tables, self.last_seq, journal_id=self.journal_id, issued=issued)

    def _daily_backup(self) -> None:
        newest = self.newest_backup()
        if newest is not None and (datetime.now().timestamp() - newest.stat().st_mtime) < 86400:
            return
        if not any(self._tables[t] for t in RECORD_TABLES):
            return
        self._write_backup(self._current_chunks())

    def restore(self, backup: Path) -> RestoreReport:
        """Make a backup the live store, keeping whatever can be kept of the state it replaces.

        A readable current state is kept as a backup first (a deliberate step
        back: it can be restored in turn).  An unreadable one is copied, with
        its journal, to ``<backups>/damaged/`` (not offered for restore), and
        the intact journal lines that continue the backup are replayed onto
        it, so the transactions before the damage are kept.  Either way the
        restored store reaches at least as far as anything before it, so
        transaction numbers never go back, and every reference the replaced
        state issued stays issued.  The restored store gets a new journal.
        """
        backup = Path(backup)
        raw = backup.read_bytes()
        info = decode_snapshot(raw, backup, check=True)  # refuses a damaged or malformed backup
        del raw
        report = RestoreReport(backup)
        with self.locked():
            self.verify_writable()
            issued, reach, journal_raw = self._take_in_replaced_state(report)
            self.tables, self.last_seq, self._history = info.tables, info.last_seq, None
            for t in TABLES:
                self._tables.setdefault(t, {})
            if report.damaged:
                self._replay_salvaged(journal_raw, info, report, reach)
            del journal_raw
            if info.schema < TRAIL_ITEMS_SCHEMA:
                self._tables["audit"] = shrunk_audit(self._tables["audit"])   # restored in today's form
            report.last_seq = max(self.last_seq, reach)
            self._disk_journal = self._journal_on_disk()
            try:
                self._install_snapshot(self._tables, report.last_seq, issued=merge_issued(info.issued, issued))
            except StoreWriteError:
                self._snap_id = None    # memory holds the backup, not what is on disk: read it again when used
                raise
            # The restored state is loaded from here on.
            self._load_full()
            finish_outstanding(self)  # every redaction in the ledger, applied again to what was restored
        return report

    def _take_in_replaced_state(self, report: RestoreReport) -> tuple[dict[str, int], int, bytes]:
        """Keep the live state (as a backup, or its files aside if unreadable) and say what it issued and reached.

        Returns the references it issued, the highest transaction number it
        or any backup reached, and the journal's bytes (for salvage).
        """
        try:
            self._load_full()
        except (StoreCorrupt, StoreTooNew):
            report.damaged, report.damaged_copies = True, self._keep_damaged()
            return self._salvage_reach()
        report.kept_as = self._write_backup(self._current_chunks(), strict=True)
        audit = self._tables["audit"]
        if isinstance(audit, RawTable):
            named = merge_issued(issued_in_bytes(audit.raw), issued_in_keys(a["ref"] for a in audit.extra.values()))
        else:
            named = issued_in_keys(a["ref"] for a in audit.values())
        keys = issued_in_keys(k for t in RECORD_TABLES for k in self._tables[t])
        reach = max(self.last_seq, (self._backup_reach() or (0, None))[0])
        return merge_issued(self._issued, keys, named), reach, b""

    def _salvage_reach(self) -> tuple[dict[str, int], int, bytes]:
        """What an unreadable store issued and reached, read from its bytes whatever their checksums say."""
        reads = []
        for p in (self.path, self.journal_path):
            try:
                reads.append(p.read_bytes() if not p.is_symlink() else b"")
            except OSError:
                reads.append(b"")
        snapshot, journal = reads
        issued = merge_issued(issued_in_bytes(snapshot), issued_in_bytes(journal))
        reach = (self._backup_reach() or (0, None))[0]
        header = read_header(snapshot)
        if header is not None:
            if isinstance(header.get("issued"), dict):
                issued = merge_issued(issued, {k: v for k, v in header["issued"].items()
                                               if isinstance(k, str) and type(v) is int})
            if type(header.get("last_seq")) is int:
                reach = max(reach, header["last_seq"])
        del snapshot
        for _, _, entry in iter_lines(journal):
            if isinstance(entry, dict) and type(entry.get("seq")) is int:
                reach = max(reach, entry["seq"])
        try:
            head = read_journal_header(journal, self.journal_path)
        except StoreCorrupt:
            head = None
        if head is not None:
            reach = max(reach, head.hwm)
        return issued, reach, journal

    def _replay_salvaged(self, journal: bytes, info: SnapshotInfo, report: RestoreReport, reach: int) -> None:
        """Apply, onto the restored backup, the intact journal lines that continue it without a gap.

        Only a journal of the same line as the backup qualifies: the one whose
        id the backup names (or, for stores written before journals had ids,
        a journal without one).  Replay stops at the first damaged or missing
        line; ``report`` says from which transaction nothing could be kept.
        """
        try:
            head = read_journal_header(journal, self.journal_path)
        except StoreCorrupt:
            head = None
            if info.journal_id is None:
                journal = b""           # an unnamed journal damaged at its first line: nothing to replay
        same_line = (head.journal_id == info.journal_id) if head is not None else info.journal_id is None
        if same_line:
            for _, _, entry in iter_lines(journal, head.length if head is not None else 0):
                try:
                    if entry is None:
                        break
                    check_entry(self.journal_path, entry, 0)
                except StoreCorrupt:
                    break
                if entry["seq"] <= self.last_seq:
                    continue
                if entry["seq"] != self.last_seq + 1:
                    break
                self._apply(entry)
                report.replayed.append(entry["seq"])
        if reach > self.last_seq:
            report.lost_from = self.last_seq + 1

    def _journal_on_disk(self) -> str:
        """What the journal file on disk is, for the next snapshot's ``prev``: its id, or UNNAMED_PREV."""
        try:
            with open(self.journal_path, "rb") as fh:
                head = fh.readline()
        except OSError:
            return UNNAMED_PREV
        try:
            header = read_journal_header(head, self.journal_path)
        except StoreCorrupt:
            return UNNAMED_PREV
        return header.journal_id if header is not None else UNNAMED_PREV

    def _keep_damaged(self) -> list[Path]:
        """Copy unreadable live files aside; refuse to go on if they cannot be kept."""
        folder = self.backup_dir / "damaged"
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        copies = []
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for p in (self.path, self.journal_path):
                if p.exists():
                    copy = folder / f"{p.name}-{stamp}"
                    shutil.copyfile(p, copy)
                    os.chmod(copy, FILE_MODE)
                    copies.append(copy)
        except OSError as exc:
            raise StoreWriteError(f"{describe_os_error(exc, folder)}; the damaged store could not be kept aside, "
                                  f"so it was not replaced") from exc
        return copies

    # --- reading --------------------------------------------------------------------------
    @property
    def tables(self) -> dict[str, dict[str, Doc]]:
        """Every table as plain dicts.

        The audit trail is as large as all the records together and is read
        only for history, ``check`` and redaction, so opening keeps it as the
        snapshot's bytes (a RawTable, which new entries are added to); it is
        parsed here, once, on first use.
        """
        audit = self._tables.get("audit")
        if isinstance(audit, RawTable):
            self._tables["audit"] = audit.load(self.path)
        return self._tables

    @tables.setter
    def tables(self, value: dict[str, Any]) -> None:   # (the audit table may be a RawTable)
        self._tables = value
        self._changes.reloaded()                       # loaded whole: nothing kept from before still holds

    def change_mark(self) -> tuple[int, int]:
        """Where the store's sequence of changes stands now: give it to ``changed_since`` later."""
        return self._changes.mark()

    def changed_since(self, mark: tuple[int, int]) -> Optional[list[tuple[str, str]]]:
        """The (table, key) pairs changed since ``mark``, in order (repeats possible), by this
        process's writes or others' caught up with; None when that cannot be said (the tables were
        loaded whole since, or the list was trimmed): whatever was built on them must be rebuilt."""
        return self._changes.since(mark)

    def get(self, table: str, key: str) -> Optional[Doc]:
        return (self.tables if table == "audit" else self._tables)[table].get(key)

    def all(self, table: str) -> dict[str, Doc]:
        return (self.tables if table == "audit" else self._tables)[table]

    def history(self, ref: str) -> list[Doc]:
        if self._history is None:
            index: dict[str, list[Doc]] = {}
            for a in self.tables["audit"].values():
                index.setdefault(a["ref"], []).append(a)
            self._history = index
        return list(self._history.get(ref, ()))

    def audit_trail(self) -> list[Doc]:
        return list(self.tables["audit"].values())

    def issued_floor(self, prefix: str) -> int:
        """The highest number ever issued for a reference prefix ('L-2018-', 'A-') as far as the snapshot knows.

        Numbering takes the higher of this and the records present, so a
        reference whose record is gone (a restore to an older backup) is not
        issued again.  References issued since the snapshot are in the records.
        """
        return self._issued.get(prefix, 0)

    def issued_numbers(self) -> dict[str, int]:
        return dict(self._issued)

    def authority_figures(self, year: str) -> list[Doc]:
        return []    # a file store holds one authority's records

    def last_editor(self, ref: str) -> Optional[str]:
        h = self.history(ref)
        return h[-1]["user"] if h else None

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def files(self) -> StoreFiles:
        return StoreFiles(data=self.path, journal=self.journal_path, lock=self.lock_path, backups=self.backup_dir)

    def check(self, progress: Progress = NO_PROGRESS) -> list[str]:
        """Catch up, then replay the audit trail from the start against every record."""
        self.refresh()
        return check_store(self, progress)

    def redaction(self) -> "AbstractContextManager[Session]":
        return session(self)

    def finished_redactions(self) -> dict[tuple[str, str], Redacted]:
        return dict(take_finished(self))

    def access_log(self) -> list[Doc]:
        return list(self.all("access_log").values())

    def close(self) -> None:
        pass
