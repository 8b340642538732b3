"""``PostgresStore``: the store protocol on a PostgreSQL database, for a team, a partnership or a region.

The same guarantees as the file store, by the server's means:

- **One call, one transaction.**  A write takes a transaction-scoped advisory lock (writers queue
  as they do on the file store's lock), catches up with what others committed, stages its edits
  through the shared ``Transaction`` (so the audit trail is written exactly as the file store
  writes it), and commits records, trail, access log and the transaction's row together.  A
  dropped connection rolls the whole of it back: nothing is half-written.
- **Stale edits are refused.**  ``put`` checks the caller's revision against the caught-up record
  (``ConflictError``), and the ``UPDATE`` checks the stored revision again, so an edit made behind
  the application's back is caught too.
- **References are never issued twice**: writers are serialised, the highest number issued per
  prefix is kept in ``st_state``, and a key is inserted only where none exists.
- **Readers keep a copy** of the record tables, caught up from ``st_transactions`` (which records
  each commit's changed keys): ``all`` and ``get`` cost what they cost on the file store, and
  ``refresh`` costs what changed.  Every commit sends a NOTIFY on ``safeguard_tracker``.

The audit trail and the access log are loaded on first use (``history`` asks the server for one
record's entries without loading the trail).
"""

from __future__ import annotations

import atexit
import logging
import re
import secrets
import time
import weakref
from contextlib import contextmanager
from datetime import date
from typing import Any, Callable, Iterator, Optional

import orjson

from ...errors import ConflictError, StoreCorrupt, StoreError, StoreLocked, ValidationError
from ...progress import NO_PROGRESS, Progress, counted
from ...signals import deferred_signals
from ..change_log import ChangeLog
from ..check import RECORD_TABLES, check_store
from ..issued import issued_in_keys, merge_issued
from ..protocol import Changed, Doc, Redacted, StoreFiles
from ..redaction import default_rules, redact_records
from ..redaction_ledger import Redaction
from ..transaction import Transaction, now_iso, redact_audit_values
from .connection import connect, redacted_url, server_error, server_url
from .schema import LOCK_KEY, TEMPORARY_OPEN_PROBLEM, code_version, database_version, schema_problem, temporary_tables_open

DOC_TABLES = (*RECORD_TABLES, "settings")      # the tables of documents kept by key
TRAIL_TABLES = ("audit", "access_log")          # numbered, insert-only
CHANNEL = "safeguard_tracker"                   # NOTIFY channel: the payload is the committed transaction's number
WRITE_LOCK = LOCK_KEY + 1                       # the advisory lock every write transaction takes
STATE_SQL = "SELECT last_seq, issued, audit_next, access_next FROM st_state WHERE id = 1"
LISTEN_RETRY_SECONDS = 30.0                     # after a LISTEN that could not connect: a screen must not freeze
CHANGES_KEPT = 20_000                           # (table, key) pairs kept for ``changed_since``
FULL_RELOAD_AFTER = 5_000                       # transactions behind: load the tables whole instead
PG_DUMP_NOTE = ("copies of the database taken before the redaction (pg_dump files, replicas' backups) still hold "
                "the removed values: delete or replace them as docs/postgres.md describes")


# psycopg logs a pipeline it abandons after a refused statement; the refusal itself is raised, in words.
logging.getLogger("psycopg").addHandler(logging.NullHandler())


def _load(text: Any) -> Any:
    return orjson.loads(text)


def _record(text: str, rev: int) -> Doc:
    """A stored document as the store hands it out: its revision as ``_rev``, last (as a write puts it)."""
    doc: Doc = orjson.loads(text)
    doc["_rev"] = rev
    return doc


# The pools of stores dropped without ``close``.  Closing a pool joins its threads, so it must not happen in
# a finaliser (the collector may run it on one of those threads): they are closed at the next open, or at exit.
_unclosed: list[Any] = []


def _close_unclosed() -> None:
    while _unclosed:
        try:
            _unclosed.pop().close()
        except Exception:   # (a pool that cannot close cleanly at exit has nothing left to lose)
            pass


atexit.register(_close_unclosed)


HAND_GIVEN = "(given by hand)"   # st_my_authority() of a login given a role outside the tool, in a region


# A contact whose analyst's figures are missing or were made from another version of it (schema 5).
FIGURES_OUT_OF_DATE = "figures_of IS DISTINCT FROM md5(doc::text)"


