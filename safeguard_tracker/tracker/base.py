"""The tracker: the one entry point for the CLI, the TUI and analysts' scripts.

It validates input, applies the workflow rules, and writes through the store,
so every change is checked, locked, audited and attributed to ``user``.
"""

from __future__ import annotations

import itertools
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

import attrs

from ..convert import from_doc, to_doc
from ..errors import UnknownReference
from ..store import Store, check_store
from ..taxonomy import DEFAULT_TAXONOMY, Taxonomy

T = TypeVar("T")

ENV_DB = "SAFEGUARD_TRACKER_DB"
# Model objects kept for reuse.  Bounded: a script that walks 100,000 contacts must not keep
# 100,000 Contact objects alive on top of the stored documents.
CACHE_LIMIT = 20_000


def default_store_path() -> Path:
    """$SAFEGUARD_TRACKER_DB, else store.json in the user's data folder."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    import platformdirs
    folder = Path(platformdirs.user_data_dir("safeguard-tracker", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "store.json"


@attrs.frozen
class Change:
    """One entry of the audit trail: who changed which field of which record, from what to what."""
    at: datetime
    user: str
    reference: str
    field: str
    old: Any
    new: Any
    table: str = "contacts"
    seq: int = 0

    @classmethod
    def from_entry(cls, a: dict) -> "Change":
        return cls(at=datetime.fromisoformat(a["at"]), user=a["user"], reference=a["ref"], field=a["field"],
                   old=a.get("old"), new=a.get("new"), table=a.get("table", "contacts"), seq=a.get("seq", 0))

    @property
    def description(self) -> str:
        if self.field == "*":
            return "created"
        return f"{self.field}: {_short(self.old)} -> {_short(self.new)}"


def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "" or value == []:
        return "(blank)"
    if isinstance(value, list) and value and isinstance(value[-1], dict):
        last = value[-1]
        text = last.get("text") or last.get("rationale") or last.get("reason") or last.get("kind") or last
        value = f"{len(value)} item(s); latest: {text}"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def normalise_reference(reference: str) -> str:
    """'l-2018-0042' -> 'L-2018-0042'; 'a-6' -> 'A-000006': references as people type them."""
    ref = reference.strip()
    if re.fullmatch(r"(?i)a-?\d{1,9}", ref):
        return f"A-{int(re.sub(r'(?i)a-?', '', ref)):06d}"
    if re.match(r"(?i)^[lr]-", ref):
        return ref.upper()
    return ref


class TrackerBase:
    """Store handling, settings, model (un)structuring and history, shared by every area."""

    def __init__(self, store: Store, today: Optional[Callable[[], date]] = None):
        self.store = store
        self._today = today or date.today
        self._cache: dict[tuple[str, str], tuple[int, Any]] = {}
        self._taxonomy: Optional[Taxonomy] = None
        self.last_warnings: list[str] = []

    # --- lifecycle -------------------------------------------------------------
    @property
    def user(self) -> str:
        return self.store.user

    @property
    def path(self) -> Path:
        return self.store.path

    def today(self) -> date:
        """The working date: a store can be frozen at a date (the demo is), else the clock."""
        fixed = self.settings.get("fixed_today")
        if fixed:
            return date.fromisoformat(fixed)
        return self._today()

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def refresh(self) -> list[tuple[str, str]]:
        """Pick up other users' changes.  Returns what changed."""
        changed = self.store.refresh()
        if changed:
            self._taxonomy = None
        return changed

    # --- settings ----------------------------------------------------------------
    @property
    def settings(self) -> dict:
        doc = self.store.get("settings", "config") or {}
        return {k: v for k, v in doc.items() if k not in ("_rev", "reference")}

    def update_settings(self, **values: Any) -> dict:
        """Change store-wide settings (agency list, deadline rules); audited like any record."""
        with self.store.transaction() as txn:
            doc = dict(txn.get("settings", "config") or {"reference": "config"})
            doc.update(values)
            txn.put("settings", "config", doc)
        self._taxonomy = None
        return self.settings

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            agencies = self.settings.get("agencies")
            self._taxonomy = Taxonomy(agencies) if agencies else DEFAULT_TAXONOMY
        return self._taxonomy

    def set_agencies(self, agencies: list[str]) -> None:
        self.update_settings(agencies=list(Taxonomy(agencies).agencies))

    # --- records ---------------------------------------------------------------------
    def _load(self, cls: type[T], table: str, key: str, kind: str) -> T:
        doc = self.store.get(table, key)
        if doc is None:
            raise UnknownReference(key, kind)
        return self._structure(cls, table, key, doc)

    def _structure(self, cls: type[T], table: str, key: str, doc: dict) -> T:
        """The model object for a stored document, reused while the document's revision is unchanged."""
        rev = doc.get("_rev", 0)
        cache = self._cache
        hit = cache.get((table, key))
        if hit is not None and hit[0] == rev:
            return hit[1]
        obj = from_doc(cls, doc)
        if len(cache) >= CACHE_LIMIT and (table, key) not in cache:
            for old in list(itertools.islice(cache, CACHE_LIMIT // 4)):  # the oldest quarter
                del cache[old]
        cache[(table, key)] = (rev, obj)
        return obj

    def _put(self, txn, table: str, obj: Any, expected_rev: Optional[int]) -> None:
        txn.put(table, obj.reference, to_doc(obj), expected_rev=expected_rev)

    def history(self, reference: str) -> list[Change]:
        """Every change to a record, oldest first, with who, when, field, old and new values."""
        reference = normalise_reference(reference)
        entries = self.store.history(reference)
        if not entries and not any(reference in self.store.tables[t] for t in ("contacts", "reviews", "actions")):
            raise UnknownReference(reference)
        return [Change.from_entry(a) for a in entries]

    def check(self) -> list[str]:
        """Integrity problems; an empty list means the store is sound."""
        self.store.refresh()
        return check_store(self.store)

    def now(self) -> datetime:
        return datetime.now().astimezone().replace(microsecond=0)
