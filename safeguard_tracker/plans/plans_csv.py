"""Reviews and action plans in and out of CSV, as spreadsheets write it (JSON: ``plans_json``,
to which an import of a file named .json goes).

Imports are **all or nothing**: every row is checked first, every problem is
listed (row, column, value, what would be accepted) and ``ImportFailed`` is
raised with nothing written.  Otherwise the whole file is one transaction.
Re-importing the same file changes nothing: rows are matched to what the store
holds, and a blank cell never erases a stored value.  A row that would change a
stored record is checked against the record's ``revision`` (written by every
export): one exported before someone else's change is a conflict, and one without
a revision is applied only with ``overwrite=True`` (see ``importing``).  An import
never removes an action's updates or due-date revisions, nor a review's
recommendations.

Reviews CSV, one row per review (headers in any case and spacing, with aliases):

* required: ``name``, ``kind``
* optional: ``lead_board``, ``status``, ``incident``, ``notified``, ``initiated``,
  ``published``, ``chair``, ``author``, ``themes`` (separated by ``;``), and, as
  the export writes them, ``reference``, ``revision``, ``known``, ``decision``
* written by the export for reading only: ``title``, ``notification_due``,
  ``rapid_review_due``, ``publication_due``, ``recommendations``, ``actions``

A row matches a stored review by ``reference``, else by kind and name.

Actions CSV, one row per action, so that Word and Excel plans can be brought in:

* required: ``review`` (its name, title or reference), ``recommendation`` (the number
  within the review), ``action``, ``agency`` (the lead agency)
* optional: ``recommendation_text`` (needed on a new recommendation's first row only),
  ``officer``, ``due`` (a date or "3 months after publication"), ``status``,
  ``evidence``, ``completed``, and, as the export writes them, ``reference``, ``revision``,
  ``impact_measure``, ``revised_due`` with ``revision_reason``, ``signed_off_by``,
  ``signed_off_on``, ``off_track_reason``, ``follow_up_of``
* written by the export for reading only: ``rag``, ``days_overdue``, ``latest_update``

A row matches a stored action by ``reference``, else by review, recommendation
and description.  A signed-off row needs ``signed_off_by`` and ``signed_off_on``:
sign-off records who, for the sub group, signed it off and when.  The owner
agencies of a new recommendation are its rows' lead agencies; a recommendation
already stored keeps its owners (as an action added through the API does), so
an export read back in changes nothing.

**A council's own plan** (issue 12).  Both files are also read in the council's own words:

* headings: the usual action-plan headings are known in any case and spacing ("Case review",
  "Rec No", "Action to be taken", "Agency responsible", "Responsible officer", "Due by", "Progress
  status", "Date completed"; reviews: "Learning review", "Review type", "Date published"), and an
  ``ImportMapping`` (``io.mapping``, kind "reviews" or "actions") says what any other heading is:
  a field, ``extra`` (kept on each record under its heading) or ``ignore``.  Without a mapping an
  unknown heading is refused, with the hint to run a dry run (``plans_mapping``);
* "Recommendation": in the plans' own CSV the ``recommendation`` column is the number.  When a file
  also has a number column under another heading ("Rec No", "Rec", "Recommendation number"),
  a column headed plainly "Recommendation" holds the recommendation's **text**
  (``recommendation_text``); alone, it is still the number.  A mapping can say otherwise;
* the council's RAG rating ("RAG", "RAG rating") is kept as an extra field: the tracker derives its
  own RAG from the dates and status.  Only in a file with a ``revision`` column (the tracker's own
  export, or an edit of it) is ``rag`` the export's read-only column, ignored as before;
* "Progress", "Update", "Progress to date" are kept as an extra field: the tracker's progress
  updates are dated and attributed (``action update``), and a spreadsheet's cell has neither;
* values: the mapping's words for ``status``, ``kind`` and ``agency`` ("Done" -> complete, "LSCP"
  -> the partnership), before the usual checks; a lead agency resolves through the agency and
  partner lists (``ctx.plan_agencies``) with their aliases, and an unknown one is refused with the
  names it most likely means;
* legacy references: a ``reference`` cell not in the tracker's form (reviews: not ``R-...``;
  actions: neither ``A-000123`` nor a number) is the council's own, kept as the record's
  ``legacy_reference``; a later import finds the record by it, so re-importing changes nothing;
* workbooks: a ``.xlsx`` path is read as a CSV is (``sheet``, else the mapping's, else the first).

The exports add ``legacy_reference`` (read back on import) and ``extra`` (``heading: value; ...``,
for reading only).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Mapping, Optional

import attrs

from ..convert import to_doc
from ..dates import fmt
from ..errors import SafeguardError, ValidationError
from ..model import Action, Recommendation, Review, ReviewKind, ReviewStatus
from ..progress import NO_PROGRESS, Progress, counted
from ..store.protocol import Doc
from .actions import ActionService
from .dependants import due_changes, stage_dependants
from .import_tally import RowProblems, Tally, recommendation_overwrite, stale_conflict
from .plan_dates import NOTIFIED_KINDS, describe_rule
from .plan_rows import action_row, cell_past_day, merge_action
from .plans_json import export_json, import_json
from .rag import action_rag, days_overdue
from ..folding import fold
from ..io.csvfiles import header_key, header_problems, import_failed, read_cells, unguard, write_csv
from ..io.importing import ImportResult, parse_revision
from ..io.mapping import EXTRA_PREFIX, ImportMapping, unknown_columns_problem
from ..io.xlsx import date_columns, dated_rows, xlsx_bytes

REVIEWS, ACTIONS = "reviews", "actions"
_OUR_REVIEW = re.compile(r"^R-\d")             # looks like one of ours: must then be one, not a legacy reference
# A-000123, a-12 or 12 is ours, and so is what starts like one (A-12x: refused as ours, not kept as legacy).
_OUR_ACTION = re.compile(r"\s*(?:(?:A-)?\d{1,9}\s*$|A-\d)", re.IGNORECASE)

REVIEW_REQUIRED = ("name", "kind")
REVIEW_DATES = {"incident": "incident_on", "known": "known_on", "notified": "notified_on",
                "decision": "decision_on", "initiated": "initiated_on", "published": "published_on"}
REVIEW_TEXTS = ("lead_board", "chair", "author")
REVIEW_EXPORT_ONLY = ("title", "notification_due", "rapid_review_due", "publication_due", "recommendations",
                      "actions", "extra")
REVIEW_KNOWN = ("reference", "revision") + REVIEW_REQUIRED + REVIEW_TEXTS + ("status", "themes") + tuple(REVIEW_DATES) \
    + ("legacy_reference",) + REVIEW_EXPORT_ONLY
REVIEW_ALIASES = {
    "ref": "reference", "rev": "revision", "review_reference": "reference", "review": "name", "review_name": "name",
    "pseudonym": "name", "type": "kind", "review_type": "kind", "review_kind": "kind", "board": "lead_board",
    "lead": "lead_board", "leading_board": "lead_board", "independent_chair": "chair", "reviewer": "author",
    "independent_reviewer": "author", "lead_reviewer": "author", "theme": "themes",
    **{f"{k}_{s}": k for k in REVIEW_DATES for s in ("on", "date")},
    **{f"date_{k}": k for k in REVIEW_DATES},
    "incident_date": "incident", "date_of_incident": "incident", "notification": "notified",
    "notification_date": "notified", "panel_notified": "notified", "initiation": "initiated",
    "initiation_date": "initiated", "publication": "published", "publication_date": "published",
    "decision_date": "decision", "date_known": "known",
}

ACTION_REQUIRED = ("review", "recommendation", "action", "agency")
ACTION_EXPORT_ONLY = ("rag", "days_overdue", "latest_update", "extra")
ACTION_KNOWN = ("reference", "revision", "review", "recommendation", "recommendation_text", "action", "agency",
                "officer", "due", "status", "evidence", "completed", "impact_measure", "revised_due",
                "revision_reason", "signed_off_by", "signed_off_on", "off_track_reason",
                "follow_up_of", "legacy_reference") + ACTION_EXPORT_ONLY
ACTION_ALIASES = {
    "ref": "reference", "rev": "revision", "action_reference": "reference", "review_name": "review",
    "rec": "recommendation", "rec_no": "recommendation", "recommendation_number": "recommendation",
    "recommendation_no": "recommendation", "number": "recommendation", "rec_text": "recommendation_text",
    "recommendation_wording": "recommendation_text",
    "action_description": "action", "description": "action", "actions": "action", "lead_agency": "agency",
    "agency_lead": "agency", "lead_officer": "officer", "owner": "officer", "responsible_officer": "officer",
    "due_date": "due", "target_date": "due", "target": "due", "deadline": "due", "progress_status": "status",
    "evidence_of_completion": "evidence", "completed_on": "completed", "date_completed": "completed",
    "completion_date": "completed", "impact": "impact_measure", "revised_date": "revised_due",
    "revised_target_date": "revised_due", "reason_for_revision": "revision_reason", "signed_off": "signed_off_on",
    "sign_off_date": "signed_off_on", "signed_off_date": "signed_off_on", "sign_off_by": "signed_off_by",
    "off_track": "off_track_reason",
}

# The headings councils' plans use (their own words), in any case and spacing: see the module's notes.
REVIEW_SYNONYMS = {
    "case_review": "name", "learning_review": "name", "name_of_review": "name", "review_title": "name",
    "type_of_review": "kind", "review_ref": "reference", "review_no": "reference", "review_number": "reference",
    "review_id": "reference", "legacy_ref": "legacy_reference", "old_reference": "legacy_reference",
    "date_of_publication": "published", "published_date": "published",
    "review_status": "status",
}
ACTION_SYNONYMS = {
    "case_review": "review", "learning_review": "review", "name_of_review": "review", "review_title": "review",
    "rec_number": "recommendation", "recommendation_ref": "recommendation",
    "text_of_recommendation": "recommendation_text", "recommendation_details": "recommendation_text",
    "action_to_be_taken": "action", "actions_to_be_taken": "action", "action_required": "action",
    "action_agreed": "action", "agency_responsible": "agency", "owner_agency": "agency",
    "responsible_agency": "agency", "lead_organisation": "agency", "lead_partner": "agency",
    "officer_responsible": "officer", "action_owner": "officer", "named_lead": "officer",
    "responsible_person": "officer", "due_by": "due", "target_completion_date": "due", "by_when": "due",
    "timescale": "due", "action_status": "status", "current_status": "status", "date_of_completion": "completed",
    "completed_date": "completed", "action_ref": "reference", "action_no": "reference", "action_number": "reference",
    "action_id": "reference", "legacy_ref": "legacy_reference", "old_reference": "legacy_reference",
    # kept on each record under the file's heading (see the module's notes)
    "progress": EXTRA_PREFIX + "progress", "update": EXTRA_PREFIX + "update",
    "progress_to_date": EXTRA_PREFIX + "progress_to_date", "progress_update": EXTRA_PREFIX + "progress_update",
    "rag_rating": EXTRA_PREFIX + "rag_rating", "rag_status": EXTRA_PREFIX + "rag_status",
}
REVIEW_HEADINGS = {**REVIEW_ALIASES, **REVIEW_SYNONYMS}
ACTION_HEADINGS = {**ACTION_ALIASES, **ACTION_SYNONYMS}
# What a heading means once the whole header is seen (``PlanHeadings.settle``).
_PLAIN_RECOMMENDATION, _COUNCIL_RAG = "\x00recommendation", "\x00rag"
# The columns whose words a mapping may translate ("Done" -> complete, "LSCP" -> the partnership).
VALUE_COLUMNS = {REVIEWS: ("kind", "status"), ACTIONS: ("agency", "status")}


class PlanHeadings(dict[str, str]):
    """header_key -> the column a heading of a reviews or actions file fills: the mapping's word first,
    then the usual plan headings; a heading neither knows is kept as an extra field when ``keep`` is set
    (the dry run), else left to be refused."""

    def __init__(self, table: str, mapping: Optional[ImportMapping] = None, keep: bool = False):
        self.table = table
        self.known = REVIEW_KNOWN if table == REVIEWS else ACTION_KNOWN
        self.required = REVIEW_REQUIRED if table == REVIEWS else ACTION_REQUIRED
        self.export_only = REVIEW_EXPORT_ONLY if table == REVIEWS else ACTION_EXPORT_ONLY
        self.headings = REVIEW_HEADINGS if table == REVIEWS else ACTION_HEADINGS
        super().__init__(self.headings)
        self.mapping, self.keep = mapping, keep

    def target(self, target: str) -> str:
        """A mapping's target ("Rec No", "recommendation_text", "extra") as a column."""
        key = header_key(target)
        return self.headings.get(key, key)

    def get(self, key: str, default: Any = None) -> Any:
        said = self.mapping.key_for(key, self.target) if self.mapping is not None else None
        if said is not None:
            return said
        if self.table == ACTIONS and key == "recommendation":
            return _PLAIN_RECOMMENDATION
        if self.table == ACTIONS and key == "rag":
            return _COUNCIL_RAG
        found = super().get(key)
        if found is not None:
            return found
        if key in self.known:
            return key
        return EXTRA_PREFIX + key if self.keep else default

    @staticmethod
    def settle(keys: list[str]) -> list[str]:
        """The header's columns once all of it is seen: a plain "Recommendation" beside another number column
        is the text; "RAG" outside the tracker's own export (no revision column) is the council's rating."""
        number = "recommendation" in keys
        ours = "revision" in keys
        return ["recommendation_text" if k == _PLAIN_RECOMMENDATION and number else
                "recommendation" if k == _PLAIN_RECOMMENDATION else
                ("rag" if ours else EXTRA_PREFIX + "rag") if k == _COUNCIL_RAG else k for k in keys]


