"""The dry run of a council's reviews or action-plan file: what each column and each word would become, and a
mapping.

``plan_plans_import`` reads the file (CSV, "Unicode text" or a workbook) and says, without writing
anything:

* each column and the field it fills, and how that was decided: the saved mapping, a heading the
  tracker knows ("Rec No", "Agency responsible"), or, for a heading it does not know, what the column
  holds (a column whose words are nearly all partners is the lead agency); every other column is kept
  on each record as an extra field under its heading, so nothing in the file is dropped.  The
  council's RAG rating and its progress text are extra fields too (the notes in ``plans_csv``);
* for each vocabulary column (actions: agency, status; reviews: kind, status) every word the tracker
  does not know, with how many rows hold it and the entries it most likely means; a word that clearly
  means one entry is proposed, any other is left for the user to decide: nothing is guessed;
* how many records would be added, updated and left unchanged, or the rows that would be refused.

Its ``mapping`` is the proposal, ready to be saved by name (``save_import_mapping``) and used for
next month's file.  The account (``ImportPlan``) and the column and word planning are the contacts' dry run's
too (``io.import_plan``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import attrs

from ..errors import ImportFailed, ValidationError
from ..io.import_plan import ImportPlan, WordPlan, plan_columns, plan_words
from ..io.importing import ImportResult
from ..io.mapping import EXTRA, IGNORE, ImportMapping
from ..model import ActionStatus, ReviewKind, ReviewStatus
from ..store.gc_pause import gc_paused
from ..vocab.entries import Entry
from .actions import ActionService
from .plans_csv import ACTIONS, REVIEWS, VALUE_COLUMNS, PlanHeadings, import_actions, import_reviews, read_plan_file

SNIFF_SHARE = 0.8       # a column of unknown heading is a vocabulary column when this share of its words are entries
# Why a column kept as an extra field is not a field of the tracker's, for the columns whose heading says so.
EXTRA_WHY = {
    "rag": "the council's own rating: the tracker derives its own RAG",
    "rag_rating": "the council's own rating: the tracker derives its own RAG",
    "rag_status": "the council's own rating: the tracker derives its own RAG",
    "progress": "free text: the tracker's progress updates are dated and added with `action update`",
    "update": "free text: the tracker's progress updates are dated and added with `action update`",
    "progress_to_date": "free text: the tracker's progress updates are dated and added with `action update`",
    "progress_update": "free text: the tracker's progress updates are dated and added with `action update`",
}
# How to add a word to the list each vocabulary column is checked against.
LIST_HINTS = {"agency": "`vocab partners add NAME --alias WORD` (or `vocab agencies ...`)"}


# --- the vocabulary columns: what a word is, and the entries it may mean ------------------------------------

def _enum_entries(enum: Any) -> tuple[Entry, ...]:
    return tuple(Entry(name=m.value, aliases=(m.label,)) for m in enum)


def _enum_resolver(enum: Any, field: str) -> Callable[[str], Optional[str]]:
    def resolve(word: str) -> Optional[str]:
        try:
            return str(enum.parse(word, field).value)
        except ValidationError:
            return None
    return resolve


def _lists(actions: ActionService, table: str) -> dict[str, tuple[Callable[[str], Optional[str]], Sequence[Entry]]]:
    """field -> (what a word already names, or None; the entries a word may mean)."""
    if table == REVIEWS:
        return {"kind": (_enum_resolver(ReviewKind, "kind"), _enum_entries(ReviewKind)),
                "status": (_enum_resolver(ReviewStatus, "status"), _enum_entries(ReviewStatus))}
    agencies = actions.ctx.plan_agencies
    return {"agency": (agencies.lookup, tuple(agencies.entries)),
            "status": (_enum_resolver(ActionStatus, "status"), _enum_entries(ActionStatus))}


def plan_plans_import(actions: ActionService, table: str, path: str | Path, *, mapping: Optional[ImportMapping] = None,
                      sheet: Optional[str] = None) -> ImportPlan:
    """What importing ``path`` (reviews or actions) would do with ``mapping`` (or none), and the mapping proposed
    for it.  Nothing is written."""
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    path = Path(path)
    source = path.name
    base = mapping or ImportMapping(kind=table)
    sheet = sheet if sheet is not None else (base.sheet or None)
    with gc_paused():
        read = read_plan_file(path, table, base, sheet, keep=True)
    keys, headings = read.keys, read.headings
    cells = [[row.get(k, "") for _, row in read.rows] for k in keys]
    lists = _lists(actions, table)
    names = PlanHeadings(table)
    plans = plan_columns(keys, headings, base, lambda i, taken: _sniff(lists, cells[i], taken), names.export_only,
                         EXTRA_WHY)
    targets = {c.heading: c.target for c in plans}
    proposal = attrs.evolve(base, kind=table, columns=targets, sheet=sheet or "")
    words: list[WordPlan] = []
    for i, plan in enumerate(plans):
        field = plan.target if plan.target in (EXTRA, IGNORE) else names.target(plan.target)
        if field not in lists or field not in VALUE_COLUMNS[table]:
            continue
        resolve, entries = lists[field]
        planned, proposal = plan_words(field, cells[i], proposal, resolve, entries)
        words.extend(planned)
    result: Optional[ImportResult] = None
    problems: tuple[str, ...] = ()
    importer = import_reviews if table == REVIEWS else import_actions
    try:
        result = importer(actions, path, dry_run=True, mapping=proposal, sheet=sheet)
    except ImportFailed as exc:
        problems = tuple(exc.problems)
    return ImportPlan(table=table, source=source, rows=len(read.rows), columns=tuple(plans), words=tuple(words),
                      mapping=proposal, result=result, problems=problems, hints=LIST_HINTS)


def _sniff(lists: dict[str, tuple[Callable[[str], Optional[str]], Sequence[Entry]]], cells: list[str],
           taken: set[str]) -> Optional[str]:
    """The vocabulary field a column of unknown heading holds, when nearly all its words are entries of one
    list (and no other column fills that field already)."""
    words = {c.strip() for c in cells if c.strip()}
    if len(words) < 2:
        return None
    best: Optional[tuple[float, str]] = None
    for field, (resolve, _) in lists.items():
        if field in taken:
            continue
        share = sum(1 for w in words if resolve(w) is not None) / len(words)
        if share >= SNIFF_SHARE and (best is None or share > best[0]):
            best = (share, field)
    return best[1] if best else None


__all__ = ["plan_plans_import"]
