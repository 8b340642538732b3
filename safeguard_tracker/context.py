"""What every service needs: the store, who is working, the working date, the store's settings and
vocabularies, and model objects for stored documents (kept while their revision is unchanged).

One Context is shared by the services of one open tracker; nothing in it is
specific to an area.
"""

from __future__ import annotations

import itertools
import threading
from datetime import date, datetime
from typing import Any, Callable, Optional, Protocol, TypeVar, cast

from attrs import AttrsInstance

from .convert import from_doc, to_doc
from .model.enums import Choice
from .errors import ConflictError, UnknownReference
from .store.check import RECORD_TABLES
from .store.issued import issued_in_keys, merge_issued
from .store.protocol import Changed, Doc, Store, Transaction
from .taxonomy import Taxonomy
from .vocab.entries import Vocabulary
from .vocab.stored import stored_entries

# Model objects kept for reuse.  Bounded: a script that walks 100,000 contacts must not keep
# 100,000 Contact objects alive on top of the stored documents.
CACHE_LIMIT = 20_000


class Record(AttrsInstance, Protocol):
    """A model object kept in a table under its reference, with the revision it was read at."""

    @property
    def reference(self) -> str: ...

    @property
    def rev(self) -> int: ...


C = TypeVar("C", bound=Choice)          # a fixed vocabulary: Category, Outcome, Harm
T = TypeVar("T", bound=AttrsInstance)   # a model class the converter can build from a stored document
K = TypeVar("K")                        # derived data kept up to date with the store (an index)
R = TypeVar("R", bound=Record)          # a model object stored under its reference


