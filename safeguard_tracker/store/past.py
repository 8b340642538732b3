"""A store as it stood at the end of a past day, rebuilt from its audit trail, read-only.

Every record is replayed from the trail up to the last change made on or
before the day (the day of each entry's own timestamp, in the writer's local
time).  Today's values filtered by date would not do: a case closed in June
would count as closed in a report as at 31 March.  A record entered after
the day did not exist then, so a report reproduces exactly what it said.

A day before the trail begins (the store was started, or an old log
imported, after it) has no history to replay.  Then every record stands as
``first_recorded`` decides from its own dates (the services pass
``model.on_the_day.as_it_stood``: as it stands now, with every event dated
after the day taken off, or absent if it did not exist yet), and
``PastTables.by_dates`` says so.

The settings and vocabularies are today's.  Nothing can be written, but
what is shown is logged: the access log goes to the live store.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional

import attrs

from ..dates import fmt
from ..errors import StoreWriteError
from ..progress import NO_PROGRESS, Progress, counted
from .check import RECORD_TABLES
from .gc_pause import gc_paused
from .item_changes import apply_change
from .protocol import Changed, Doc, Redacted, RedactionSession, Store, StoreFiles, Transaction

FirstRecorded = Callable[[str, Doc, str], Optional[Doc]]   # (table, latest version, day ISO) -> as it stood, or None


@attrs.frozen(kw_only=True)
class PastTables:
    """The record tables as they stood, and how many records were entered after the day."""
    tables: dict[str, dict[str, Doc]]
    entered_later: dict[str, int]        # table -> records entered after the day, shown as their dates tell
    not_yet: dict[str, int]              # table -> records entered after the day that are not shown
    trail_begins: Optional[date]         # the day of the first change to a record, None for an empty store
    by_dates: bool                       # the day is before the trail begins: records stand as their dates tell


def as_first_recorded(table: str, doc: Doc, day: str) -> Optional[Doc]:
    return dict(doc)


def rebuild_as_of(trail: Iterable[Doc], day: date, first_recorded: FirstRecorded = as_first_recorded,
                  total: int = 0, progress: Progress = NO_PROGRESS) -> PastTables:
    """The records as they stood at the end of ``day``, from ``trail`` (every audit entry, oldest first)."""
    iso = day.isoformat()
    rebuilt: dict[tuple[str, str], Doc] = {}
    revisions: dict[tuple[str, str], set[Any]] = {}
    later: dict[tuple[str, str], Doc] = {}
    first_day = ""
    with gc_paused():
        for a in counted(trail, total, progress, f"rebuilding the records as at {fmt(day)}"):
            table = a.get("table", "contacts")
            if table not in RECORD_TABLES:
                continue
            key = (table, a["ref"])
            at = str(a.get("at", ""))[:10]
            first_day = first_day or at
            if key in later:                       # entered after the day: followed to its latest version
                _apply(later, key, a)
                continue
            if at > iso:
                if key not in rebuilt:
                    _apply(later, key, a)
                continue
            _apply(rebuilt, key, a)
            revisions.setdefault(key, set()).add(a.get("seq"))
    tables: dict[str, dict[str, Doc]] = {t: {} for t in RECORD_TABLES}
    for (table, ref), doc in rebuilt.items():
        tables[table][ref] = {**doc, "_rev": len(revisions[(table, ref)])}
    entered_later = dict.fromkeys(RECORD_TABLES, 0)
    not_yet = dict.fromkeys(RECORD_TABLES, 0)
    by_dates = bool(first_day) and iso < first_day
    for (table, ref), doc in later.items():
        stood = first_recorded(table, doc, iso) if by_dates else None
        if stood is None:
            not_yet[table] += 1
        else:
            entered_later[table] += 1
            tables[table][ref] = {**stood, "_rev": 0}
    for table in RECORD_TABLES:            # the store's own order: by reference, as the live tables are kept
        tables[table] = dict(sorted(tables[table].items()))
    return PastTables(tables=tables, entered_later=entered_later, not_yet=not_yet,
                      trail_begins=date.fromisoformat(first_day) if first_day else None, by_dates=by_dates)


def _apply(records: dict[tuple[str, str], Doc], key: tuple[str, str], entry: Doc) -> None:
    if entry["field"] == "*":
        records[key] = dict(entry["new"] or {})
    else:
        apply_change(records.setdefault(key, {}), entry)


class PastTransaction:
    """Reads what stood on the day; refuses every write; passes access-log entries to the live store."""

    def __init__(self, past: "PastStore") -> None:
        self._past = past
        self.access: list[dict[str, Any]] = []

    def get(self, table: str, key: str) -> Optional[Doc]:
        return self._past.get(table, key)

    def exists(self, table: str, key: str) -> bool:
        return self._past.get(table, key) is not None

    def put(self, table: str, key: str, doc: Doc, expected_rev: Optional[int] = None,
            user: Optional[str] = None) -> Doc:
        raise StoreWriteError(f"{self._past.read_only}; nothing was saved")

    def staged_keys(self, table: str) -> Iterable[str]:
        return ()

    def log_access(self, what: str, detail: str = "", target: str = "", records: int = 0) -> None:
        self.access.append({"what": what, "detail": f"{detail} (as at {fmt(self._past.day)})".lstrip(),
                            "target": target, "records": records})


class PastStore:
    """``live`` as it stood at the end of ``day``: the ``Store`` protocol, read-only.

    ``read_only`` says why nothing can be saved; the access log (who saw what) is the live store's,
    so showing a past case file is logged as showing a current one is.
    """

    def __init__(self, live: Store, day: date, first_recorded: FirstRecorded = as_first_recorded,
                 progress: Progress = NO_PROGRESS) -> None:
        self.live = live
        self.day = day
        trail = live.audit_trail()
        self.past = rebuild_as_of(trail, day, first_recorded, total=len(trail), progress=progress)
        settings = {k: dict(v) for k, v in live.all("settings").items()}
        if "fixed_today" in settings.get("config", {}):
            settings["config"]["fixed_today"] = day.isoformat()   # a frozen store's working date is the day shown
        self._tables: dict[str, dict[str, Doc]] = {**self.past.tables, "settings": settings}
        self.user = live.user
        self.warnings: list[str] = []
        if self.past.by_dates and self.past.trail_begins is not None:
            self.warnings.append(f"the audit trail begins on {fmt(self.past.trail_begins)}, after "
                                 f"{fmt(day)}: records are shown as their own dates say they stood "
                                 f"(closed only if closed by then, without later meetings and notes)")
        self.read_only: Optional[str] = (f"this is the store as it stood at the end of {fmt(day)}, "
                                         f"rebuilt from its audit trail: a view of the past cannot be changed")
        self.last_seq = live.last_seq
        self.listeners: list[Callable[[Changed], None]] = []

    @property
    def location(self) -> str:
        return f"{self.live.location} (as at {fmt(self.day)})"

    @property
    def files(self) -> Optional[StoreFiles]:
        return self.live.files

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        txn = PastTransaction(self)
        yield txn
        if txn.access:
            with self.live.transaction() as live:
                for entry in txn.access:
                    live.log_access(**entry)

    def get(self, table: str, key: str) -> Optional[Doc]:
        return self._tables.get(table, {}).get(key)

    def all(self, table: str) -> Mapping[str, Doc]:
        return self._tables.get(table, {})

    def audit_trail(self) -> list[Doc]:
        iso = self.day.isoformat()
        return [a for a in self.live.audit_trail() if str(a.get("at", ""))[:10] <= iso]

    def history(self, ref: str) -> list[Doc]:
        iso = self.day.isoformat()
        return [a for a in self.live.history(ref) if str(a.get("at", ""))[:10] <= iso]

    def last_editor(self, ref: str) -> Optional[str]:
        entries = self.history(ref)
        return entries[-1].get("user") if entries else None

    def issued_floor(self, prefix: str) -> int:
        return self.live.issued_floor(prefix)

    def refresh(self) -> Changed:
        return []                         # the past does not change

    def change_mark(self) -> tuple[int, int]:
        return (0, 0)

    def changed_since(self, mark: tuple[int, int]) -> Optional[Changed]:
        return []

    def check(self, progress: Progress = NO_PROGRESS) -> list[str]:
        return self.live.check(progress)

    @contextmanager
    def redaction(self) -> Iterator[RedactionSession]:
        raise StoreWriteError(f"{self.read_only}; nothing was redacted")
        yield  # pragma: no cover - unreachable; makes this a generator

    def finished_redactions(self) -> dict[tuple[str, str], Redacted]:
        return {}

    def access_log(self) -> list[Doc]:
        return self.live.access_log()

    def close(self) -> None:
        pass                              # the live store belongs to whoever opened it


__all__ = ["FirstRecorded", "PastStore", "PastTables", "as_first_recorded", "rebuild_as_of"]
