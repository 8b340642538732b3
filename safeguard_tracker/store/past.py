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
from .item_changes import replay_entry
from .protocol import Changed, Doc, Redacted, RedactionSession, Store, StoreFiles, Transaction

FirstRecorded = Callable[[str, Doc, str], Optional[Doc]]   # (table, latest version, day ISO) -> as it stood, or None


@attrs.frozen(kw_only=True)
class PastTables:
    """The record tables (and the settings) as they stood, and what was entered after the day."""
    tables: dict[str, dict[str, Doc]]
    settings: Optional[dict[str, Doc]]   # the settings as they stood; None when the trail holds none by then
    entered_later: dict[str, int]        # table -> records entered after the day, shown as their dates tell
    not_yet: dict[str, int]              # table -> records entered after the day that did not exist by then
    left_out: dict[str, list[tuple[str, str, str]]]   # table -> (reference, received or first date, day
    #                                      entered) of records that existed by their dates but were entered later
    trail_begins: Optional[date]         # the day of the first change to a record, None for an empty store
    by_dates: bool                       # the day is before the trail begins: records stand as their dates tell
    problems: tuple[str, ...] = ()       # audit entries that could not be replayed (``check`` names them too)


def entry_day(entry: Doc) -> str:
    """The day (ISO) an audit entry was made, in its writer's local time."""
    return str(entry.get("at", ""))[:10]


def cut_at(entries: Iterable[Doc], day: str) -> list[Doc]:
    """The entries up to each record's first change after ``day`` (ISO): the rebuild's own rule, so that a
    change stamped earlier by a clock set back never counts without the changes before it."""
    moved_on: set[tuple[str, str]] = set()
    kept = []
    for a in entries:
        key = (a.get("table", "contacts"), a["ref"])
        if key in moved_on:
            continue
        if entry_day(a) > day:
            moved_on.add(key)
        else:
            kept.append(a)
    return kept


def as_first_recorded(table: str, doc: Doc, day: str) -> Optional[Doc]:
    return dict(doc)


