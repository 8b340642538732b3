"""The dry run of a council's contacts file: what each column and each word would become, and a mapping.

``plan_contacts_import`` reads the file (CSV, "Unicode text" or a workbook) and says, without
writing anything:

* each column and the field it fills, and how that was decided: the saved mapping, a heading the
  tracker knows ("Date of referral"), or, for a heading it does not know, what the column holds
  (a column whose words are nearly all agencies is the agency); every other column is kept on each
  record as an extra field under its heading, so nothing in the file is dropped;
* for each vocabulary column (agency, category, outcome, harm) every word the store's lists do not
  know, with how many rows hold it and the entries it most likely means; a word that clearly means
  one entry (an abbreviation, all its words in one name) is proposed, any other is left for the
  user to decide: nothing is guessed;
* how many rows would be added, updated and left unchanged, or the rows that would be refused.

Its ``mapping`` is the proposal, ready to be saved by name and used for next month's file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Optional

import attrs

from ..dates import parse_date
from ..errors import ImportFailed, ValidationError
from ..folding import fold
from ..io.csvfiles import read_cells
from ..io.importing import ImportResult
from ..io.import_plan import ImportPlan, WordPlan, plan_columns, plan_words
from ..io.mapping import ImportMapping
from ..model import Category, Harm, Outcome
from ..store.gc_pause import gc_paused
from .contacts import ContactService
from .contacts_csv import EXPORT_ONLY, HEADINGS, Headings, check_mapping_columns, import_contacts

# The vocabulary columns, the list each is checked against.
LISTS = {"agency": "agencies", "category": "categories", "first_category": "categories", "outcome": "outcomes",
         "harm": "harms"}
ENUMS: dict[str, Any] = {"categories": Category, "outcomes": Outcome, "harms": Harm}
# Words that say nothing was recorded: proposed as blank for a category, outcome or harm.
NOTHING = frozenset(fold(w) for w in ("ongoing", "open", "pending", "in progress", "awaiting outcome", "n/a", "na",
                                      "none", "not known", "not recorded", "unknown", "tbc", "-", "?"))
# How to add a word to the list its column is checked against.
HINTS = {field: (f"`vocab {kind} add NAME --alias WORD`" if kind == "agencies" else f"`vocab {kind} alias VALUE WORD`")
         for field, kind in LISTS.items()}
SNIFF_SHARE = 0.8       # a column of unknown heading is a vocabulary column when this share of its words are entries


def plan_contacts_import(contacts: ContactService, path: str | Path, *, mapping: Optional[ImportMapping] = None,
                         sheet: Optional[str] = None) -> ImportPlan:
    """What importing ``path`` would do with ``mapping`` (or none), and the mapping proposed for it."""
    path = Path(path)
    source = path.name
    base = mapping or ImportMapping()
    check_mapping_columns(base)
    sheet = sheet if sheet is not None else (base.sheet or None)
    headings: list[str] = []
    with gc_paused():
        keys, numbers, rows = read_cells(path, required=(), aliases=Headings(base, keep=True), known=None,
                                         source=source, sheet=sheet, headings=headings)
    columns_of = list(zip(*rows)) if rows else [() for _ in keys]
    ctx = contacts.ctx
    plans = plan_columns(keys, headings, base, lambda i, taken: _sniff(ctx, columns_of[i], taken), EXPORT_ONLY)
    targets = {c.heading: c.target for c in plans}
    proposal = attrs.evolve(base, columns=targets, sheet=sheet or "")
    words: list[WordPlan] = []
    for i, plan in enumerate(plans):
        field = plan.target if plan.target in LISTS else HEADINGS.get(plan.target, plan.target)
        if field not in LISTS:
            continue
        kind = LISTS[field]
        planned, proposal = plan_words(field, columns_of[i], proposal, functools.partial(_resolve, ctx, kind),
                                       ctx.vocabulary(kind).entries, NOTHING if kind != "agencies" else frozenset())
        words.extend(planned)
    historic_rows: Optional[int] = None                 # unknown until a column gives the received date
    if proposal.historic_before is not None and "received" in targets.values():
        historic_rows = 0
        at = list(targets.values()).index("received")
        cutoff = proposal.historic_before
        for cell in columns_of[at]:
            try:
                on = parse_date(cell.strip(), "received", required=False)
            except ValidationError:
                continue
            if on is not None and on < cutoff:
                historic_rows += 1
    result: Optional[ImportResult] = None
    problems: tuple[str, ...] = ()
    try:
        result = import_contacts(contacts, path, dry_run=True, mapping=proposal, sheet=sheet)
    except ImportFailed as exc:
        problems = tuple(exc.problems)
    # A saved mapping that says what some columns are but not these: importing with it as it is refuses them.
    unsaid = [c.heading for c in plans if c.how in ("unknown", "content")] if mapping is not None and mapping.columns \
        else []
    if unsaid:
        problems = (f"header: the mapping does not name column(s) {', '.join(repr(h) for h in unsaid)}, so importing "
                    f"with it as it is refuses them: save this dry run's mapping (--save-mapping NAME) or add "
                    f"--map '{unsaid[0]}=extra' (or a field)",) + problems
    return ImportPlan(table="contacts", source=source, rows=len(numbers), columns=tuple(plans), words=tuple(words),
                      mapping=proposal, historic_rows=historic_rows, result=result, problems=problems, hints=HINTS)


def _resolve(ctx: Any, kind: str, word: str) -> Optional[str]:
    """The entry a word already names in the store's list (by name, alias or the value's own spelling)."""
    if kind == "agencies":
        found: Optional[str] = ctx.taxonomy.lookup(word)
        return found
    local: Optional[str] = ctx.local_value(kind, word)
    if local is not None:
        return local
    try:
        return str(ENUMS[kind].parse(word, kind).value)
    except ValidationError:
        return None


def _sniff(ctx: Any, cells: tuple[str, ...], taken: set[str]) -> Optional[str]:
    """The vocabulary field a column of unknown heading holds, when nearly all its words are entries of one
    list (and no other column fills that field already)."""
    words = {c.strip() for c in cells if c.strip()}
    if len(words) < 2:
        return None
    best: Optional[tuple[float, str]] = None
    for field, kind in (("agency", "agencies"), ("harm", "harms"), ("outcome", "outcomes"), ("category", "categories")):
        if field in taken:
            continue
        known = sum(1 for w in words if _resolve(ctx, kind, w) is not None or (kind != "agencies" and fold(w) in NOTHING))
        share = known / len(words)
        if share >= SNIFF_SHARE and (best is None or share > best[0]):
            best = (share, field)
    return best[1] if best else None


__all__ = ["plan_contacts_import"]
