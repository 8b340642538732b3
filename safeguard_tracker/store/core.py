"""The store: records that are never lost, every change attributed.

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
  names the newest backup.
"""

from __future__ import annotations

import getpass
import os
import shutil
import stat
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from ..errors import ConflictError, StoreCorrupt, StoreTooNew, StoreWriteError
from .files import FILE_MODE, append_durably, atomic_write, describe_os_error
from .lockfile import LockFile, LockUnavailable
from .format import (SCHEMA_VERSION, TABLES, RawTable, decode_snapshot, empty_tables, encode_entry, encode_snapshot,
                     gc_paused, iter_journal)

KEEP_BACKUPS = 5
COMPACT_MIN_BYTES = 1 << 20
RECORD_TABLES = ("contacts", "reviews", "actions")


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return f"uid{os.getuid()}"


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _without_rev(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_rev"}


def rewrite_audit_values(entries: Iterable[dict], ref: str, fields: dict[str, Any]) -> None:
    """Overwrite, in place, the old and new values that ``ref``'s audit entries hold for ``fields``.

    Redaction only: the entries keep who changed which field and when, but no
    longer the values.  Used on the live trail and on the backups' trails.
    """
    for a in entries:
        if a.get("ref") != ref:
            continue
        if a["field"] == "*" and isinstance(a.get("new"), dict):
            a["new"] = {**a["new"], **{k: v for k, v in fields.items() if k in a["new"]}}
        elif a["field"] in fields:
            if a.get("old") is not None:
                a["old"] = fields[a["field"]]
            a["new"] = fields[a["field"]]


class Transaction:
    """Buffered edits, committed as one journal line when the ``with`` block ends cleanly."""

    def __init__(self, store: "Store"):
        self.store = store
        self.puts: dict[tuple[str, str], dict] = {}
        self.audit: list[dict] = []
        self.access: list[dict] = []
        self.rewrites: list[dict] = []
        self.at = now_iso()

    def get(self, table: str, key: str) -> Optional[dict]:
        if (table, key) in self.puts:
            return self.puts[(table, key)]
        return self.store.get(table, key)

    def exists(self, table: str, key: str) -> bool:
        return self.get(table, key) is not None

    def put(self, table: str, key: str, doc: dict, expected_rev: Optional[int] = None,
            user: Optional[str] = None) -> dict:
        """Stage a new version of a record; audit each changed field with old and new values."""
        current = self.get(table, key)
        current_rev = current.get("_rev", 0) if current else 0
        if expected_rev is not None and expected_rev != current_rev:
            raise ConflictError(key, expected_rev, current_rev, by=self.store.last_editor(key))
        new = dict(doc)  # (copies made in C: an import puts 100,000 of these in one transaction)
        new.pop("_rev", None)
        who = user or self.store.user
        entries: list[dict] = []
        if current is None:
            entries.append({"field": "*", "old": None, "new": dict(new)})
        else:
            for field, old_value in current.items():
                if field != "_rev" and old_value != new.get(field):
                    entries.append({"field": field, "old": old_value, "new": new.get(field)})
            for field, new_value in new.items():
                if field not in current and new_value is not None:
                    entries.append({"field": field, "old": None, "new": new_value})
            if not entries:
                return current
        for e in entries:
            self.audit.append({"at": self.at, "user": who, "table": table, "ref": key, **e})
        new["_rev"] = current_rev + 1
        self.puts[(table, key)] = new
        return new

    def log_access(self, what: str, detail: str = "", target: str = "", records: int = 0) -> None:
        """Record an export or report containing personal data: who, when, what, where to."""
        self.access.append({"at": self.at, "user": self.store.user, "what": what, "detail": detail,
                            "target": target, "records": records})

    def rewrite_audit(self, ref: str, fields: dict[str, Any]) -> None:
        """Replace old/new values of ``ref``'s audit entries for ``fields`` (used by redaction only)."""
        self.rewrites.append({"ref": ref, "fields": fields})

    @property
    def empty(self) -> bool:
        return not (self.puts or self.access or self.rewrites)


class Store:
    """One store file, safe to share between processes."""

    def __init__(self, path: str | os.PathLike, user: Optional[str] = None, lock_timeout: float = 15.0,
                 on_wait: Optional[Callable[[str], None]] = None, compact_min_bytes: int = COMPACT_MIN_BYTES,
                 progress: Optional[Callable[[str], None]] = None):
        self.path = Path(path).expanduser().absolute()
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
        self._snap_id: Optional[tuple] = None
        self._journal_end = 0
        self._journal_torn = False
        self._history: Optional[dict[str, list[dict]]] = None
        self._thread_lock = threading.RLock()
        self._lock = LockFile(self.lock_path, self.user)
        self.read_only: Optional[str] = None   # why the store cannot be changed (a read-only folder), else None
        self._lock_depth = 0
        self.listeners: list[Callable[[list[tuple[str, str]]], None]] = []

    # --- opening ---------------------------------------------------------------
    def open(self) -> "Store":
        if not self.path.parent.exists():
            raise StoreWriteError(f"the folder {self.path.parent} does not exist; create it or choose another --db path")
        with self.locked():
            if not self.path.exists():
                self._create()
            self._load_full()
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
        atomic_write(self.path, encode_snapshot(empty_tables(), 0))

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

    def _refuse(self, exc: StoreCorrupt) -> StoreCorrupt:
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
                raw = fh.read()
        except OSError as exc:
            raise StoreCorrupt(f"{self.path} cannot be read: {exc.strerror}") from exc
        try:
            with gc_paused(freeze=True):
                info = decode_snapshot(raw, self.path, lazy=("audit",))
        except (StoreCorrupt, StoreTooNew) as exc:
            raise self._refuse(exc) from None
        del raw
        tables = info.tables
        if info.schema < SCHEMA_VERSION:
            tables = self._migrate(info)
            st = os.stat(self.path)
        for t in TABLES:
            tables.setdefault(t, {})
        self.tables = tables
        self.last_seq = info.last_seq
        self._snap_id = (st.st_ino, st.st_size, st.st_mtime_ns)
        self._journal_end = 0
        self._history = None
        with gc_paused():
            self._read_journal()

    def _read_journal(self) -> list[tuple[str, str]]:
        try:
            with open(self.journal_path, "rb") as fh:
                fh.seek(self._journal_end)
                raw = fh.read()
        except FileNotFoundError:
            self._journal_torn = False
            return []
        changed: list[tuple[str, str]] = []
        end = 0
        try:
            for entry, end in iter_journal(raw, self.journal_path):
                seq = entry.get("seq", 0)
                if seq <= self.last_seq:
                    continue  # already in the snapshot (a crash between compaction steps)
                if seq != self.last_seq + 1:
                    raise StoreCorrupt(f"{self.journal_path} skips from transaction {self.last_seq} to {seq}")
                changed.extend(self._apply(entry))
        except StoreCorrupt as exc:
            raise self._refuse(exc) from None
        self._journal_end += end
        self._journal_torn = end < len(raw)
        return changed

    def _apply(self, entry: dict) -> list[tuple[str, str]]:
        changed = []
        tables = self._tables
        for table, key, doc in entry.get("puts", ()):
            tables.setdefault(table, {})[key] = doc
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
        return changed

    def _apply_rewrite(self, rw: dict) -> None:
        rewrite_audit_values(self.tables["audit"].values(), rw["ref"], rw["fields"])

    def _migrate(self, info) -> dict:
        """Bring an older file up to the current schema, after copying it to the backups."""
        self.backup_dir.mkdir(mode=0o700, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        copy = self.backup_dir / f"{self.path.stem}-{stamp}-schema{info.schema}{self.path.suffix}"
        shutil.copy2(self.path, copy)
        os.chmod(copy, FILE_MODE)
        tables = empty_tables()
        for name, docs in info.tables.items():
            target = tables.setdefault(name, {})
            for doc_id, doc in docs.items():
                key = doc.get("reference", doc_id) if name in RECORD_TABLES else doc_id
                doc = dict(doc)
                doc.setdefault("_rev", 1)
                target[str(key)] = doc
        # Records that came without history get a creation entry, so the trail agrees with them.
        audit = tables["audit"]
        for name in RECORD_TABLES:
            for key, doc in tables[name].items():
                audit[str(len(audit) + 1)] = {"at": now_iso(), "user": self.user, "table": name, "ref": key,
                                              "field": "*", "old": None, "new": _without_rev(doc), "seq": 0,
                                              "migrated": True}
                doc["_rev"] = 1
        atomic_write(self.path, encode_snapshot(tables, 0))
        atomic_write(self.journal_path, b"")
        self.migrated_from = info.schema
        self.warnings.append(f"{self.path} was upgraded from schema {info.schema} to {SCHEMA_VERSION}; "
                             f"the old file was copied to {copy}")
        return tables

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
        the store stays readable and every write is refused by ``_verify_lock``.
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

    def _verify_lock(self) -> None:
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
            jsize = os.stat(self.journal_path).st_size
        except FileNotFoundError:
            jsize = 0
        if jsize < self._journal_end:
            self._load_full()
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
                self._commit(txn)

    def _commit(self, txn: Transaction) -> None:
        self._verify_lock()
        if self._journal_torn:
            self._cut_torn_tail()
        entry = {
            "seq": self.last_seq + 1, "at": txn.at, "user": self.user,
            "puts": [[t, k, doc] for (t, k), doc in txn.puts.items()],
            "audit": txn.audit, "access": txn.access,
        }
        if txn.rewrites:
            entry["rewrites"] = txn.rewrites
        elif self._compaction_due_after(txn):
            self._commit_as_snapshot(entry)
            return
        line = encode_entry(entry)
        append_durably(self.journal_path, line)
        self._journal_end += len(line)
        self._apply(entry)
        if self._journal_end > max(self.compact_min_bytes, (self._snap_id[1] if self._snap_id else 0) // 4):
            try:
                self.compact()
            except StoreWriteError:
                pass  # the journal holds everything; compaction is retried on the next write

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

    def _commit_as_snapshot(self, entry: dict) -> None:
        """Commit a large transaction by writing the new snapshot directly (what compaction writes).

        The snapshot's atomic replace is the commit point: before it the old snapshot and journal
        stand untouched, after it the new snapshot holds everything up to this transaction's
        number, and journal lines at or below that number are skipped on reading, so a crash before
        the journal is emptied loses nothing.  Memory is changed only once the write succeeded.
        """
        seq = entry["seq"]
        for a in entry["audit"]:
            a.setdefault("seq", seq)
        tables = dict(self._tables)
        puts: dict[str, dict] = {}
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
        chunks = encode_snapshot(tables, seq)
        atomic_write(self.path, chunks)
        self._apply(entry)
        st = os.stat(self.path)
        self._snap_id = (st.st_ino, st.st_size, st.st_mtime_ns)
        try:
            atomic_write(self.journal_path, b"")
            self._journal_end = 0
            self._journal_torn = False
        except StoreWriteError:
            pass  # its lines are all at or below the snapshot's number: skipped on reading, cut next time
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
        with self.locked():
            self._refresh_locked()
            self._verify_lock()
            chunks = encode_snapshot(self._tables, self.last_seq)
            atomic_write(self.path, chunks)
            atomic_write(self.journal_path, b"")
            st = os.stat(self.path)
            self._snap_id = (st.st_ino, st.st_size, st.st_mtime_ns)
            self._journal_end = 0
            self._journal_torn = False
            self._write_backup(chunks)

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

    def _write_backup(self, chunks: list[bytes]) -> None:
        try:
            self.backup_dir.mkdir(mode=0o700, exist_ok=True)
            stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
            atomic_write(self.backup_dir / f"{self.path.stem}-{stamp}-seq{self.last_seq}{self.path.suffix}", chunks)
            rotating = [p for p in self.backups() if "-schema" not in p.name]
            for old in rotating[KEEP_BACKUPS:]:
                old.unlink()
        except (OSError, StoreWriteError) as exc:
            self.warnings.append(f"a backup could not be written: {exc}")

    def _daily_backup(self) -> None:
        newest = self.newest_backup()
        if newest is not None and (datetime.now().timestamp() - newest.stat().st_mtime) < 86400:
            return
        if not any(self._tables[t] for t in RECORD_TABLES):
            return
        self._write_backup(encode_snapshot(self._tables, self.last_seq))

    def restore(self, backup: Path) -> None:
        """Make a backup the live store.

        The current state is kept as a backup first.  A live file that cannot
        be read is never lost either: it is copied, with its journal, to
        ``<backups>/damaged/`` (not offered for restore) before the backup replaces it.
        """
        backup = Path(backup)
        raw = backup.read_bytes()
        info = decode_snapshot(raw, backup)  # refuses a damaged backup
        with self.locked():
            self._verify_lock()
            try:
                self._load_full()
                self._write_backup(encode_snapshot(self._tables, self.last_seq))
            except (StoreCorrupt, StoreTooNew):
                self._keep_damaged()
            tables = info.tables
            last_seq = max(info.last_seq, self.last_seq)  # seq numbers must never go backwards
            atomic_write(self.path, encode_snapshot(tables, last_seq))
            atomic_write(self.journal_path, b"")
            self._load_full()

    def _keep_damaged(self) -> None:
        """Copy unreadable live files aside; refuse to go on if they cannot be kept."""
        folder = self.backup_dir / "damaged"
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            for p in (self.path, self.journal_path):
                if p.exists():
                    copy = folder / f"{p.name}-{stamp}"
                    shutil.copyfile(p, copy)
                    os.chmod(copy, FILE_MODE)
        except OSError as exc:
            raise StoreWriteError(f"{describe_os_error(exc, folder)}; the damaged store could not be kept aside, "
                                  f"so it was not replaced") from exc

    # --- reading --------------------------------------------------------------------------
    @property
    def tables(self) -> dict[str, dict]:
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
    def tables(self, value: dict[str, dict]) -> None:
        self._tables = value

    def get(self, table: str, key: str) -> Optional[dict]:
        return (self.tables if table == "audit" else self._tables)[table].get(key)

    def all(self, table: str) -> dict[str, dict]:
        return (self.tables if table == "audit" else self._tables)[table]

    def history(self, ref: str) -> list[dict]:
        if self._history is None:
            index: dict[str, list[dict]] = {}
            for a in self.tables["audit"].values():
                index.setdefault(a["ref"], []).append(a)
            self._history = index
        return list(self._history.get(ref, ()))

    def last_editor(self, ref: str) -> Optional[str]:
        h = self.history(ref)
        return h[-1]["user"] if h else None

    def close(self) -> None:
        pass