class PostgresStore:
    """The store protocol on PostgreSQL (``postgresql://user@host/dbname``)."""

    def __init__(self, url: str, user: Optional[str] = None, *, lock_timeout: float = 15.0,
                 progress: Optional[Callable[[str], None]] = None, pool_size: int = 4,
                 authority: Optional[str] = None):
        self.url = server_url(url)
        self.where = redacted_url(self.url)
        self.user = user or ""
        self.warnings: list[str] = []
        self.read_only: Optional[str] = None
        self.last_seq = 0
        self.listeners: list[Callable[[Changed], None]] = []
        self.lock_timeout = lock_timeout
        self.progress = progress
        self.pool_size = pool_size
        self._pool: Any = None
        self._finalizer: Any = None
        if authority and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", authority):
            raise ValidationError("authority", authority, "an authority's code: letters, digits, '-' or '_', as "
                                  "`safeguard-tracker admin authority list` shows them")
        self.authority = authority or None     # the one authority this copy holds (None: all the login sees)
        self.scoped = False                     # loads filtered to ``authority`` (the owner's or the network's choice)
        self.role: Optional[str] = None        # the login's role here (None: the database's owner)
        self.agency: Optional[str] = None      # a partner's agency
        self.readable: set[str] = set(DOC_TABLES) | set(TRAIL_TABLES)
        self.authorities: list[str] = []       # the codes of the store's authorities
        self.writable: set[str] = set(DOC_TABLES) | set(TRAIL_TABLES)
        self._listener: Any = None          # a connection that LISTENs on CHANNEL (``changes_waiting``)
        self._heard = 0                     # the highest transaction number a NOTIFY has announced
        self._listen_again_at = 0.0         # (after a failed LISTEN, not before this monotonic time)
        self.check_left_out: list[str] = []  # what the last check could not compare with the trail, and why
        # Seconds a call waits for a connection.  A screen, which waits on each call, sets it short, so that a
        # server that is down is reported in a few seconds rather than holding the screen for half a minute.
        self.connection_wait = 30.0
        self._next = (0, 0)                 # the trail's and the access log's numbers so far (from st_state)
        self._tables: dict[str, dict[str, Doc]] = {t: {} for t in DOC_TABLES}
        self._trails: dict[str, Optional[dict[str, Doc]]] = {t: None for t in TRAIL_TABLES}
        self._history: Optional[dict[str, list[Doc]]] = None
        self._issued: dict[str, int] = {}
        self._changes = ChangeLog(CHANGES_KEPT)
        # The analyst's figures of a contact (lado/figures.py), made by whoever saves it: the Tracker gives the
        # maker; the key is the store's own (schema 5), read by the owner and the lado role only.
        self.figures_maker: Optional[Callable[[Doc, bytes], Doc]] = None
        self.figures_key: Optional[bytes] = None

    # --- opening ------------------------------------------------------------------------------
    def open(self) -> "PostgresStore":
        """Connect, refuse a database without the current schema (one line saying what to do), load."""
        conn = connect(self.url)          # (first: without psycopg, one line saying how to install it)
        import psycopg
        try:
            try:
                version = database_version(conn)
            except psycopg.errors.InsufficientPrivilege:
                raise self._no_role(conn) from None
            problem = schema_problem(version, self.where)
            if problem is not None:
                raise problem
            self._learn_role(conn)
        except Exception as exc:
            conn.close()
            if isinstance(exc, StoreError):
                raise
            raise server_error(exc, self.where, url=self.url) from None
        conn.close()
        self._open_pool()
        self._load_full()
        return self

    def _learn_role(self, conn: Any) -> None:
        """Who the login is here, and what its role lets it read and write (the server enforces it either way;
        knowing it lets the tool load what it may read and refuse a change in words rather than SQL)."""
        row = conn.execute("SELECT session_user, st_my_kind(), st_my_agency(), st_my_authority(), "
                           "(SELECT array_agg(code ORDER BY code) FROM st_authorities)").fetchone()
        login, self.role, self.agency, own, known = str(row[0]), row[1], row[2], row[3], list(row[4] or [])
        if self.role == "none":           # not the owner, and no role the server knows of (schema 4)
            self.role = None
        if own == HAND_GIVEN:
            raise StoreError(f"{self.where}: {login} was given its role by hand, outside the tool, so it belongs to "
                             f"none of this store's authorities ({', '.join(known)}) and sees none of their records: "
                             f"the owner or an admin gives it one with `safeguard-tracker admin grant {login} ROLE "
                             f"--authority CODE`")
        self.authorities = known
        if self.authority is not None and self.authority not in known:
            raise StoreError(f"{self.where}: no authority '{self.authority}' here; the authorities are: "
                             f"{', '.join(known) or 'none yet (safeguard-tracker admin authority add CODE NAME)'}")
        if own is not None:
            if self.authority not in (None, own):
                raise StoreError(f"{self.where}: {login} belongs to {own}, so it sees {own}'s records only, not "
                                 f"{self.authority}'s")
            self.authority = own              # (the server keeps to it: row-level security)
        else:
            self.scoped = self.authority is not None
        tables = (*DOC_TABLES, "audit", "access_log", "st_contact_figures")
        rights = conn.execute(
            "SELECT t, has_table_privilege(current_user, t, 'SELECT'), "
            "has_table_privilege(current_user, t, 'INSERT') OR has_any_column_privilege(current_user, t, 'UPDATE') "
            "FROM unnest(%s::text[]) AS t", (list(tables),)).fetchall()
        if conn.execute("SELECT has_table_privilege(current_user, 'st_figures_key', 'SELECT')").fetchone()[0]:
            self.figures_key = str(conn.execute("SELECT key FROM st_figures_key").fetchone()[0]).encode()
        conn.rollback()
        self.readable = {str(t) for t, can_read, _ in rights if can_read}
        self.writable = {str(t) for t, _, can_write in rights if can_write}
        if self.role is None and not self.readable & {"contacts", "reviews", "actions"}:
            raise self._no_role(conn)
        if self.role is not None:
            if self.user and self.user != login:
                self.warnings.append(f"changes are recorded under your login, {login}, not '{self.user}': the "
                                     f"database attributes every change to the login that made it")
            self.user = login
        elif not self.user:
            self.user = login
        if "audit" not in self.writable:
            self.read_only = (f"the {self.role or 'login'} role reads the figures only" if self.role == "analyst"
                              else f"{login} may not change anything in this store")

    def _no_role(self, conn: Any) -> StoreError:
        conn.rollback()
        row = conn.execute("SELECT session_user").fetchone()
        login = row[0] if row else "this login"
        return StoreError(f"{self.where}: {login} holds no role in this store: the owner or an admin gives one with "
                          f"`safeguard-tracker admin grant {login} lado` (or subgroup, partner, analyst, admin)")

    def _open_pool(self) -> None:
        from psycopg_pool import ConnectionPool
        _close_unclosed()
        timeout_ms = max(1, int(self.lock_timeout * 1000))
        self._pool = ConnectionPool(self.url, min_size=1, max_size=self.pool_size, open=True,
                                    kwargs={"connect_timeout": 10, "options": self._options(timeout_ms)},
                                    name="safeguard-tracker")
        self._finalizer = weakref.finalize(self, _unclosed.append, self._pool)

    def _options(self, timeout_ms: int) -> str:
        """The session's settings: how long to wait for the write lock, and the authority new rows take."""
        chosen = f" -c safeguard_tracker.authority={self.authority}" if self.scoped and self.authority else ""
        return f"-c lock_timeout={timeout_ms}{chosen}"

    def _and(self, table: str) -> str:
        """The condition (`` AND ...``) that keeps a scoped copy to its authority; rows of none are everyone's,
        and the settings belong to none."""
        if not self.scoped or table == "settings":
            return ""
        return f" AND authority IN ('', '{self.authority}')"    # (a code is checked against st_authorities first)

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        """A pooled connection (waiting up to ``connection_wait`` seconds for one), its work as one read
        transaction; a server error as one line."""
        import psycopg
        if self._pool is None:
            raise StoreError(f"{self.where}: the store is closed")
        try:
            with self._pool.connection(timeout=self.connection_wait) as conn:
                yield conn
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg_pool"):   # the pool's own timeout (no connection came)
                raise self._why_no_connection() from None
            if isinstance(exc, psycopg.Error):
                raise server_error(exc, self.where, url=self.url) from None
            raise

    def _why_no_connection(self) -> StoreError:
        """The pool got no connection: one attempt of its own (no longer than the pool waited) says why, in the
        server's terms (the server down, or up but turning this login away)."""
        import psycopg
        try:
            psycopg.connect(self.url, connect_timeout=max(1, int(self.connection_wait))).close()
        except psycopg.Error as exc:
            return server_error(exc, self.where, url=self.url)
        return StoreError(f"{self.where}: no connection came within {self.connection_wait:g} s, though the server "
                          f"answers now: try again")

    def _load_full(self, conn: Any = None) -> None:
        """Every document table, in the order its records were first stored, and the store's state."""
        if conn is None:
            with self._conn() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._load_full(c)
                c.rollback()
            return
        row = conn.execute("SELECT last_seq, issued FROM st_state WHERE id = 1").fetchone()
        if row is None:
            raise StoreCorrupt(f"{self.where}: the table st_state has lost its row: restore the database from a backup")
        last_seq, issued = int(row[0]), dict(row[1] or {})
        tables: dict[str, dict[str, Doc]] = {}
        for table in DOC_TABLES:
            docs: dict[str, Doc] = {}
            source = self._source(table)
            if source is None:
                tables[table] = docs
                continue
            cur = conn.execute(f"SELECT key, doc::text, rev FROM {source} WHERE true{self._and(source)} ORDER BY pos")
            for key, text, rev in cur:
                docs[key] = _record(text, rev)
            tables[table] = docs
        for table in DOC_TABLES:      # (kept dicts updated in place: a reader may hold one)
            self._tables[table].clear()
            self._tables[table].update(tables[table])
        self._trails = {t: None for t in TRAIL_TABLES}
        self._history = None
        self._issued = {str(k): int(v) for k, v in issued.items()}
        self.last_seq = last_seq
        self._changes.reloaded()

    def unseen(self, table: str) -> Optional[str]:
        """Why this login sees none of ``table`` (a record table, or ``audit``, the trail), in words for its
        user; None when it sees the table, or some of it (a partner's own actions, an analyst's figures)."""
        if table in self.readable or (table == "contacts" and "st_contact_figures" in self.readable):
            return None
        names = {"audit": "the audit trail", "access_log": "the access log"}
        seen = {"lado": "contacts", "subgroup": "reviews, recommendations and actions",
                "partner": "its own agency's actions and the reviews", "analyst": "the figures, without personal data",
                "admin": "who holds which role, the access log and the council's lists"}
        role = self.role or "login"
        return (f"the {role} role does not see {names.get(table, table)}"
                + (f" (it sees {seen[role]})" if role in seen else ""))

    def withheld(self, table: str) -> Optional[str]:
        """What this login is not shown of the ``table`` records it sees (the analyst: personal data), or None."""
        if table == "contacts" and "contacts" not in self.readable and "st_contact_figures" in self.readable:
            return f"not shown to the {self.role or 'login'} role (it reads the figures without personal data)"
        return None

    def _source(self, table: str) -> Optional[str]:
        """Where this login reads ``table`` from: the table, the figures without personal data, or nowhere."""
        if table in self.readable:
            return table
        if table == "contacts" and "st_contact_figures" in self.readable:
            return "st_contact_figures"
        return None

    def _load_trail(self, table: str) -> dict[str, Doc]:
        loaded = self._trails[table]
        if loaded is None and table not in self.readable:
            loaded = self._trails[table] = {}
        if loaded is None:
            with self._conn() as conn:
                rows = conn.execute(f"SELECT id, entry::text FROM {table} WHERE seq <= %s{self._and(table)} ORDER BY id"
                                    if table == "audit" else
                                    f"SELECT id, entry::text FROM {table} WHERE true{self._and(table)} ORDER BY id",
                                    (self.last_seq,) if table == "audit" else None).fetchall()
                conn.rollback()
            loaded = {str(i): _load(text) for i, text in rows}
            self._trails[table] = loaded
        return loaded

    # --- catching up -------------------------------------------------------------------------------
    def refresh(self) -> Changed:
        """Catch up with what other users committed; returns the (table, key) pairs that changed."""
        with self._conn() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            changed = self._catch_up(conn)
            conn.rollback()
        return changed

    def _catch_up(self, conn: Any, row: Any = None) -> Changed:
        """Catch up with ``st_state``'s row (read here when not given: a writer reads it with its lock)."""
        if row is None:
            row = conn.execute(STATE_SQL).fetchone()
        if row is None:
            raise StoreCorrupt(f"{self.where}: the table st_state has lost its row: restore the database from a backup")
        head = int(row[0])
        self._next = (int(row[2]), int(row[3]))
        if head == self.last_seq:
            return []
        if head < self.last_seq:
            self.warnings.append(f"{self.where} now holds fewer transactions ({head}) than this screen had seen "
                                 f"({self.last_seq}): the database was restored from an older copy")
            changed: Changed = [("*", "*")]
            self._load_full(conn)
        else:
            changed = self._catch_up_to(conn, head)
            self._issued = merge_issued(self._issued, {str(k): int(v) for k, v in dict(row[1] or {}).items()})
        for listener in self.listeners:
            listener(changed)
        return changed

    def _catch_up_to(self, conn: Any, head: int) -> Changed:
        if head - self.last_seq > FULL_RELOAD_AFTER:
            self._load_full(conn)
            return [("*", "*")]
        rows = conn.execute("SELECT seq, changed, rewrites FROM st_transactions WHERE seq > %s AND seq <= %s "
                            "ORDER BY seq", (self.last_seq, head)).fetchall()
        pairs: list[tuple[str, str]] = [(str(t), str(k)) for _, changed, _ in rows for t, k in changed]
        rewritten = {str(ref) for _, _, rewrites in rows for ref in rewrites}
        if len(rows) != head - self.last_seq or any(t == "*" for t, _ in pairs):
            self._load_full(conn)   # a migration's single row, or a gap: load whole
            return [("*", "*")]
        by_table: dict[str, set[str]] = {}
        gone: set[str] = set()
        for t, k in pairs:
            by_table.setdefault(t, set()).add(k)
        for table, keys in by_table.items():
            source = self._source(table) if table in self._tables else None
            if source is None:
                continue
            docs = self._tables[table]
            seen = set()
            for key, text, rev in conn.execute(f"SELECT key, doc::text, rev FROM {source} WHERE key = ANY(%s)"
                                               f"{self._and(source)} ORDER BY pos", (sorted(keys),)):
                docs[key] = _record(text, rev)
                seen.add(key)
            for key in keys - seen:     # out of this login's sight now (another agency's action, say)
                docs.pop(key, None)
                gone.add(key)
        audit = self._trails["audit"]
        if audit is not None:
            if rewritten:
                for i, text in conn.execute(f"SELECT id, entry::text FROM audit WHERE ref = ANY(%s) AND seq <= %s"
                                            f"{self._and('audit')}",
                                            (sorted(rewritten), self.last_seq)):
                    audit[str(i)] = _load(text)
            for i, text in conn.execute(f"SELECT id, entry::text FROM audit WHERE seq > %s AND seq <= %s"
                                        f"{self._and('audit')} ORDER BY id",
                                        (self.last_seq, head)):
                audit[str(i)] = _load(text)
            if gone:
                for i in [i for i, a in audit.items() if a.get("ref") in gone]:
                    del audit[i]
        self._history = None
        access = self._trails["access_log"]
        if access is not None and "access_log" in self.readable:
            for i, text in conn.execute(f"SELECT id, entry::text FROM access_log WHERE id > %s"
                                        f"{self._and('access_log')} ORDER BY id",
                                        (max((int(k) for k in access), default=0),)):
                access[str(i)] = _load(text)
        self.last_seq = head
        self._changes.note(pairs)
        return pairs

    def changes_waiting(self) -> bool:
        """Whether another user has committed since this copy last caught up, as the server's NOTIFY says: no
        query, so a screen may ask several times a second.  True when it cannot tell (first use, a lost
        connection): the caller then catches up, which asks the server itself."""
        import psycopg
        conn = self._listener
        if conn is None:
            if time.monotonic() < self._listen_again_at:
                return False        # the server could not be reached lately: the regular catch-up goes on
            try:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
                conn.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error:
                self._listen_again_at = time.monotonic() + LISTEN_RETRY_SECONDS
                return True
            self._listener = conn
            return True
        try:
            for n in conn.notifies(timeout=0):
                self._heard = max(self._heard, int(n.payload) if n.payload.isdigit() else self.last_seq + 1)
        except psycopg.Error:
            self._close_listener()
            return True
        return self._heard > self.last_seq

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.close()
            except Exception:   # (already broken: nothing more to release)
                pass
            self._listener = None

    # --- writing -----------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Queue behind other writers, catch up, stage edits; commit them as one transaction when the block ends."""
        import psycopg
        if self.read_only:
            raise StoreError(f"{self.read_only}; nothing was saved")
        with self._conn() as conn:
            try:      # the lock, then the state as it is once the lock is held: one round trip
                with conn.pipeline():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    state = conn.execute(STATE_SQL)
                row = state.fetchone()
            except psycopg.errors.LockNotAvailable:
                conn.rollback()
                raise StoreLocked(f"{self.where}: another user's change has held the store for over "
                                  f"{self.lock_timeout:g} s; nothing was saved: try again") from None
            try:
                self._catch_up(conn, row)
                txn = Transaction(self)
                yield txn
                if txn.empty:
                    conn.rollback()
                    return
                with deferred_signals():   # Ctrl+C or SIGTERM lands after the commit, not inside it
                    written = self._write(conn, txn)
                    self._commit(conn, written)
            except BaseException:
                try:
                    conn.rollback()
                except psycopg.Error:
                    pass
                raise

    def _write(self, conn: Any, txn: Transaction) -> "Written":
        """Stage the transaction on the server (not yet committed); ConflictError for a record changed meanwhile."""
        seq = self.last_seq + 1
        written = Written(seq=seq, at=txn.at)
        by_table: dict[str, list[tuple[str, Doc]]] = {}
        for (table, key), doc in txn.puts.items():
            if table not in self._tables:
                raise StoreError(f"{self.where}: there is no table '{table}' in the store; nothing was saved")
            if table not in self.writable:
                # (a new record's number was never issued: naming it would read as if it existed)
                what = f"change {table} ({key})" if key in self._tables[table] else f"add {table}"
                raise StoreError(f"{self.where}: the {self.role} role may not {what}; nothing was saved")
            by_table.setdefault(table, []).append((key, doc))
        for table, items in by_table.items():
            written.changed += [(table, key) for key, _ in items]
        written.issued = merge_issued(self._issued, issued_in_keys(k for t, k in written.changed if t in RECORD_TABLES))
        audit_base, access_base = self._next
        trail = []
        for n, a in enumerate(txn.audit, start=audit_base + 1):
            a["seq"] = seq
            trail.append({"id": n, "tbl": a.get("table", "contacts"), "ref": a["ref"], "field": a["field"],
                          "at": a["at"], "username": a["user"], "entry": a})
            written.audit.append((str(n), a))
        logged = []
        for n, e in enumerate(txn.access, start=access_base + 1):
            logged.append({"id": n, "at": e["at"], "username": e["user"], "what": e["what"], "entry": e})
            written.access.append((str(n), e))
        # Everything in one round trip (the server runs the statements in order; any error undoes them all).
        with conn.pipeline():
            checks = [(table, items, *self._send_table(conn, table, items, seq)) for table, items in by_table.items()]
            state = conn.execute(
                "UPDATE st_state SET last_seq = %s, issued = %s::jsonb, audit_next = %s, access_next = %s "
                "WHERE id = 1 AND last_seq = %s AND audit_next = %s AND access_next = %s",
                (seq, orjson.dumps(written.issued).decode(), audit_base + len(txn.audit), access_base + len(txn.access),
                 self.last_seq, audit_base, access_base))
            if txn.audit:   # (one statement, not COPY: COPY is refused where row-level security applies, as to a role)
                conn.execute("INSERT INTO audit (id, seq, tbl, ref, field, at, username, entry) "
                             "SELECT v.id, %s, v.tbl, v.ref, v.field, v.at, v.username, v.entry "
                             "FROM json_to_recordset(%s::json) AS v(id bigint, tbl text, ref text, field text, at text, "
                             "username text, entry json) ORDER BY v.id", (seq, orjson.dumps(trail).decode()))
            if txn.access:
                conn.execute("INSERT INTO access_log (id, at, username, what, entry) "
                             "SELECT v.id, v.at, v.username, v.what, v.entry FROM json_to_recordset(%s::json) "
                             "AS v(id bigint, at text, username text, what text, entry json) ORDER BY v.id",
                             (orjson.dumps(logged).decode(),))
            conn.execute("INSERT INTO st_transactions (seq, at, username, changed, rewrites, token) "
                         "VALUES (%s, %s, %s, %s, %s, %s)",
                         (seq, txn.at, self.user, orjson.dumps(written.changed).decode(),
                          orjson.dumps(sorted({rw["ref"] for rw in txn.rewrites})).decode(), written.token))
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
        for table, items, inserted, updated in checks:
            self._refuse_conflicts(conn, table, items, inserted, updated)
        if txn.rewrites:   # (after the record itself: the server rewrites the trail of a redacted record only)
            self._rewrite_trails(conn, txn.rewrites, seq, written)
        if state.rowcount != 1:
            raise StoreError(f"{self.where}: another writer committed without taking the store's lock; "
                             f"nothing was saved: try again")
        written.puts = list(txn.puts.items())
        return written

    def figures_of(self, table: str, doc: Doc) -> Optional[Doc]:
        """The analyst's figures of a contact document, where this login can make them (else None: the server
        then holds none, and the analyst's report says how many it lacks)."""
        if table != "contacts" or self.figures_maker is None or self.figures_key is None:
            return None
        return self.figures_maker(doc, self.figures_key)

    def _send_table(self, conn: Any, table: str, items: list[tuple[str, Doc]], seq: int) -> tuple[Any, Any]:
        """Send one table's new and changed records (in a pipeline); their cursors return the keys written."""
        new = [(key, doc) for key, doc in items if doc["_rev"] == 1]
        old = [(key, doc) for key, doc in items if doc["_rev"] != 1]
        figured = table == "contacts"       # (a contact's figures go with it: schema 5)

        def rows(pairs: list[tuple[str, Doc]]) -> str:
            """The records as one JSON array, each document nested whole (a json value keeps its text, so its
            key order), read back on the server by json_to_recordset: one parameter, no per-value quoting."""
            out = []
            for n, (k, d) in enumerate(pairs):
                doc = {f: v for f, v in d.items() if f != "_rev"}
                row = {"n": n, "key": k, "rev": d["_rev"], "doc": doc}
                if figured:
                    row["figures"] = self.figures_of(table, doc)
                out.append(row)
            return orjson.dumps(out).decode()
        # (figures_of: the digest of the record the figures were made from, as the server holds its text)
        of = "CASE WHEN v.figures IS NULL THEN NULL ELSE md5(v.doc::text) END"
        extra_col, extra_val, extra_def = ((", figures, figures_of", f", v.figures, {of}", ", figures json")
                                           if figured else ("", "", ""))
        inserted = updated = None
        if new:
            inserted = conn.execute(
                f"INSERT INTO {table} (key, doc, rev, seq{extra_col}) SELECT v.key, v.doc, 1, %s{extra_val} "
                f"FROM json_to_recordset(%s::json) AS v(n int, key text, rev int, doc json{extra_def}) ORDER BY v.n "
                f"ON CONFLICT (key) DO NOTHING RETURNING key", (seq, rows(new)))
        if old:
            set_figures = f", figures = v.figures, figures_of = {of}" if figured else ""
            updated = conn.execute(
                f"UPDATE {table} AS t SET doc = v.doc, rev = v.rev, seq = %s{set_figures} "
                f"FROM json_to_recordset(%s::json) AS v(key text, rev int, doc json{extra_def}) "
                f"WHERE t.key = v.key AND t.rev = v.rev - 1 RETURNING t.key", (seq, rows(old)))
        return inserted, updated

    def fill_figures(self, progress: Progress = NO_PROGRESS, *, every: bool = False) -> int:
        """Make the analyst's figures of every contact whose figures are missing or were made from another
        version of it (written before schema 5, moved in, or changed by hand), or of ``every`` contact (after
        a change to the council's lists), in one transaction; how many.  Needs a login that may read the
        store's key (the owner, or a lado) and a maker (the Tracker gives one)."""
        if self.figures_maker is None or self.figures_key is None or "contacts" not in self.writable:
            raise StoreError(f"{self.where}: only the database's owner or a lado can make the analyst's figures")
        which = "" if every else f" WHERE {FIGURES_OUT_OF_DATE}"
        progress.start("making the analyst's figures", None)
        try:
            with self._conn() as conn:
                cur = conn.cursor(name="st_figures")     # (server-side: a large store is not held twice)
                cur.itersize = 2000
                cur.execute(f"SELECT key, doc::text, md5(doc::text) FROM contacts{which} ORDER BY pos")
                batch: list[dict[str, Any]] = []
                made = 0
                for key, text, digest in cur:
                    batch.append({"key": key, "figures": self.figures_of("contacts", _load(text)), "of": digest})
                    if len(batch) >= 2000:
                        made += self._send_figures(conn, batch, progress)
                        batch = []
                made += self._send_figures(conn, batch, progress) if batch else 0
                cur.close()
                conn.commit()
        finally:
            progress.done()
        return made

    @staticmethod
    def _send_figures(conn: Any, batch: list[dict[str, Any]], progress: Progress) -> int:
        """One batch of figures, each only onto the record it was made from (not one changed meanwhile)."""
        done = conn.execute("UPDATE contacts AS t SET figures = v.figures, figures_of = v.of "
                            "FROM json_to_recordset(%s::json) AS v(key text, figures json, of text) "
                            "WHERE t.key = v.key AND md5(t.doc::text) = v.of", (orjson.dumps(batch).decode(),))
        progress.advance(len(batch))
        return int(done.rowcount)

    def _refuse_conflicts(self, conn: Any, table: str, items: list[tuple[str, Doc]], inserted: Any,
                          updated: Any) -> None:
        """ConflictError for a record another writer made or changed first (a key the statement did not write)."""
        got = {r[0] for cur in (inserted, updated) if cur is not None for r in cur.fetchall()}
        for key, doc in items:
            if key not in got:
                raise ConflictError(key, doc["_rev"] - 1, self._stored_rev(conn, table, key))

    @staticmethod
    def _stored_rev(conn: Any, table: str, key: str) -> int:
        row = conn.execute(f"SELECT rev FROM {table} WHERE key = %s", (key,)).fetchone()
        return int(row[0]) if row else 0

    def _rewrite_trails(self, conn: Any, rewrites: list[Doc], seq: int, written: "Written") -> None:
        """A redaction's rewrite of one record's audit values, by its table's rule (the trigger allows only this)."""
        rules = default_rules()
        for rw in rewrites:
            rule = rules.get(rw["table"])
            if rule is None:
                raise StoreError(f"{self.where}: records of '{rw['table']}' cannot be redacted; nothing was saved")
            rows = conn.execute("SELECT id, entry::text FROM audit WHERE ref = %s ORDER BY id", (rw["ref"],)).fetchall()
            ids, texts = [], []
            for i, text in rows:
                entry = _load(text)
                before = dict(entry)
                redact_audit_values([entry], rw["ref"], rule.trail_value)
                if entry != before:
                    ids.append(int(i))
                    texts.append(orjson.dumps(entry).decode())
                written.rewritten.append((str(i), entry))
            if ids:   # (through the server's function: a role has no right to change the trail itself)
                conn.execute("SELECT st_rewrite_trail(%s, %s::bigint[], %s::text[])", (rw["ref"], ids, texts))

    def _commit(self, conn: Any, written: "Written") -> None:
        """Commit; if the connection drops during the commit itself, ask the server whether it landed."""
        import psycopg
        try:
            conn.commit()
        except psycopg.OperationalError as exc:
            if not self._landed(written):
                raise server_error(exc, self.where, written="; nothing was saved", url=self.url) from None
        self._apply(written)

    def _landed(self, written: "Written") -> bool:
        try:
            conn = connect(self.url)
        except StoreError:
            raise StoreError(f"{self.where}: the connection was lost while saving, and the server cannot be "
                             f"reached to say whether the change was saved: look again when it is back") from None
        try:
            row = conn.execute("SELECT token FROM st_transactions WHERE seq = %s", (written.seq,)).fetchone()
        finally:
            conn.close()
        return row is not None and row[0] == written.token    # this commit's own mark, not a later one's

    def _apply(self, w: "Written") -> None:
        """The committed transaction into this process's copy."""
        for (table, key), doc in w.puts:
            self._tables[table][key] = doc
        audit = self._trails["audit"]
        if audit is not None:
            for i, entry in w.rewritten:
                if i in audit:
                    audit[i] = entry
            audit.update(w.audit)
        if self._history is not None:
            if w.rewritten:
                self._history = None
            else:
                for _, a in w.audit:
                    self._history.setdefault(a["ref"], []).append(a)
        access = self._trails["access_log"]
        if access is not None:
            access.update(w.access)
        self._issued = w.issued
        self.last_seq = w.seq
        self._changes.note(w.changed)

    # --- reading -----------------------------------------------------------------------------------------
    @property
    def tables(self) -> dict[str, dict[str, Doc]]:
        """Every table as plain dicts (the audit trail and the access log loaded on first use)."""
        return {**self._tables, **{t: self._load_trail(t) for t in TRAIL_TABLES}}

    def get(self, table: str, key: str) -> Optional[Doc]:
        return self.all(table).get(key)

    def all(self, table: str) -> dict[str, Doc]:
        if table in TRAIL_TABLES:
            return self._load_trail(table)
        return self._tables[table]

    def history(self, ref: str) -> list[Doc]:
        audit = self._trails["audit"]
        if audit is not None:
            if self._history is None:
                index: dict[str, list[Doc]] = {}
                for a in audit.values():
                    index.setdefault(a["ref"], []).append(a)
                self._history = index
            return list(self._history.get(ref, ()))
        with self._conn() as conn:
            rows = conn.execute(f"SELECT entry::text FROM audit WHERE ref = %s AND seq <= %s{self._and('audit')} "
                                f"ORDER BY id",
                                (ref, self.last_seq)).fetchall()
            conn.rollback()
        return [_load(text) for (text,) in rows]

    def audit_trail(self) -> list[Doc]:
        return list(self._load_trail("audit").values())

    def last_editor(self, ref: str) -> Optional[str]:
        h = self.history(ref)
        return h[-1]["user"] if h else None

    def issued_floor(self, prefix: str) -> int:
        return self._issued.get(prefix, 0)

    def issued_numbers(self) -> dict[str, int]:
        return dict(self._issued)

    def change_mark(self) -> tuple[int, int]:
        return self._changes.mark()

    def changed_since(self, mark: tuple[int, int]) -> Optional[Changed]:
        return self._changes.since(mark)

    @property
    def location(self) -> str:
        return self.where

    @property
    def files(self) -> Optional[StoreFiles]:
        return None

    def check(self, progress: Progress = NO_PROGRESS) -> list[str]:
        """Catch up, then the file store's check (the trail replayed against every record), and the server's own:
        the schema version, and each transaction's row."""
        if self.role == "analyst":
            raise StoreError(f"{self.where}: the analyst role reads figures without the audit trail, so it cannot "
                             f"check the store: the LADO, the sub group or the database's owner can")
        self.refresh()
        # A partner reads the reviews but only its own actions' trail: the reviews are not compared with a
        # trail it cannot see (the sub group's check does that), and the check says so.
        compared = ("actions",) if self.role == "partner" else None
        self.check_left_out = ["reviews (the partner role does not read their trail)"] if compared else []
        problems = check_store(self, progress, compared)
        with self._conn() as conn:
            version = database_version(conn)
            if version != code_version():
                problems.append(f"schema version {version}, but this safeguard-tracker needs {code_version()}")
            if version is not None and version >= 4 and temporary_tables_open(conn):
                problems.append(TEMPORARY_OPEN_PROBLEM)
            row = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM st_transactions").fetchone()
            conn.rollback()
        if row is not None and int(row[1]) != self.last_seq:
            problems.append(f"st_transactions ends at transaction {row[1]}, but the store is at {self.last_seq}")
        return problems

    @contextmanager
    def redaction(self) -> Iterator["RedactionSession"]:
        yield RedactionSession(self)

    def finished_redactions(self) -> dict[tuple[str, str], Redacted]:
        return {}   # a redaction here is one transaction: it is never left half-done

    def access_log(self) -> list[Doc]:
        if "access_log" not in self.readable:
            raise StoreError(f"{self.where}: the {self.role} role may not read the access log: an admin, or the "
                             f"database's owner, may")
        return list(self.all("access_log").values())

    def authority_figures(self, year: str) -> list[Doc]:
        """Every authority's aggregate figures for a financial year ('2017-18'), from the server's view (what
        authorities may see of each other); empty when the store holds fewer than two authorities."""
        if len(self.authorities) < 2:
            return []
        with self._conn() as conn:
            cur = conn.execute("SELECT * FROM st_authority_figures WHERE year = %s ORDER BY authority", (year,))
            names = [c.name for c in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            conn.rollback()
        return rows

    def refresh_authorities(self) -> None:
        with self._conn() as conn:
            row = conn.execute("SELECT array_agg(code ORDER BY code) FROM st_authorities").fetchone()
            conn.rollback()
        self.authorities = list(row[0] or []) if row else []

    def own_child_population(self) -> Optional[int]:
        """The child population of the one authority this copy holds, where it is set (for the annual report's
        rates: a region's shared settings cannot hold each authority's)."""
        if self.authority is None:
            return None
        for a in self.authority_list():
            if a["code"] == self.authority:
                return int(a["child_population"]) if a["child_population"] else None
        return None

    def authority_list(self) -> list[Doc]:
        """The authorities of this store: code, name and child population."""
        with self._conn() as conn:
            cur = conn.execute("SELECT code, name, child_population FROM st_authorities ORDER BY code")
            rows = [{"code": r[0], "name": r[1], "child_population": r[2]} for r in cur.fetchall()]
            conn.rollback()
        return rows

    def copy_problem(self) -> Optional[str]:
        """Why this copy cannot be moved whole to another store, or None: only the database's owner reads the
        whole store (a role reads its part), and a store of several authorities moves one at a time."""
        if self.role is not None or not self.readable >= set(DOC_TABLES) | set(TRAIL_TABLES):
            return (f"only the database's owner can copy a whole store: the {self.role or 'login'} role reads only "
                    f"part of it")
        if len(self.authorities) > 1 and not self.scoped:
            return (f"it holds {len(self.authorities)} authorities ({', '.join(self.authorities)}), and a copy holds "
                    f"one: name it with --authority CODE")
        return None

    def close(self) -> None:
        self._close_listener()
        if self._pool is not None:
            self._finalizer.detach()
            self._pool.close()
            self._pool = None

    # --- moving a whole store in ------------------------------------------------------------------------
    def load_whole(self, tables: dict[str, dict[str, Doc]], last_seq: int, issued: dict[str, int],
                   progress: Progress = NO_PROGRESS) -> None:
        """Fill an empty database with a whole store (``migrate --from FILE --to URL``), in one transaction;
        then close this store and open the database afresh."""
        with self._conn() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            row = conn.execute("SELECT last_seq FROM st_state WHERE id = 1").fetchone()
            held = sum(int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in (*DOC_TABLES, *TRAIL_TABLES))
            if held or (row and int(row[0])):
                conn.rollback()
                raise StoreError(f"{self.where} already holds a store ({held} rows): a store is moved only into an "
                                 f"empty database, so that nothing is mixed or written over")
            cur = conn.cursor()
            for table in (*DOC_TABLES, *TRAIL_TABLES):
                docs = tables.get(table, {})
                with cur.copy(_COPY_SQL[table]) as copy:
                    for key, doc in counted(docs.items(), len(docs), progress, f"copying {table}"):
                        copy.write_row(_copy_row(table, key, doc, last_seq))
            conn.execute("UPDATE st_state SET last_seq = %s, issued = %s::jsonb, audit_next = %s, access_next = %s "
                         "WHERE id = 1", (last_seq, orjson.dumps(issued).decode(),
                                          max((int(k) for k in tables.get("audit", {})), default=0),
                                          max((int(k) for k in tables.get("access_log", {})), default=0)))
            if last_seq:
                conn.execute("INSERT INTO st_transactions (seq, at, username, changed) VALUES (%s, %s, %s, %s)",
                             (last_seq, now_iso(), self.user, '[["*", "*"]]'))
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(last_seq)))
            conn.commit()
        # (not loaded back here: the caller lets go of ``tables`` and opens the store afresh, so that a large
        # store is never held twice)