class Context:
    """The store and the working state shared by every service of one open tracker."""

    def __init__(self, store: Store, today: Optional[Callable[[], date]] = None):
        self.store = store
        self._today = today or date.today
        self._cache: dict[tuple[str, str], tuple[int, object]] = {}
        self._taxonomy: Optional[Taxonomy] = None
        self._plan_taxonomy: Optional[tuple[Taxonomy, Taxonomy]] = None      # (the agencies it was built on, it)
        self._vocabularies: dict[str, Vocabulary] = {}
        self._kept: dict[str, tuple[tuple[int, int], Any]] = {}     # name: (the store's mark, the derived data)
        self._asked: set[str] = set()                                # derived data asked for once (``asked_again``)
        self.kept_lock = threading.RLock()   # held while kept data is moved on or read (see ``kept``)

    @property
    def user(self) -> str:
        return self.store.user

    def today(self) -> date:
        """The working date: a store can be frozen at a date (the demo is), else the clock."""
        fixed = self.settings.get("fixed_today")
        if fixed:
            return date.fromisoformat(fixed)
        return self._today()

    def now(self) -> datetime:
        return datetime.now().astimezone().replace(microsecond=0)

    def refresh(self) -> list[tuple[str, str]]:
        """Pick up other users' changes.  Returns what changed."""
        changed = self.store.refresh()
        if changed:
            self.forget_vocabularies()
            # A record can change without a new revision (a past view rebuilt after a redaction): forget its object.
            for key in changed:
                if key == ("*", "*"):
                    self._cache.clear()
                    break
                self._cache.pop(key, None)
        return changed

    def asked_again(self, name: str) -> bool:
        """Whether derived data ``name`` is held, or has been asked for before: worth building and keeping
        only when it will be used more than once (a one-off question is cheaper answered directly)."""
        if name in self._kept or name in self._asked:
            return True
        self._asked.add(name)
        return False

    def kept(self, name: str, build: Callable[[], K], update: Callable[[K, Changed], K]) -> K:
        """Derived data (an index) kept up to date with the store: built once by ``build()``, then moved on
        by ``update(data, changed)`` with only the (table, key) pairs changed since, or built again when the
        store cannot say what changed.  The cost of a use is what changed, not the size of the store."""
        with self.kept_lock:          # (the TUI asks from worker threads too: one update at a time)
            held = self._kept.get(name)
            mark = self.store.change_mark()
            if held is not None:
                if held[0] == mark:
                    return cast(K, held[1])
                changed = self.store.changed_since(held[0])
                if changed is not None:
                    data = update(cast(K, held[1]), changed)
                    self._kept[name] = (mark, data)
                    return data
            data = build()
            self._kept[name] = (mark, data)
            return data

    def highest_issued(self, prefix: str) -> int:
        """The highest number ever issued for a reference prefix ('L-2018-', 'A-'): the store's floor,
        which keeps the references of records no longer there (a restore), or the records present,
        whichever is higher.  The records' highest numbers (``store.issued.issued_in_keys``, as the
        snapshot's header counts them) are kept beside the store (``kept``), so handing out a reference
        costs the same at 100,000 records as at 1,000."""
        def build() -> dict[str, int]:
            return issued_in_keys(key for table in RECORD_TABLES for key in self.store.all(table))

        def update(found: dict[str, int], changed: Changed) -> dict[str, int]:
            return merge_issued(found, issued_in_keys(key for table, key in changed if table in RECORD_TABLES))

        found = self.kept("references issued among the records", build, update)
        return max(self.store.issued_floor(prefix), found.get(prefix, 0))

    # --- settings ----------------------------------------------------------------
    @property
    def settings(self) -> Doc:
        doc = self.store.get("settings", "config") or {}
        return {k: v for k, v in doc.items() if k not in ("_rev", "reference")}

    def update_settings(self, **values: Any) -> Doc:
        """Change store-wide settings (agency list, deadline rules); audited like any record."""
        with self.store.transaction() as txn:
            doc = dict(txn.get("settings", "config") or {"reference": "config"})
            doc.update(values)
            txn.put("settings", "config", doc)
        self.forget_vocabularies()
        return self.settings

    # --- vocabularies ------------------------------------------------------------------
    def vocabulary(self, kind: str) -> Vocabulary:
        """The store's list of ``kind`` (agencies, partners, categories, outcomes, harms): its own, once it
        has one, else the one it was made with (the board's, and its older agency settings)."""
        cached = self._vocabularies.get(kind)
        if cached is None:
            cached = self._vocabularies[kind] = Vocabulary(kind, stored_entries(self.settings, kind))
        return cached

    def local_value(self, kind: str, text: str) -> Optional[str]:
        """The built-in value (a category, outcome or harm) a local label names, or None."""
        return self.vocabulary(kind).lookup(text)

    def parse_choice(self, enum: type[C], kind: str, value: object, field: str, row: Optional[int] = None) -> C:
        """A category, outcome or harm from a value or one of the store's local labels for it
        ("Founded" -> substantiated where the outcomes list has that alias)."""
        if isinstance(value, str):
            found = self.local_value(kind, value)
            if found is not None:
                return enum(found)
        return enum.parse(value, field, row)

    @property
    def taxonomy(self) -> Taxonomy:
        """The employing agencies: the store's own list, else the board's."""
        if self._taxonomy is None:
            self._taxonomy = Taxonomy(entries=self.vocabulary("agencies").entries)
        return self._taxonomy

    @property
    def plan_agencies(self) -> Taxonomy:
        """The agency list plus the plan-only partners (the board itself): who can own or lead an action."""
        base = self.taxonomy
        cached = self._plan_taxonomy
        if cached is None or cached[0] is not base:
            partners = self.vocabulary("partners").entries
            cached = (base, Taxonomy(entries=tuple(base.entries) + tuple(p for p in partners if p.name not in base)))
            self._plan_taxonomy = cached
        return cached[1]

    def forget_vocabularies(self) -> None:
        self._taxonomy = None
        self._plan_taxonomy = None
        self._vocabularies = {}

    # --- records ---------------------------------------------------------------------
    def load(self, cls: type[T], table: str, key: str, kind: str) -> T:
        """The model object stored under ``key``, or UnknownReference naming the ``kind`` of record."""
        doc = self.store.get(table, key)
        if doc is None:
            raise UnknownReference(key, kind, self.unseen(table))
        return self.structure(cls, table, key, doc)

    def unseen(self, table: str) -> Optional[str]:
        """Why this login sees none of ``table`` (a role of a PostgreSQL store), or None."""
        why = getattr(self.store, "unseen", None)
        return why(table) if why is not None else None

    def structure(self, cls: type[T], table: str, key: str, doc: Doc) -> T:
        """The model object for a stored document, reused while the document's revision is unchanged."""
        rev = doc.get("_rev", 0)
        cache = self._cache
        hit = cache.get((table, key))
        if hit is not None and hit[0] == rev:
            return cast(T, hit[1])      # one table holds one model class, so the kept object is a ``cls``
        obj = from_doc(cls, doc)
        if len(cache) >= CACHE_LIMIT and (table, key) not in cache:
            # The oldest quarter.  pop, not del: the TUI structures records in worker threads too, and
            # two threads evicting at once each find the other's keys gone (a KeyError crashed the TUI).
            for old in list(itertools.islice(cache, CACHE_LIMIT // 4)):
                cache.pop(old, None)
        cache[(table, key)] = (rev, obj)
        return obj

    @staticmethod
    def put(txn: Transaction, table: str, obj: Record, expected_rev: Optional[int]) -> None:
        """Stage a model object under its reference."""
        txn.put(table, obj.reference, to_doc(obj), expected_rev=expected_rev)

    def change_record(self, table: str, cls: type[R], reference: str, kind: str,
                       change: Callable[[R, Transaction], R], expected_rev: Optional[int],
                       after: Optional[Callable[[R, R, Transaction], None]] = None) -> R:
        """Read, check the revision, change and write one record in one transaction.

        ``after(old, new, txn)`` runs once the change is staged and may stage
        other records in the same transaction (a follow-up, or the actions whose
        relative due dates follow this change).
        """
        with self.store.transaction() as txn:
            doc = txn.get(table, reference)
            if doc is None:
                raise UnknownReference(reference, kind, self.unseen(table))
            current = self.structure(cls, table, reference, doc)
            if expected_rev is not None and expected_rev != current.rev:
                raise ConflictError(reference, expected_rev, current.rev, by=self.store.last_editor(reference))
            updated = change(current, txn)
            self.put(txn, table, updated, expected_rev=current.rev)
            if after is not None:
                after(current, updated, txn)
        return self.load(cls, table, reference, kind)
