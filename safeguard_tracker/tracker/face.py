"""The face's shared part: the services of one open store, and what belongs to the store as a whole."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Optional

from ..chase import DUE_SOON_DAYS, chase_list
from ..context import Context
from ..lado.casework import Casework
from ..lado.contacts import ContactService
from ..model import Change
from ..model.due import DueItem
from ..outputs import log_access, write_output
from ..plans.actions import ActionService
from ..plans.reviews import ReviewService
from ..references import normalise_reference
from ..errors import UnknownReference
from ..store.protocol import Store
from ..taxonomy import Taxonomy


class Face:
    """What every part of ``Tracker`` holds: the store, its context and one service per area."""

    def __init__(self, store: Store, today: Optional[Callable[[], date]] = None):
        self.store: Store = store
        self._ctx = Context(store, today)
        self._contacts = ContactService(self._ctx)
        self._casework = Casework(self._ctx, self._contacts)
        self._reviews = ReviewService(self._ctx)
        self._actions = ActionService(self._ctx, self._reviews)

    # --- the open store -------------------------------------------------------------------------
    @property
    def context(self) -> Context:
        """What the services share (the store, the working date, settings and vocabularies): for calling
        an area's functions directly, such as ``lado.deadlines.retention_items(t.context, ...)``."""
        return self._ctx

    @property
    def user(self) -> str:
        return self.store.user

    @property
    def location(self) -> str:
        """Where the store is: its file, or its database."""
        return self.store.location

    @property
    def path(self) -> Optional[Path]:
        """The store's file, for a file store."""
        files = self.store.files
        return files.data if files is not None else None

    def today(self) -> date:
        """The working date: a store can be frozen at a date (the demo is), else the clock."""
        return self._ctx.today()

    def now(self) -> datetime:
        return self._ctx.now()

    def close(self) -> None:
        self.store.close()

    def refresh(self) -> list[tuple[str, str]]:
        """Pick up other users' changes.  Returns what changed."""
        return self._ctx.refresh()

    def check(self) -> list[str]:
        """Integrity problems; an empty list means the store is sound."""
        return self.store.check()

    # --- settings --------------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        return self._ctx.settings

    def update_settings(self, **values: Any) -> dict:
        """Change store-wide settings (agency list, deadline rules); audited like any record."""
        return self._ctx.update_settings(**values)

    @property
    def taxonomy(self) -> Taxonomy:
        """The employing agencies: the store's own list, else the board's."""
        return self._ctx.taxonomy

    def set_agencies(self, agencies: list[str]) -> None:
        self.update_settings(agencies=list(Taxonomy(agencies).agencies))

    @property
    def plan_agencies(self) -> Taxonomy:
        """The agency list plus the plan-only owners (the board itself): who can own or lead."""
        return self._ctx.plan_agencies

    # --- across the areas --------------------------------------------------------------------------
    def history(self, reference: str) -> list[Change]:
        """Every change to a record, oldest first, with who, when, field, old and new values."""
        reference = normalise_reference(reference)
        entries = self.store.history(reference)
        if not entries and not any(self.store.get(t, reference) for t in ("contacts", "reviews", "actions")):
            raise UnknownReference(reference)
        return [Change.from_entry(a) for a in entries]

    def due(self, as_of: Any = None, within_days: int = DUE_SOON_DAYS,
            areas: tuple[str, ...] = ("lado", "action", "review")) -> list[DueItem]:
        """What is overdue, and what falls due within ``within_days``, most urgent first."""
        return chase_list(self._ctx, as_of, within_days, areas)

    def write_output(self, path: Any, content: str | bytes, *, what: str, personal: bool, records: int = 0,
                     detail: str = "") -> Path:
        """Write a report or export to a file (or '-', a FIFO, a terminal): atomically where it is a regular
        file, never over the store's own files, and logged when it holds personal data."""
        return write_output(self.store, path, content, what=what, personal=personal, records=records,
                            detail=detail)

    def log_access(self, what: str, *, target: str = "", records: int = 0, detail: str = "") -> None:
        """Record that personal data was shown or exported (who, when, what, where to)."""
        log_access(self.store, what, target=target, records=records, detail=detail)