@attrs.frozen
class PlanFile:
    """A reviews or actions file as read: each row {column: cell}, with the extra columns' headings."""
    keys: list[str]
    headings: list[str]
    rows: list[tuple[int, dict[str, str]]]
    extra_names: dict[str, str]          # extra:key -> the heading as the file spells it
    value_maps: dict[str, dict[str, str]]

    def prepare(self, row: dict[str, str]) -> dict[str, str]:
        """A row's extra fields ({heading: text}, blanks left out), taken out of ``row``; and the council's
        words for the vocabulary columns put in the tracker's (in ``row``)."""
        for column, words in self.value_maps.items():
            if row.get(column):
                row[column] = words.get(fold(row[column]), row[column])
        extra: dict[str, str] = {}
        for key, heading in self.extra_names.items():
            text = unguard(row.pop(key, "")).strip()
            if text:
                extra[heading] = text
        return extra


def read_plan_file(path: Path, table: str, mapping: Optional[ImportMapping] = None, sheet: Optional[str] = None,
                   *, keep: bool = False) -> PlanFile:
    """Read a reviews or actions CSV, "Unicode text" or workbook in its own headings: ImportFailed lists
    what is wrong with the header: repeated columns and, unless ``keep`` (the dry run, which proposes what
    they are), missing or unknown ones."""
    names = PlanHeadings(table, mapping, keep)
    headings: list[str] = []
    keys, numbers, cells = read_cells(path, required=(), aliases=names, known=None, sheet=sheet if sheet is not None
                                      else (mapping.sheet or None) if mapping is not None else None,
                                      headings=headings)
    keys = names.settle(keys)
    problems = header_problems(headings, keys, names.required if not keep else ())   # the dry run proposes them
    if not keep:
        unknown = unknown_columns_problem(keys, headings, names.known, names.export_only, mapping)
        if unknown is not None:
            problems.append(unknown)
    if problems:
        raise import_failed(problems, source=str(path))
    named = [(i, k) for i, k in enumerate(keys) if k]
    rows = [(number, {k: row[i].strip() for i, k in named}) for number, row in zip(numbers, cells)]
    extra_names = {k: h for k, h in zip(keys, headings) if k.startswith(EXTRA_PREFIX)}
    value_maps = {c: m for c in VALUE_COLUMNS[table] if mapping is not None and c in keys
                  and (m := mapping.value_map(c))}
    return PlanFile(keys, headings, rows, extra_names, value_maps)