def rebuild_as_of(trail: Iterable[Doc], day: date, first_recorded: FirstRecorded = as_first_recorded,
                  total: int = 0, progress: Progress = NO_PROGRESS) -> PastTables:
    """The records as they stood at the end of ``day``, from ``trail`` (every audit entry, oldest first).

    A record's history is cut at its first change after the day: what follows it never counts, even when a
    clock set back (or a colleague's machine in another time zone) stamped it earlier.
    """
    iso = day.isoformat()
    rebuilt: dict[tuple[str, str], Doc] = {}
    revisions: dict[tuple[str, str], set[Any]] = {}
    later: dict[tuple[str, str], Doc] = {}
    entered: dict[tuple[str, str], str] = {}
    moved_on: set[tuple[str, str]] = set()        # records changed after the day: the rest of their trail is later
    settings: dict[tuple[str, str], Doc] = {}
    problems: list[str] = []
    first_day = ""
    tables: dict[str, dict[str, Doc]] = {t: {} for t in RECORD_TABLES}
    entered_later = dict.fromkeys(RECORD_TABLES, 0)
    not_yet = dict.fromkeys(RECORD_TABLES, 0)
    left_out: dict[str, list[tuple[str, str, str]]] = {t: [] for t in RECORD_TABLES}
    # The collector paused, then the rebuilt tables moved out of its sight (as the store's own are): without
    # it, the report that follows took three times as long at 100,000 contacts, walking them again and again.
    with gc_paused(freeze=True):
        for n, a in enumerate(counted(trail, total, progress, f"rebuilding the records as at {fmt(day)}"), 1):
            table = a.get("table", "contacts")
            key = (table, a["ref"])
            at = entry_day(a)
            if table in RECORD_TABLES:
                first_day = first_day or at
            elif table != "settings":
                continue
            try:
                if key in later:                   # entered after the day: followed to its latest version
                    replay_entry(later, key, a)
                elif key in moved_on:
                    continue
                elif at > iso:
                    if key in rebuilt or key in settings:
                        moved_on.add(key)
                    elif table in RECORD_TABLES:
                        replay_entry(later, key, a)
                        entered[key] = at
                    else:
                        moved_on.add(key)          # settings first written after the day: today's stand
                elif table == "settings":
                    replay_entry(settings, key, a)
                else:
                    replay_entry(rebuilt, key, a)
                    revisions.setdefault(key, set()).add(a.get("seq"))
            except ValueError as exc:
                moved_on.add(key)
                problems.append(f"{table} {key[1]}: audit entry {n} ({a.get('field')}) does not fit the record "
                                f"({exc}); the record is shown as it stood before it")
        for (table, ref), doc in rebuilt.items():
            tables[table][ref] = {**doc, "_rev": len(revisions[(table, ref)])}
        by_dates = bool(first_day) and iso < first_day
        for (table, ref), doc in later.items():
            stood = first_recorded(table, doc, iso)
            if stood is None:
                not_yet[table] += 1
            elif by_dates:
                entered_later[table] += 1
                tables[table][ref] = {**stood, "_rev": 0}
            else:
                left_out[table].append((ref, str(doc.get("received_on") or ""), entered[(table, ref)]))
        # An action stands with its review: one entered with a plan typed up later is not shown without it.
        tables["actions"] = {k: d for k, d in tables["actions"].items() if d.get("review") in tables["reviews"]}
        for table in RECORD_TABLES:        # the store's own order: by reference, as the live tables are kept
            tables[table] = dict(sorted(tables[table].items()))
    past_settings = {ref: doc for (_, ref), doc in settings.items()} if settings else None
    return PastTables(tables=tables, settings=past_settings, entered_later=entered_later, not_yet=not_yet,
                      left_out=left_out, trail_begins=date.fromisoformat(first_day) if first_day else None,
                      by_dates=by_dates, problems=tuple(problems))


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
        self._first_recorded = first_recorded
        trail = live.audit_trail()
        self.past = rebuild_as_of(trail, day, first_recorded, total=len(trail), progress=progress)
        # The settings (lists, targets, stated totals) as they stood, where the trail holds them by then.
        replayed = None if self.past.by_dates else self.past.settings
        settings = {k: dict(v) for k, v in (replayed or live.all("settings")).items()}
        if "fixed_today" in settings.get("config", {}):
            settings["config"]["fixed_today"] = day.isoformat()   # a frozen store's working date is the day shown
        self._tables: dict[str, dict[str, Doc]] = {**self.past.tables, "settings": settings}
        self.user = live.user
        self.warnings: list[str] = []
        self._note(self.past)
        self.read_only: Optional[str] = (f"this is the store as it stood at the end of {fmt(day)}, "
                                         f"rebuilt from its audit trail: a view of the past cannot be changed")
        self.last_seq = live.last_seq
        self.listeners: list[Callable[[Changed], None]] = []

    def _note(self, past: PastTables) -> None:
        """What the user must know about this view, in sentences (the CLI prints them; the report's
        reconciliation repeats the contacts left out)."""
        day = fmt(self.day)
        self.warnings = []
        if past.by_dates and past.trail_begins is not None:
            self.warnings.append(f"the audit trail begins on {fmt(past.trail_begins)}, after {day}: records are "
                                 f"shown as their own dates say they stood (closed only if closed by then, "
                                 f"without later meetings and notes)")
        for table, rows in past.left_out.items():
            if rows:
                entered = sorted(e for _, _, e in rows)
                when = fmt(date.fromisoformat(entered[0])) + (
                    f" to {fmt(date.fromisoformat(entered[-1]))}" if entered[-1] != entered[0] else "")
                self.warnings.append(f"{len(rows)} {table} dated on or before {day} were entered later ({when}): "
                                     f"they are not in this view, as the store did not hold them then "
                                     f"(as of a later day, they are)")
        if past.problems:
            self.warnings.append(f"{len(past.problems)} audit entr{'y' if len(past.problems) == 1 else 'ies'} "
                                 f"could not be replayed ({past.problems[0]}); run check")

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
        return cut_at(self.live.audit_trail(), self.day.isoformat())

    def history(self, ref: str) -> list[Doc]:
        return cut_at(self.live.history(ref), self.day.isoformat())

    def last_editor(self, ref: str) -> Optional[str]:
        entries = self.history(ref)
        return entries[-1].get("user") if entries else None

    def issued_floor(self, prefix: str) -> int:
        return self.live.issued_floor(prefix)

    def issued_numbers(self) -> dict[str, int]:
        return self.live.issued_numbers()

    def authority_figures(self, year: str) -> list[Doc]:
        return []    # the other authorities' figures are today's: a report as of a past day leaves them out

    def refresh(self) -> Changed:
        """The past does not change, but a redaction since reaches it: the live store is caught up with, and a
        record redacted there is rebuilt here from the trail, whose values the redaction removed too."""
        redacted = []
        for t, k in self.live.refresh():
            shown = self.get(t, k)
            if t == "*" or (shown is not None and
                            (self.live.get(t, k) or {}).get("redacted_on") != shown.get("redacted_on")):
                redacted.append((t, k))
        if not redacted:
            return []
        trail = self.live.audit_trail()
        self.past = rebuild_as_of(trail, self.day, self._first_recorded, total=len(trail))
        self._tables.update(self.past.tables)
        self._note(self.past)
        return redacted

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


__all__ = ["FirstRecorded", "PastStore", "PastTables", "as_first_recorded", "cut_at", "entry_day", "rebuild_as_of"]
