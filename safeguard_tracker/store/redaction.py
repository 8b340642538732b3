"""Redaction on the store's side: the ledger, and every file the store keeps brought into line with it.

Which fields are personal is the domain's rule (``safeguard_tracker.lado.privacy``
hands it over as a ``Rule`` per table); this module does the file work, so
the store stays the only writer of its files.

**The ledger** (``redaction_ledger.py``) lists each redaction, pending or complete, in a file
beside the store that a restore does not roll back.

**The steps**, each idempotent, all under the store lock with SIGINT and
SIGTERM deferred (``signals.deferred_signals``):

1. intent: a ``pending`` line, fsynced before anything else is touched;
2. the record and every audit entry about it, in one transaction;
3. compaction, so that the journal's earlier lines, which hold the values, go;
4. every backup scrubbed the same way (rotating backups, schema-migration
   copies, and whatever in ``damaged/`` is still a readable snapshot), each
   keeping its name and times; a copy that cannot be read is reported;
5. a ``complete`` line.

A redaction is *outstanding* while its last line says pending, or while the
live record it names is not redacted (a backup restored, by ``restore`` or
by hand).  ``finish_outstanding`` marks each outstanding one pending (if its
last line does not say so already) and runs steps 2-5, on every writable
open and at the end of every restore; ``session`` does the same before a new
redaction.  So an interrupted redaction is finished, an interrupted
re-application is finished too, and a restore never brings the values back.  A redaction finished by the process
that opened the store is remembered (``take_finished``), so a second
``redact`` of the same record reports it finished rather than refusing.
"""

from __future__ import annotations

import os
import weakref
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator, Optional, Protocol

import attrs
import orjson

from ..errors import StoreCorrupt, StoreError, StoreWriteError, ValidationError
from ..model.personal_data import audit_rewrite_fields, redact_at, redact_doc
from ..signals import deferred_signals
from .files import atomic_write
from .protocol import Doc, Redacted
from .redaction_ledger import COMPLETE, PENDING, LedgerHost, Redaction, append_to_ledger, read_ledger
from .transaction import RedactValue, Transaction, redact_audit_values
from .format import RawTable, decode_snapshot, encode_snapshot

RETRIED = "it is retried when the store is next opened with write access, and at the next redaction"


@attrs.frozen
class Rule:
    """The domain's redaction rule for one table."""
    redact: Callable[[Doc, date], Doc]                       # the stored document without its personal data
    trail_value: RedactValue                                 # a value of the trail, redacted by where it sits
    trail_fields: Callable[[Doc, list[Doc]], dict[str, Any]]  # the fields whose past values the trail loses


@attrs.frozen(kw_only=True)
class Finished(Redacted):
    """What a run of steps 2-5 did."""
    redactions: tuple[Redaction, ...]
    complete: bool                          # False: a step failed and the redaction is still pending


# The domain's rule (model/personal_data.py): which fields are personal is not the store's decision.
DEFAULT_RULES: dict[str, Rule] = {"contacts": Rule(redact=redact_doc, trail_value=redact_at,
                                                  trail_fields=audit_rewrite_fields)}


def default_rules() -> dict[str, Rule]:
    return DEFAULT_RULES


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


# --- which redactions are outstanding ---------------------------------------------------------------------

def _live_doc(store: LedgerHost, table: str, ref: str) -> Optional[Doc]:
    try:
        return store.all(table).get(ref)
    except KeyError:
        return None


def _outstanding(store: LedgerHost, ledger: dict[tuple[str, str], Redaction]) -> list[Redaction]:
    """Pending lines, and completed ones whose live record is not redacted (a restored backup)."""
    out = []
    for (table, ref), r in ledger.items():
        doc = _live_doc(store, table, ref)
        if r.state == PENDING or (doc is not None and not doc.get("redacted_on")):
            out.append(r)
    return out


