"""What the plans' importers share: the tally of what an import does to each record, and the
conflicts that hold a row back.

``Tally`` sorts records into added, updated (with the fields that change) and unchanged, and
checks each change to a stored record against the row's revision (``importing.conflict_problem``);
a review keeps every recommendation the store holds.  ``RowProblems`` collects a CSV's problems so
that every bad row is reported at once; ``stale_conflict`` and ``recommendation_overwrite`` word
the conflicts of a CSV row.
"""

from __future__ import annotations

from typing import Callable, Optional, cast

from ..model import Review
from ..store.protocol import Doc, Store
from .actions import ActionService
from ..io.csvfiles import import_failed
from ..io.importing import (HISTORY, OVERWRITE_HINT, History, ImportResult, changed_fields, conflict_problem,
                            keep_history)

REVIEWS = "reviews"


class Tally:
    """Sorts records into added, updated (with the fields that change) and unchanged, and holds back
    the changes a row may not make (see ``importing.conflict_problem``)."""

    def __init__(self, store: Optional[Store] = None, overwrite: bool = False, table: str = "",
                 name: Callable[[tuple[str, ...]], str] = ".".join):
        self.added: list[str] = []
        self.updated: dict[str, tuple[str, ...]] = {}
        self.unchanged: list[str] = []
        self.overwritten: list[str] = []
        self.problems: list[tuple[int, str]] = []
        self.store, self.overwrite, self.table, self.name = store, overwrite, table, name

    def see(self, ref: str, existing: Optional[Doc], doc: Doc, *, where: Optional[str] = None,
            revision: Optional[int] = None, order: int = 0) -> bool:
        """Whether ``doc`` needs writing.  With ``where`` (a row of the file), a change to a stored
        record is checked against the row's revision; without, it follows from other rows."""
        if existing is None:
            self.added.append(ref)
            return True
        altered = keep_history(existing, doc, HISTORY.get(self.table, ()))
        if self.table == REVIEWS and keep_recommendations(existing, doc):
            altered += ("recommendations",)
        changed = changed_fields(existing, doc)
        if not changed:
            self.unchanged.append(ref)
            return False
        if where is not None:
            store = cast(Store, self.store)      # a tally that checks rows against revisions is given the store
            problem = conflict_problem(store, where, ref, existing, doc, revision, overwrite=self.overwrite,
                                       altered=altered, name=self.name)
            if problem is not None:
                self.problems.append((order, problem))
                return False
            if revision is None:
                self.overwritten.append(ref)
        self.updated[ref] = changed
        return True

    def raise_if_any(self, source: str) -> None:
        if self.problems:
            raise import_failed([p for _, p in sorted(self.problems, key=lambda x: x[0])], source=source)

    def result(self, source: str, rows: int, dry_run: bool) -> ImportResult:
        return ImportResult(source=source, rows=rows, added=tuple(self.added), updated=self.updated,
                            unchanged=tuple(self.unchanged), dry_run=dry_run, overwritten=tuple(self.overwritten))


def keep_recommendations(existing: Doc, doc: Doc) -> bool:
    """Keep every recommendation the store holds, and each one's impact finding: actions and the
    sub group's assurance hang on them.  Whether the file left any out."""
    stored = {r["number"]: r for r in existing.get("recommendations") or ()}
    incoming = {r["number"]: r for r in doc.get("recommendations") or ()}
    altered = False
    for n, r in stored.items():
        if n not in incoming:
            incoming[n], altered = r, True
        elif r.get("impact_finding") and not incoming[n].get("impact_finding"):
            incoming[n], altered = {**incoming[n], "impact_finding": r["impact_finding"]}, True
    if altered:
        doc["recommendations"] = [incoming[n] for n in sorted(incoming)]
    return altered


def stale_conflict(actions: ActionService, table: str, ref: Optional[str], revision: Optional[int],
                   number: int) -> Optional[str]:
    """For a row the workflow rules refuse: the conflict to report instead when the row was exported
    before its record last changed (the rules then only echo someone else's later change)."""
    doc = actions.ctx.store.get(table, ref) if ref else None
    if not ref or doc is None or revision is None or doc.get("_rev", 0) == revision:
        return None
    return conflict_problem(actions.ctx.store, f"row {number}", ref, doc, doc, revision, overwrite=False)


class RowProblems:
    """Collects row-level problems so every bad row is reported at once."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[int, str]] = []

    def fail(self, exc: Exception, row: int) -> None:
        text = str(exc)
        self.problems.append((row, text if text.startswith("row ") else f"row {row}: {text}"))

    def raise_if_any(self) -> None:
        if self.problems:
            raise import_failed([text for _, text in sorted(self.problems, key=lambda p: p[0])], source=self.source)


def recommendation_overwrite(actions: ActionService, rkey: str, review: Review, number: int, text: str,
                             row: int) -> Optional[str]:
    """Why a row may not change a stored recommendation's text: the actions file holds no revision of
    the review, so nothing shows the row was based on the text as stored.  None if it changes nothing."""
    stored = next((r for r in (actions.ctx.store.get(REVIEWS, rkey) or {}).get("recommendations", ())
                   if r["number"] == number), None)
    if stored is None or stored["text"] == text:
        return None
    last = History(actions.ctx.store, rkey).last().get(("recommendations",))
    who = f" (last changed by {last.get('user', '?')})" if last else ""
    return (f"row {row}: recommendation {number} of {review.title} would change: recommendation_text "
            f"'{stored['text'][:40]}' -> '{text[:40]}'{who}; the actions file holds no revision of the review, so "
            f"change the text with `review` commands, or {OVERWRITE_HINT}")