def _legacy_problem(legacy: str, seen: dict[str, int], number: int) -> None:
    """A legacy reference must be short, and on one row of the file."""
    if len(legacy) > 100:
        raise ValidationError("reference", legacy[:40] + "\u2026", "a reference of at most 100 characters", row=number)
    if legacy.casefold() in seen:
        raise ValidationError("reference", legacy, f"a reference used once in the file (it is also on row "
                              f"{seen[legacy.casefold()]})", row=number)
    seen[legacy.casefold()] = number


def _legacy_index(docs: Mapping[str, Doc]) -> dict[str, str]:
    return {d["legacy_reference"].casefold(): k for k, d in docs.items() if d.get("legacy_reference")}


def _extra_text(extra: Mapping[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (extra or {}).items())


def _review_column(path: tuple[str, ...]) -> str:
    """A review document's path as the reviews CSV's column."""
    by_field = {field: column for column, field in REVIEW_DATES.items()}
    return by_field.get(path[0], ".".join(path))


_ACTION_COLUMNS = {"description": "action", "lead_agency": "agency", "lead_officer": "officer", "due_on": "due",
                   "due_rule": "due", "completed_on": "completed", "revisions": "revised_due"}


def _action_column(path: tuple[str, ...]) -> str:
    """An action document's path as the actions CSV's column."""
    return _ACTION_COLUMNS.get(path[0], ".".join(path))


# --- reviews -------------------------------------------------------------------------------------------

def _source(path: str | Path) -> Path:
    if "\x00" in str(path):
        raise ValidationError("file", str(path), "a file name without a NUL character")
    return Path(path)


def import_reviews(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                   mapping: Optional[ImportMapping] = None, sheet: Optional[str] = None,
                   progress: Progress = NO_PROGRESS) -> ImportResult:
    """Import reviews from a CSV or an Excel workbook (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored reviews (see ``importing``).  ``mapping``
    reads a council's own headings and words; ``sheet`` chooses a workbook's sheet.  ``progress``
    counts the rows checked.
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return import_json(actions, path, REVIEWS, dry_run=dry_run, overwrite=overwrite)
    read = read_plan_file(path, REVIEWS, mapping, sheet)
    rows = read.rows
    check = RowProblems(path.name)
    docs = actions.ctx.store.all(REVIEWS)
    by_name = {(d["kind"], d["name"].casefold()): k for k, d in docs.items()}
    by_legacy = _legacy_index(docs)
    seen: dict[tuple[str, str], int] = {}
    legacy_seen: dict[str, int] = {}
    planned: list[tuple[int, Optional[str], Review, Optional[int]]] = []
    for number, row in counted(rows, len(rows), progress, "checking reviews"):
        try:
            extra = read.prepare(row)
            revision = parse_revision(row.get("revision"), "revision", number)
            kind = ReviewKind.parse(row["kind"], "kind", row=number) if row.get("kind") else None
            name = " ".join(unguard(row.get("name", "")).split())
            if kind is None or not name:
                raise ValidationError("name" if kind else "kind", "", "a review needs its name and kind "
                                      "(scr, lcspr, rapid_review, llr, audit, dhr, other_board)", row=number)
            raw = unguard(row.get("reference") or "").strip()
            ref = raw.upper() or None
            legacy = ""
            if ref is not None and ref not in docs and not _OUR_REVIEW.match(ref):
                legacy, ref = raw, None           # the council's own reference: kept beside ours
            elif ref is not None and ref not in docs and not re.fullmatch(r"R-\d{4}-\d+", ref):
                raise ValidationError("reference", ref, "a reference like R-2018-002, another system's reference "
                                      "(kept as the legacy reference), or blank", row=number)
            legacy = legacy or unguard(row.get("legacy_reference") or "").strip()
            if legacy:
                _legacy_problem(legacy, legacy_seen, number)
            key = (kind.value, name.casefold())
            if key in seen:
                raise ValidationError("name", name, f"one row per review ({kind.label} {name} is also on row "
                                      f"{seen[key]})", row=number)
            seen[key] = number
            if ref is None and legacy:
                ref = by_legacy.get(legacy.casefold())
            ref = ref if ref is not None else by_name.get(key)
            fields: dict[str, Any] = {"name": name, "kind": kind}
            for column in REVIEW_TEXTS:
                if row.get(column):
                    fields[column] = unguard(row[column])
            if row.get("themes"):
                fields["themes"] = unguard(row["themes"])
            if row.get("status"):
                fields["status"] = row["status"]
            for column, field in REVIEW_DATES.items():
                if row.get(column):
                    fields[field] = cell_past_day(actions, column, row[column], number)
            if ref is not None and ref in docs:
                base = actions.ctx.structure(Review, REVIEWS, ref, docs[ref])
            else:
                base = Review(reference=ref or "", kind=kind, name=name, status=ReviewStatus.NOTIFIED
                              if kind in NOTIFIED_KINDS else ReviewStatus.IN_PROGRESS)
            try:
                review = actions.reviews.clean(base, fields, row=number)
                actions.reviews.check_closing(review)
            except SafeguardError:
                stale = stale_conflict(actions, REVIEWS, ref, revision, number)
                if stale is None:
                    raise
                check.problems.append((number, stale))
                continue
            if legacy or extra:
                review = attrs.evolve(review, legacy_reference=legacy or review.legacy_reference,
                                      extra={**review.extra, **extra})
            planned.append((number, ref, review, revision))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()
    tally = Tally(actions.ctx.store, overwrite, REVIEWS, _review_column)
    with actions.ctx.store.transaction() as txn:
        staged: list[tuple[Review, Doc]] = []
        taken: set[str] = set()
        for number, ref, review, revision in planned:
            existing = docs.get(ref) if ref else None
            if existing is None or not ref:          # (a stored record always has its reference)
                ref = ref or actions.reviews.next_reference(txn, review, taken)
                taken.add(ref)
                review = attrs.evolve(review, reference=ref)
            doc = to_doc(review)
            if tally.see(ref, existing, doc, where=f"row {number}", revision=revision, order=number):
                staged.append((review, doc))
        tally.raise_if_any(path.name)
        if not dry_run:
            for review, doc in staged:
                txn.put(REVIEWS, review.reference, doc)
            stage_dependants(actions.ctx, txn, reviews=[r for r, _ in staged if r.reference in tally.updated])
    return tally.result(path.name, len(rows), dry_run)


REVIEW_CSV_COLUMNS = ("reference", "name", "kind", "lead_board", "status", "incident", "known", "notified",
                      "decision", "initiated", "published", "chair", "author", "themes", "legacy_reference") \
    + REVIEW_EXPORT_ONLY \
    + ("revision",)


def reviews_csv(actions: ActionService, progress: Progress = NO_PROGRESS) -> str:
    return write_csv(REVIEW_CSV_COLUMNS, _review_rows(actions, progress))


def _review_rows(actions: ActionService, progress: Progress = NO_PROGRESS) -> list[list[Any]]:
    counts: dict[str, int] = {}
    for d in actions.ctx.store.all(ACTIONS).values():
        counts[d["review"]] = counts.get(d["review"], 0) + 1
    rows = []
    found = actions.reviews.find()
    for r in counted(found, len(found), progress, "exporting reviews"):
        dates = actions.reviews.statutory_dates(r)
        rows.append([r.reference, r.name, r.kind.value, r.lead_board, r.status.value]
                    + [fmt(getattr(r, f)) for f in REVIEW_DATES.values()]
                    + [r.chair, r.author, "; ".join(r.themes), r.legacy_reference, r.title,
                       fmt(dates.notification_due), fmt(dates.rapid_review_due), fmt(dates.publication_due),
                       len(r.recommendations), counts.get(r.reference, 0), _extra_text(r.extra), r.rev])
    return rows

# --- actions --------------------------------------------------------------------------------------------
def import_actions(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False,
                   mapping: Optional[ImportMapping] = None, sheet: Optional[str] = None,
                   progress: Progress = NO_PROGRESS) -> ImportResult:
    """Import an action plan from a CSV or an Excel workbook (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored actions, and any row change a
    stored recommendation's text (the file carries no revision for its review).  ``mapping``
    reads a council's own headings and words; ``sheet`` chooses a workbook's sheet.  ``progress``
    counts the rows read, then the actions checked against the store.
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return import_json(actions, path, ACTIONS, dry_run=dry_run, overwrite=overwrite)
    read = read_plan_file(path, ACTIONS, mapping, sheet)
    rows = read.rows
    check = RowProblems(path.name)
    parsed: list[tuple[int, dict[str, Any]]] = []
    review_key = functools.lru_cache(maxsize=None)(actions.reviews.key)   # a plan repeats its review's name
    legacy_seen: dict[str, int] = {}
    for number, row in counted(rows, len(rows), progress, "reading actions"):
        try:
            extra = read.prepare(row)
            revision = parse_revision(row.get("revision"), "revision", number)
            legacy = ""
            raw = unguard(row.get("reference") or "").strip()
            if raw and not _OUR_ACTION.match(raw):
                legacy, row["reference"] = raw, ""      # the council's own reference: kept beside ours
            legacy = legacy or unguard(row.get("legacy_reference") or "").strip()
            if legacy:
                _legacy_problem(legacy, legacy_seen, number)
            parsed.append((number, dict(action_row(actions, row, number, review_key), revision=revision,
                                        legacy=legacy, extra=extra)))
        except SafeguardError as exc:
            check.fail(exc, number)

    # A new recommendation's text may sit on any of its rows (usually the first).
    texts: dict[tuple[str, int], str] = {}
    for _, v in parsed:
        if v["recommendation_text"]:
            texts.setdefault((v["review"], v["recommendation"]), v["recommendation_text"])
    for number, row in rows:   # rows that failed above still say which recommendation has text
        if row.get("recommendation_text") and row.get("review") and (row.get("recommendation") or "").isdigit():
            try:
                key = (review_key(unguard(row["review"])), int(row["recommendation"]))
            except SafeguardError:
                continue
            texts.setdefault(key, " ".join(unguard(row["recommendation_text"]).split()))

    store_actions = actions.ctx.store.all(ACTIONS)
    by_text = {(d["review"], d["recommendation"], d["description"].casefold()): k for k, d in store_actions.items()}
    by_legacy = _legacy_index(store_actions)
    claimed: dict[str, int] = {}          # stored actions found by a legacy reference or description: row
    explicit = {v["reference"] for _, v in parsed if v["reference"]}
    reviews: dict[str, Review] = {}
    created: set[tuple[str, int]] = set()        # recommendations this file adds
    rec_first_row: dict[tuple[str, int], int] = {}
    seen: dict[Any, int] = {}
    merged: list[tuple[int, Action, Optional[int]]] = []
    for number, v in counted(parsed, len(parsed), progress, "checking actions"):
        try:
            rkey = v["review"]
            review = reviews.get(rkey) or actions.ctx.load(Review, REVIEWS, rkey, "review")
            rec = review.recommendation(v["recommendation"])
            text = v["recommendation_text"]
            if text and not overwrite:
                problem = recommendation_overwrite(actions, rkey, review, v["recommendation"], text, number)
                if problem is not None:
                    check.problems.append((number, problem))
                    continue
            if rec is None:
                text = text or texts.get((rkey, v["recommendation"]), "")
                if not text:
                    raise ValidationError("recommendation_text", "", f"the text of recommendation "
                                          f"{v['recommendation']} of {review.title}: it is new, so one of its rows "
                                          f"(usually the first) needs the text", row=number)
                rec = Recommendation(number=v["recommendation"], text=text, owner_agencies=(v["agency"],))
                recs = tuple(sorted(review.recommendations + (rec,), key=lambda x: x.number))
                created.add((rkey, rec.number))
            else:
                # The owners of a recommendation this file creates are its rows' lead agencies; a stored
                # recommendation keeps the owners it has (as an action added through the API or the TUI
                # does), so an export read back in changes nothing.
                owners = tuple(dict.fromkeys(rec.owner_agencies + (v["agency"],))) \
                    if (rkey, rec.number) in created else rec.owner_agencies
                new = attrs.evolve(rec, text=text or rec.text, owner_agencies=owners)
                recs = tuple(new if x.number == rec.number else x for x in review.recommendations)
            reviews[rkey] = attrs.evolve(review, recommendations=recs)
            rec_first_row.setdefault((rkey, v["recommendation"]), number)
            legacy = v["legacy"]
            ident = v["reference"] or (("legacy", legacy.casefold()) if legacy else
                                       (rkey, v["recommendation"], v["action"].casefold()))
            if ident in seen:
                raise ValidationError("action", v["action"], f"one row per action (the same action is on row "
                                      f"{seen[ident]})", row=number)
            seen[ident] = number
            ref = v["reference"] or (by_legacy.get(legacy.casefold()) if legacy else None)
            if ref is None and not v["reference"]:
                ref = by_text.get((rkey, v["recommendation"], v["action"].casefold()))
                if ref is not None and legacy and store_actions[ref].get("legacy_reference"):
                    ref = None                    # another of the council's actions, worded the same
            if ref is not None and legacy:
                if ref in claimed:
                    raise ValidationError("reference", legacy, f"one row per action ({ref}, which this row "
                                          f"matches, is also on row {claimed[ref]})", row=number)
                claimed[ref] = number
            if ref is not None and ref in store_actions:
                base = actions.ctx.structure(Action, ACTIONS, ref, store_actions[ref])
                if (base.review, base.recommendation) != (rkey, v["recommendation"]):
                    raise ValidationError("reference", ref, f"an action of {review.title} recommendation "
                                          f"{v['recommendation']} ({ref} belongs to {base.review} recommendation "
                                          f"{base.recommendation})", row=number)
            else:
                base = Action(reference="", review=rkey, recommendation=v["recommendation"], description=v["action"])
            try:
                action = merge_action(actions, base, v, number)
            except SafeguardError:
                stale = stale_conflict(actions, ACTIONS, base.reference, v["revision"], number)
                if stale is None:
                    raise
                check.problems.append((number, stale))
                continue
            rule = action.due_rule
            if rule is not None and rule.event == "completion":
                if rule.action not in store_actions and rule.action not in explicit:
                    raise ValidationError("due", describe_rule(rule), f"a rule naming an action in the store or in "
                                          f"the file's reference column ({rule.action} is in neither)", row=number)
                if rule.action == (ref or ""):
                    raise ValidationError("due", describe_rule(rule), "an event other than this action's own "
                                          "completion", row=number)
            if legacy or v["extra"]:
                action = attrs.evolve(action, legacy_reference=legacy or action.legacy_reference,
                                      extra={**action.extra, **v["extra"]})
            merged.append((number, attrs.evolve(action, reference=ref or ""), v["revision"]))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()

    tally = Tally(actions.ctx.store, overwrite, ACTIONS, _action_column)
    with actions.ctx.store.transaction() as txn:
        n = actions.next_number(txn)
        final: dict[str, Action] = {}
        row_of: dict[str, tuple[int, Optional[int]]] = {}
        for number, action, revision in merged:
            if not action.reference:
                while f"A-{n:06d}" in store_actions or f"A-{n:06d}" in explicit:
                    n += 1
                action = attrs.evolve(action, reference=f"A-{n:06d}")
                n += 1
            final[action.reference] = action
            row_of[action.reference] = (number, revision)
        final.update(due_changes(actions.ctx, reviews, final))
        staged: list[tuple[str, str, Doc]] = []
        for ref, action in final.items():
            doc = to_doc(action)
            number, revision = row_of.get(ref, (0, None))
            if tally.see(ref, store_actions.get(ref), doc, where=f"row {number}" if number else None,
                         revision=revision, order=number):
                staged.append((ACTIONS, ref, doc))
        reviews_seen = Tally(table=REVIEWS)   # recommendations added: reported as updates of their review
        for rkey, review in reviews.items():
            doc = to_doc(review)
            if reviews_seen.see(rkey, actions.ctx.store.get(REVIEWS, rkey), doc):
                staged.append((REVIEWS, rkey, doc))
        tally.raise_if_any(path.name)
        if not dry_run:
            for table, ref, doc in staged:
                txn.put(table, ref, doc)
        tally.updated.update(reviews_seen.updated)
    return tally.result(path.name, len(rows), dry_run)

ACTION_CSV_COLUMNS = ("reference", "review", "recommendation", "recommendation_text", "action", "agency", "officer",
                      "due", "status", "evidence", "completed", "impact_measure", "revised_due", "revision_reason",
                      "signed_off_by", "signed_off_on", "off_track_reason", "follow_up_of", "legacy_reference") \
    + ACTION_EXPORT_ONLY \
    + ("revision",)


def actions_csv(actions: ActionService, progress: Progress = NO_PROGRESS) -> str:
    """One row per action, in the import's columns, so an export re-imports to the same plan."""
    return write_csv(ACTION_CSV_COLUMNS, _action_rows(actions, progress))


def _action_rows(actions: ActionService, progress: Progress = NO_PROGRESS) -> list[list[Any]]:
    today = actions.ctx.today()
    reviews = {r.reference: r for r in actions.reviews.find()}
    rows = []
    first: set[tuple[str, int]] = set()
    found = actions.find()
    for a in counted(found, len(found), progress, "exporting actions"):
        r = reviews[a.review]
        rec = r.recommendation(a.recommendation)
        key = (a.review, a.recommendation)
        rec_text = rec.text if rec is not None and key not in first else ""
        first.add(key)
        last = a.revisions[-1] if a.revisions else None
        latest = a.updates[-1] if a.updates else None
        rows.append([a.reference, r.title, a.recommendation, rec_text, a.description, a.lead_agency,
                     a.lead_officer, describe_rule(a.due_rule) if a.due_rule else fmt(a.due_on), a.status.value,
                     a.evidence, fmt(a.completed_on), a.impact_measure, fmt(last.to) if last else "",
                     last.reason if last else "", a.signed_off_by, fmt(a.signed_off_on), a.off_track_reason,
                     a.follow_up_of, a.legacy_reference, action_rag(a, today).value, days_overdue(a, today),
                     f"{fmt(latest.on or latest.at.date())}: {latest.text}" if latest else "", _extra_text(a.extra),
                     a.rev])
    return rows


def export_plans(actions: ActionService, table: str, fmt_: str, progress: Progress = NO_PROGRESS) -> str:
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    if fmt_ == "json":
        return export_json(actions, table, progress)
    if fmt_ == "csv":
        return reviews_csv(actions, progress) if table == REVIEWS else actions_csv(actions, progress)
    raise ValidationError("format", fmt_, "csv or json")


# Columns written as dates (a due date written as a rule, "28 days after publication", stays text).
REVIEW_DATE_COLUMNS = tuple(REVIEW_DATES) + ("notification_due", "rapid_review_due", "publication_due")
ACTION_DATE_COLUMNS = ("due", "completed", "revised_due", "signed_off_on")


def export_plans_xlsx(actions: ActionService, table: str, progress: Progress = NO_PROGRESS) -> bytes:
    """Reviews or actions as an Excel workbook: the CSV export's columns and values, with real dates,
    every text cell defended as the CSV's are; it re-imports without change."""
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    columns, rows, dated = ((REVIEW_CSV_COLUMNS, _review_rows(actions, progress), REVIEW_DATE_COLUMNS)
                            if table == REVIEWS
                            else (ACTION_CSV_COLUMNS, _action_rows(actions, progress), ACTION_DATE_COLUMNS))
    return xlsx_bytes(columns, dated_rows(rows, date_columns(columns, dated)), title=table, progress=progress)