def _unlisted(store: LedgerHost, ledger: dict[tuple[str, str], Redaction], rules: dict[str, Rule]) -> list[Redaction]:
    """Redacted records the ledger does not name, as pending lines (their backups may still hold values)."""
    found = []
    for table in rules:
        for ref, doc in store.all(table).items():
            on = doc.get("redacted_on")
            if on and (table, ref) not in ledger:
                marks = [a for a in store.history(ref) if a.get("field") == "redacted_on"]
                user = marks[-1].get("user") if marks else store.user
                found.append(Redaction(table=table, ref=ref, on=date.fromisoformat(on), user=user or store.user,
                                       at=_now()))
    return found


# --- the steps ------------------------------------------------------------------------------------------

def _trail_changes(history: list[Doc], ref: str, rule: Rule) -> bool:
    copies = [dict(a) for a in history]
    redact_audit_values(copies, ref, rule.trail_value)
    return copies != history


class TrailHost(Protocol):
    """What step 2 needs from a store, either kind: a transaction, and a record's trail."""

    def transaction(self) -> ContextManager[Transaction]: ...

    def history(self, ref: str) -> list[Doc]: ...


def redact_records(store: TrailHost, todo: list[Redaction], rules: dict[str, Rule]) -> dict[str, tuple[str, ...]]:
    """Step 2: the records and their trails, in one transaction (nothing is written if nothing changes).
    The whole of a redaction on the server store, whose transaction is all or nothing."""
    removed: dict[str, tuple[str, ...]] = {}
    with store.transaction() as txn:
        for r in todo:
            rule = rules[r.table]
            doc = txn.get(r.table, r.ref)
            history = store.history(r.ref)
            if doc is None or doc.get("redacted_on"):
                redacted = doc
            else:
                redacted = rule.redact(doc, r.on)
                if redacted is not doc:
                    txn.put(r.table, r.ref, redacted, user=r.user)
            # not even this transaction's own journal line may hold the values
            redact_audit_values(txn.audit, r.ref, rule.trail_value)
            if _trail_changes(history, r.ref, rule):
                txn.redact_audit(r.table, r.ref)
            removed[r.ref] = tuple(rule.trail_fields(redacted or {}, history))
    return removed


def _compact(store: LedgerHost) -> None:
    """Step 3: fold the journal away, torn last line and all (an unacknowledged line may hold a value too).

    Always, rather than judging whether the journal holds anything: finishing
    is rare, and a compaction is what the original redaction did anyway.
    """
    store.compact()


def _scrub_legacy(tables: dict[str, dict[str, Any]], present: list[Redaction], rules: dict[str, Rule]) -> bool:
    """A schema-0 copy (plain TinyDB JSON, keyed by doc_id): redact each document that names a reference."""
    changed = False
    wanted: dict[Optional[str], Redaction] = {r.ref: r for r in present}   # looked up by a copy's unchecked reference
    for docs in tables.values():
        for key, doc in list(docs.items()):
            r = wanted.get(doc.get("reference")) if isinstance(doc, dict) else None
            if r is not None and not doc.get("redacted_on"):
                docs[key] = rules[r.table].redact(doc, r.on)
                changed = True
    return changed