_COPY_SQL = {
    **{t: f"COPY {t} (key, doc, rev, seq) FROM STDIN" for t in DOC_TABLES},
    "audit": "COPY audit (id, seq, tbl, ref, field, at, username, entry) FROM STDIN",
    "access_log": "COPY access_log (id, at, username, what, entry) FROM STDIN",
}


def _copy_row(table: str, key: str, doc: Doc, seq: int) -> tuple[Any, ...]:
    if table == "audit":
        return (int(key), doc.get("seq") or 0, doc.get("table", "contacts"), doc["ref"], doc["field"], doc["at"],
                doc["user"], orjson.dumps(doc).decode())
    if table == "access_log":
        return (int(key), doc["at"], doc["user"], doc["what"], orjson.dumps(doc).decode())
    body = orjson.dumps({k: v for k, v in doc.items() if k != "_rev"}).decode()
    return (key, body, int(doc.get("_rev", 1)), seq)


class Written:
    """What a transaction wrote, applied to this process's copy once the server has committed it."""

    def __init__(self, seq: int, at: str):
        self.seq, self.at = seq, at
        self.token = secrets.token_hex(16)      # written with the commit: how a lost answer is asked after
        self.changed: list[tuple[str, str]] = []
        self.puts: list[tuple[tuple[str, str], Doc]] = []
        self.audit: list[tuple[str, Doc]] = []
        self.access: list[tuple[str, Doc]] = []
        self.rewritten: list[tuple[str, Doc]] = []
        self.issued: dict[str, int] = {}


class RedactionSession:
    """A redaction on the server: the record and every audit value about it, in one transaction."""

    def __init__(self, store: PostgresStore):
        self.store = store

    def redact(self, table: str, ref: str, *, on: date, user: str) -> Redacted:
        """The record and its trail, as the file store's step 2 does them (there is no ledger, no journal to
        compact and no backup of the store's own to scrub: the server's transaction is all or nothing)."""
        intent = Redaction(table=table, ref=ref, on=on, user=user, at=now_iso())
        return Redacted(fields=redact_records(self.store, [intent], default_rules()), warnings=(PG_DUMP_NOTE,))