def _scrub_snapshot(info: Any, present: list[Redaction], rules: dict[str, Rule], path: Path) -> Optional[list[Any]]:
    """A snapshot copy: redact as the live store was, recording the redaction so the copy stays sound.

    The copy keeps its transaction number, so that it still lines up with
    any journal that continues it: the ``redacted_on`` entry carries that
    number, and the record's revision is recounted from its entries, as
    ``check`` counts it.
    """
    tables = info.tables
    changed = False
    for r in present:
        docs = tables.get(r.table) or {}
        doc = docs.get(r.ref)
        if doc is not None and doc.get("redacted_on"):
            continue                      # a copy of a redacted state: its trail was rewritten with it
        if isinstance(tables.get("audit"), RawTable):
            tables["audit"] = tables["audit"].load(path)
        audit = tables.get("audit") or {}
        history = [a for a in audit.values() if a.get("ref") == r.ref]
        redacted = rules[r.table].redact(doc, r.on) if doc is not None else {}
        if _trail_changes(history, r.ref, rules[r.table]):
            redact_audit_values(history, r.ref, rules[r.table].trail_value)
            changed = True
        if doc is not None:
            audit[str(len(audit) + 1)] = {"at": _now(), "user": r.user, "table": r.table, "ref": r.ref,
                                          "field": "redacted_on", "old": None, "new": r.on.isoformat(),
                                          "seq": info.last_seq}
            revision = len({a.get("seq") for a in history} | {info.last_seq})
            docs[r.ref] = {**redacted, "_rev": revision}
            tables["audit"] = audit
            changed = True
    if not changed:
        return None
    issued = getattr(info, "issued", None)    # the highest references issued: a restore must not reissue them
    return encode_snapshot(tables, info.last_seq, schema=info.schema, **({"issued": issued} if issued else {}))


def _scrub_file(path: Path, todo: list[Redaction], rules: dict[str, Rule]) -> str:
    """Step 4 for one file: 'scrubbed', 'clean', 'unreadable' (damaged: report it) or 'unwritten' (retry)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return "unreadable"
    present = [r for r in todo if r.ref.encode() in raw]
    if not present:
        return "clean"                    # the records are not in this copy at all
    try:
        info = decode_snapshot(raw, path, lazy=("audit",))
    except StoreError:
        return "unreadable"               # damaged: it cannot be rewritten, only deleted
    del raw
    if info.legacy:
        data: Any = orjson.dumps(info.tables) if _scrub_legacy(info.tables, present, rules) else None
    else:
        try:
            data = _scrub_snapshot(info, present, rules, path)
        except StoreError:
            return "unreadable"
    if data is None:
        return "clean"
    st = path.stat()
    try:
        atomic_write(path, data)
    except StoreWriteError:
        return "unwritten"
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return "scrubbed"


def _scrub_backups(store: LedgerHost, todo: list[Redaction], rules: dict[str, Rule]) -> dict[str, list[Path]]:
    """Step 4: every file under the backups folder, each rewritten at most once for all of ``todo``."""
    found: dict[str, list[Path]] = {"scrubbed": [], "clean": [], "unreadable": [], "unwritten": []}
    if not store.backup_dir.is_dir():
        return found
    for path in sorted(p for p in store.backup_dir.rglob("*") if p.is_file() and not p.name.startswith(".")):
        found[_scrub_file(path, todo, rules)].append(path)
    return found


def _finish(store: LedgerHost, todo: list[Redaction], rules: dict[str, Rule]) -> Finished:
    """Steps 2-5 for ``todo``; a failed step leaves them pending, to be retried, and says so."""
    if store.progress:
        store.progress(f"finishing the redaction of {', '.join(r.ref for r in todo)}")
    fields = redact_records(store, todo, rules)
    warnings: list[str] = []
    complete = True
    try:
        _compact(store)
    except StoreWriteError as exc:
        complete = False
        warnings.append(f"the record is redacted, but the journal could not be compacted ({exc}), so the removed "
                        f"values stay in {store.journal_path} for now; {RETRIED}")
    files = _scrub_backups(store, todo, rules)
    if files["unwritten"]:
        complete = False
        warnings.append(f"{len(files['unwritten'])} backup(s) could not be rewritten, so they still hold the removed "
                        f"values ({', '.join(str(p) for p in files['unwritten'])}); {RETRIED}")
    if files["unreadable"]:
        warnings.append(f"{len(files['unreadable'])} cop(ies) could not be read, so may still hold the removed values; "
                        f"delete them when they are no longer needed: "
                        + ", ".join(str(p) for p in files["unreadable"]))
    if complete:
        append_to_ledger(store, [attrs.evolve(r, state=COMPLETE, at=_now()) for r in todo])
    return Finished(redactions=tuple(todo), fields=fields, backups_scrubbed=tuple(files["scrubbed"]),
                    not_scrubbed=tuple(files["unreadable"] + files["unwritten"]), warnings=tuple(warnings),
                    complete=complete)


# --- entry points -----------------------------------------------------------------------------------------

_finished_here: "weakref.WeakKeyDictionary[LedgerHost, dict[tuple[str, str], Finished]]" = weakref.WeakKeyDictionary()


def _finish_outstanding(store: LedgerHost, rules: dict[str, Rule]) -> Optional[Finished]:
    ledger = read_ledger(store)
    todo = _outstanding(store, ledger)
    unknown = [r for r in todo if r.table not in rules]
    if unknown:
        todo = [r for r in todo if r.table in rules]
        store.warnings.append(f"the redaction ledger names {', '.join(r.ref for r in unknown)} in a table this "
                              f"version cannot redact ({', '.join(sorted({r.table for r in unknown}))}); "
                              f"use the version that redacted them")
    if store.read_only:
        if todo:
            store.warnings.append(f"the redaction of {', '.join(r.ref for r in todo)} is unfinished, so removed values "
                                  f"may still be in the store's files; it is finished when the store is next opened "
                                  f"with write access")
        return None
    todo += _unlisted(store, ledger, rules)
    if not todo:
        return None
    # Pending again before anything is touched, so that an interruption from here on is finished next time.
    todo = [r if r.state == PENDING and (r.table, r.ref) in ledger else attrs.evolve(r, state=PENDING, at=_now())
            for r in todo]
    append_to_ledger(store, [r for r in todo if ledger.get((r.table, r.ref)) != r])
    done = _finish(store, todo, rules)
    remembered = _finished_here.setdefault(store, {})
    for r in todo:
        remembered[(r.table, r.ref)] = done
    return done


def finish_outstanding(store: LedgerHost, rules: Optional[dict[str, Rule]] = None) -> Optional[Finished]:
    """Finish every outstanding redaction (the store's open and restore call this, holding the lock).

    A failure does not stop the store opening: it becomes a warning, and the
    redaction stays outstanding for the next writable open or redaction.  A
    damaged ledger does stop it (see the module's doc).
    """
    with store.locked(), deferred_signals():
        try:
            done = _finish_outstanding(store, rules or default_rules())
        except StoreCorrupt:
            raise
        except (StoreError, ValidationError) as exc:   # (a record the rule cannot redact must not stop the store)
            store.warnings.append(f"an interrupted redaction could not be finished ({exc}); {RETRIED}")
            return None
    if done is not None:
        store.warnings.extend(done.warnings)
    return done


def take_finished(store: LedgerHost) -> dict[tuple[str, str], Finished]:
    """The interrupted redactions this process finished, by (table, reference), each reported once."""
    return _finished_here.pop(store, {})


@attrs.define
class Session:
    """A redaction in progress: the lock is held and signals deferred until the ``with`` block ends."""
    store: LedgerHost
    rules: dict[str, Rule]

    def redact(self, table: str, ref: str, *, on: date, user: str) -> Finished:
        """Steps 1-5 for one record, which the caller has checked may be redacted."""
        intent = Redaction(table=table, ref=ref, on=on, user=user, at=_now())
        append_to_ledger(self.store, [intent])
        return _finish(self.store, [intent], self.rules)


@contextmanager
def session(store: LedgerHost, rules: Optional[dict[str, Rule]] = None) -> Iterator[Session]:
    """Lock, defer signals, catch up, and finish any earlier interrupted redaction before a new one."""
    rules = rules or default_rules()
    with store.locked(), deferred_signals():
        store.refresh()
        _finish_outstanding(store, rules)
        yield Session(store, rules)
