"""Reviews and action plans in and out: CSV as spreadsheets write it, and JSON that round-trips losslessly.

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
agencies of a new recommendation are its rows' lead agencies.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

import attrs

from ..convert import from_doc, to_doc
from ..dates import fmt, parse_date
from ..errors import SafeguardError, ValidationError
from ..model import Action, ActionStatus, Recommendation, Review, ReviewKind, ReviewStatus, Revision
from ..store.protocol import Store
from ..validation.fields import date_value
from ..validation.plans import REVIEW_DATE_FIELDS, REVIEW_TEXT_FIELDS, clean_owners, plan_agency
from .actions import ActionService
from .dependants import due_changes, stage_dependants
from .plan_dates import NOTIFIED_KINDS, describe_rule, parse_due
from .rag import action_rag, days_overdue
from ..io.csvfiles import import_failed, read_rows, unguard, write_csv
from ..io.importing import (HISTORY, OVERWRITE_HINT, History, ImportResult, changed_fields, conflict_problem,
                        describe_structure_error, keep_history, parse_revision, read_json_file,
                        record_shape_problem, unstorable)

REVIEWS, ACTIONS = "reviews", "actions"
JSON_VERSION = 1

REVIEW_REQUIRED = ("name", "kind")
REVIEW_DATES = {"incident": "incident_on", "known": "known_on", "notified": "notified_on",
                "decision": "decision_on", "initiated": "initiated_on", "published": "published_on"}
REVIEW_TEXTS = ("lead_board", "chair", "author")
REVIEW_EXPORT_ONLY = ("title", "notification_due", "rapid_review_due", "publication_due", "recommendations",
                      "actions")
REVIEW_KNOWN = ("reference", "revision") + REVIEW_REQUIRED + REVIEW_TEXTS + ("status", "themes") + tuple(REVIEW_DATES) \
    + REVIEW_EXPORT_ONLY
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
ACTION_EXPORT_ONLY = ("rag", "days_overdue", "latest_update")
ACTION_KNOWN = ("reference", "revision", "review", "recommendation", "recommendation_text", "action", "agency",
                "officer", "due", "status", "evidence", "completed", "impact_measure", "revised_due",
                "revision_reason", "signed_off_by", "signed_off_on", "off_track_reason",
                "follow_up_of") + ACTION_EXPORT_ONLY
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


class _Tally:
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

    def see(self, ref: str, existing: Optional[dict], doc: dict, *, where: Optional[str] = None,
            revision: Optional[int] = None, order: int = 0) -> bool:
        """Whether ``doc`` needs writing.  With ``where`` (a row of the file), a change to a stored
        record is checked against the row's revision; without, it follows from other rows."""
        if existing is None:
            self.added.append(ref)
            return True
        altered = keep_history(existing, doc, HISTORY.get(self.table, ()))
        if self.table == REVIEWS and _keep_recommendations(existing, doc):
            altered += ("recommendations",)
        changed = changed_fields(existing, doc)
        if not changed:
            self.unchanged.append(ref)
            return False
        if where is not None:
            problem = conflict_problem(self.store, where, ref, existing, doc, revision, overwrite=self.overwrite,
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


def _keep_recommendations(existing: dict, doc: dict) -> bool:
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


def _stale(actions: ActionService, table: str, ref: Optional[str], revision: Optional[int], number: int) -> Optional[str]:
    """For a row the workflow rules refuse: the conflict to report instead when the row was exported
    before its record last changed (the rules then only echo someone else's later change)."""
    doc = actions.ctx.store.get(table, ref) if ref else None
    if doc is None or revision is None or doc.get("_rev", 0) == revision:
        return None
    return conflict_problem(actions.ctx.store, f"row {number}", ref, doc, doc, revision, overwrite=False)


def _review_column(path: tuple[str, ...]) -> str:
    """A review document's path as the reviews CSV's column."""
    by_field = {field: column for column, field in REVIEW_DATES.items()}
    return by_field.get(path[0], ".".join(path))


_ACTION_COLUMNS = {"description": "action", "lead_agency": "agency", "lead_officer": "officer", "due_on": "due",
                   "due_rule": "due", "completed_on": "completed", "revisions": "revised_due"}


def _action_column(path: tuple[str, ...]) -> str:
    """An action document's path as the actions CSV's column."""
    return _ACTION_COLUMNS.get(path[0], ".".join(path))


class _Rows:
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


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _day(text: str, column: str, row: int, today: date) -> Optional[date]:
    """A cell as a date: dd/mm/yyyy directly (the common case, and fast), else the general reader."""
    m = _UK_DATE.fullmatch(text)
    if m:
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass   # 31/02/2018: let the general reader word the error
    return parse_date(unguard(text), column, row=row, today=today, required=False)


def _date(actions: ActionService, column: str, text: str, row: int) -> Optional[date]:
    day = _day(text, column, row, actions.ctx.today())
    if day is not None and day > actions.ctx.today():
        raise ValidationError(column, fmt(day), f"a date no later than today ({fmt(actions.ctx.today())})", row=row)
    return day


# --- reviews -------------------------------------------------------------------------------------------

def _source(path: str | Path) -> Path:
    if "\x00" in str(path):
        raise ValidationError("file", str(path), "a file name without a NUL character")
    return Path(path)


def import_reviews(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Import reviews from a CSV (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored reviews (see ``importing``).
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return _import_json(actions, path, REVIEWS, dry_run=dry_run, overwrite=overwrite)
    keys, rows = read_rows(path, required=REVIEW_REQUIRED, aliases=REVIEW_ALIASES, known=REVIEW_KNOWN)
    check = _Rows(path.name)
    docs = actions.ctx.store.all(REVIEWS)
    by_name = {(d["kind"], d["name"].casefold()): k for k, d in docs.items()}
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[int, Optional[str], Review, Optional[int]]] = []
    for number, row in rows:
        try:
            revision = parse_revision(row.get("revision"), "revision", number)
            kind = ReviewKind.parse(row["kind"], "kind", row=number) if row.get("kind") else None
            name = " ".join(unguard(row.get("name", "")).split())
            if kind is None or not name:
                raise ValidationError("name" if kind else "kind", "", "a review needs its name and kind "
                                      "(scr, lcspr, rapid_review, llr, audit, dhr, other_board)", row=number)
            ref = (row.get("reference") or "").strip().upper() or None
            if ref is not None and ref not in docs and not re.fullmatch(r"R-\d{4}-\d+", ref):
                raise ValidationError("reference", ref, "a reference like R-2018-002, or blank", row=number)
            key = (kind.value, name.casefold())
            if key in seen:
                raise ValidationError("name", name, f"one row per review ({kind.label} {name} is also on row "
                                      f"{seen[key]})", row=number)
            seen[key] = number
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
                    fields[field] = _date(actions, column, row[column], number)
            if ref is not None and ref in docs:
                base = actions.ctx.structure(Review, REVIEWS, ref, docs[ref])
            else:
                base = Review(reference=ref or "", kind=kind, name=name, status=ReviewStatus.NOTIFIED
                              if kind in NOTIFIED_KINDS else ReviewStatus.IN_PROGRESS)
            try:
                review = actions.reviews.clean(base, fields, row=number)
                actions.reviews.check_closing(review)
            except SafeguardError:
                stale = _stale(actions, REVIEWS, ref, revision, number)
                if stale is None:
                    raise
                check.problems.append((number, stale))
                continue
            planned.append((number, ref, review, revision))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()
    tally = _Tally(actions.ctx.store, overwrite, REVIEWS, _review_column)
    with actions.ctx.store.transaction() as txn:
        staged: list[tuple[Review, dict]] = []
        taken: set[str] = set()
        for number, ref, review, revision in planned:
            existing = docs.get(ref) if ref else None
            if existing is None:
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
                      "decision", "initiated", "published", "chair", "author", "themes") + REVIEW_EXPORT_ONLY \
    + ("revision",)


def reviews_csv(actions: ActionService) -> str:
    counts: dict[str, int] = {}
    for d in actions.ctx.store.all(ACTIONS).values():
        counts[d["review"]] = counts.get(d["review"], 0) + 1
    rows = []
    for r in actions.reviews.find():
        dates = actions.reviews.statutory_dates(r)
        rows.append([r.reference, r.name, r.kind.value, r.lead_board, r.status.value]
                    + [fmt(getattr(r, f)) for f in REVIEW_DATES.values()]
                    + [r.chair, r.author, "; ".join(r.themes), r.title, fmt(dates.notification_due),
                       fmt(dates.rapid_review_due), fmt(dates.publication_due), len(r.recommendations),
                       counts.get(r.reference, 0), r.rev])
    return write_csv(REVIEW_CSV_COLUMNS, rows)


# --- actions --------------------------------------------------------------------------------------------

def _action_row(actions: ActionService, row: dict[str, str], number: int, review_key: Any) -> dict[str, Any]:
    """One row's cells, parsed and checked on their own (rules against the store come later)."""
    v: dict[str, Any] = {}
    v["review"] = review_key(unguard(row["review"])) if row.get("review") else None
    text = row.get("recommendation", "")
    if not re.fullmatch(r"\d+", text or "") or int(text) < 1:
        raise ValidationError("recommendation", text, "the recommendation's number within its review (1, 2, 3...)",
                              row=number)
    v["recommendation"] = int(text)
    v["recommendation_text"] = " ".join(unguard(row.get("recommendation_text", "")).split())
    v["action"] = " ".join(unguard(row.get("action", "")).split())
    if not v["action"]:
        raise ValidationError("action", "", "the action's description", row=number)
    if v["review"] is None:
        raise ValidationError("review", "", "the review's name or reference", row=number)
    v["agency"] = plan_agency(actions.ctx.plan_agencies, unguard(row.get("agency", "")), "agency", number)
    v["officer"] = unguard(row.get("officer", ""))
    due = unguard(row.get("due", ""))
    v["due"] = (_day(due, "due", number, actions.ctx.today()), None) if _UK_DATE.fullmatch(due) else \
        parse_due(due, "due", row=number, today=actions.ctx.today())
    v["status"] = ActionStatus.parse(row["status"], "status", row=number) if row.get("status") else None
    for column in ("completed", "signed_off_on"):
        v[column] = _date(actions, column, row.get(column, ""), number)
    v["revised_due"] = _day(row.get("revised_due", ""), "revised_due", number, actions.ctx.today())
    for column in ("evidence", "impact_measure", "revision_reason", "signed_off_by", "off_track_reason"):
        v[column] = unguard(row.get(column, "")).strip()
    v["reference"] = actions.key(row["reference"]) if row.get("reference") else None
    v["follow_up_of"] = actions.key(row["follow_up_of"]) if row.get("follow_up_of") else ""
    status, done = v["status"], v["completed"]
    if status is None:
        v["status"] = status = ActionStatus.COMPLETE if done else None
    if status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and done is None:
        raise ValidationError("completed", "", f"the completion date: the status is {status.label}", row=number)
    if status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS) and done is not None:
        raise ValidationError("status", status.label, f"complete or signed off: the row has a completion date "
                              f"({fmt(done)})", row=number)
    if status is ActionStatus.SIGNED_OFF:
        if not v["evidence"]:
            raise ValidationError("evidence", "", "the evidence of completion: only a complete action with evidence "
                                  "can be signed off", row=number)
        if not v["signed_off_by"] or v["signed_off_on"] is None:
            raise ValidationError("signed_off_by" if not v["signed_off_by"] else "signed_off_on", "",
                                  "who signed it off for the sub group (signed_off_by) and when (signed_off_on)",
                                  row=number)
        if v["signed_off_on"] < done:
            raise ValidationError("signed_off_on", fmt(v["signed_off_on"]), f"a date on or after completion "
                                  f"({fmt(done)})", row=number)
    elif v["signed_off_by"] or v["signed_off_on"]:
        raise ValidationError("status", status.label if status else "", "signed off: the row records a sign-off",
                              row=number)
    if v["revised_due"] is not None and not v["revision_reason"]:
        raise ValidationError("revision_reason", "", "the reason for the revised due date", row=number)
    if v["off_track_reason"] and status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF):
        raise ValidationError("off_track_reason", v["off_track_reason"], "blank: only an open action can be off "
                              "track", row=number)
    return v


def _merge_action(actions: ActionService, a: Action, v: dict[str, Any], number: int) -> Action:
    """Apply a row to an action (new or stored) with the tracker's rules; blank cells keep stored values."""
    due_on, rule = v["due"]
    changes: dict[str, Any] = {"description": v["action"], "lead_agency": v["agency"]}
    if v["officer"]:
        changes["lead_officer"] = v["officer"]
    if due_on is not None or rule is not None:
        same = (rule is not None and rule == a.due_rule) or (rule is None and a.due_rule is None and due_on == a.due_on)
        if not same:
            if a.reference and (a.due_on is not None or a.due_rule is not None):
                was = describe_rule(a.due_rule) if a.due_rule else fmt(a.due_on)
                raise ValidationError("due", describe_rule(rule) if rule else fmt(due_on),
                                      f"the original due date of {a.reference} ({was}): a due date is revised with "
                                      f"revised_due and revision_reason, so the original stays visible", row=number)
            changes.update(due_on=due_on, due_rule=rule)
    status = v["status"]
    if status is not None and status != a.status:
        if a.reference and status.rank < a.status.rank:
            raise ValidationError("status", status.label, f"{a.status.label} or later: {a.reference} is "
                                  f"{a.status.label} in the store (reopen it with a reason instead)", row=number)
        changes["status"] = status
    if v["completed"] is not None:
        changes["completed_on"] = v["completed"]
    for column in ("evidence", "impact_measure", "signed_off_by", "off_track_reason"):
        if v[column]:
            changes[column] = v[column]
    if v["signed_off_on"] is not None:
        changes["signed_off_on"] = v["signed_off_on"]
    if v["follow_up_of"]:
        changes["follow_up_of"] = v["follow_up_of"]
    merged = attrs.evolve(a, **changes)
    if v["revised_due"] is not None and v["revised_due"] != merged.revised_due_on:
        merged = attrs.evolve(merged, revisions=merged.revisions + (Revision(
            on=actions.ctx.today(), by=actions.ctx.user, from_=merged.current_due_on, to=v["revised_due"],
            reason=v["revision_reason"]),))
    if merged.status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and merged.off_track_reason:
        merged = attrs.evolve(merged, off_track_reason="")
    return merged


def import_actions(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Import an action plan from a CSV (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored actions, and any row change a
    stored recommendation's text (the file carries no revision for its review).
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return _import_json(actions, path, ACTIONS, dry_run=dry_run, overwrite=overwrite)
    keys, rows = read_rows(path, required=ACTION_REQUIRED, aliases=ACTION_ALIASES, known=ACTION_KNOWN)
    check = _Rows(path.name)
    parsed: list[tuple[int, dict[str, Any]]] = []
    review_key = functools.lru_cache(maxsize=None)(actions.reviews.key)   # a plan repeats its review's name
    for number, row in rows:
        try:
            revision = parse_revision(row.get("revision"), "revision", number)
            parsed.append((number, dict(_action_row(actions, row, number, review_key), revision=revision)))
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
    explicit = {v["reference"] for _, v in parsed if v["reference"]}
    reviews: dict[str, Review] = {}
    rec_first_row: dict[tuple[str, int], int] = {}
    seen: dict[Any, int] = {}
    merged: list[tuple[int, Action, Optional[int]]] = []
    for number, v in parsed:
        try:
            rkey = v["review"]
            review = reviews.get(rkey) or actions.ctx.load(Review, REVIEWS, rkey, "review")
            rec = review.recommendation(v["recommendation"])
            text = v["recommendation_text"]
            if text and not overwrite:
                problem = _recommendation_overwrite(actions, rkey, review, v["recommendation"], text, number)
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
            else:
                new = attrs.evolve(rec, text=text or rec.text,
                                   owner_agencies=tuple(dict.fromkeys(rec.owner_agencies + (v["agency"],))))
                recs = tuple(new if x.number == rec.number else x for x in review.recommendations)
            reviews[rkey] = attrs.evolve(review, recommendations=recs)
            rec_first_row.setdefault((rkey, v["recommendation"]), number)
            ident = v["reference"] or (rkey, v["recommendation"], v["action"].casefold())
            if ident in seen:
                raise ValidationError("action", v["action"], f"one row per action (the same action is on row "
                                      f"{seen[ident]})", row=number)
            seen[ident] = number
            ref = v["reference"] or by_text.get((rkey, v["recommendation"], v["action"].casefold()))
            if ref is not None and ref in store_actions:
                base = actions.ctx.structure(Action, ACTIONS, ref, store_actions[ref])
                if (base.review, base.recommendation) != (rkey, v["recommendation"]):
                    raise ValidationError("reference", ref, f"an action of {review.title} recommendation "
                                          f"{v['recommendation']} ({ref} belongs to {base.review} recommendation "
                                          f"{base.recommendation})", row=number)
            else:
                base = Action(reference="", review=rkey, recommendation=v["recommendation"], description=v["action"])
            try:
                action = _merge_action(actions, base, v, number)
            except SafeguardError:
                stale = _stale(actions, ACTIONS, base.reference, v["revision"], number)
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
            merged.append((number, attrs.evolve(action, reference=ref or ""), v["revision"]))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()

    tally = _Tally(actions.ctx.store, overwrite, ACTIONS, _action_column)
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
        staged: list[tuple[str, str, dict]] = []
        for ref, action in final.items():
            doc = to_doc(action)
            number, revision = row_of.get(ref, (0, None))
            if tally.see(ref, store_actions.get(ref), doc, where=f"row {number}" if number else None,
                         revision=revision, order=number):
                staged.append((ACTIONS, ref, doc))
        reviews_seen = _Tally(table=REVIEWS)   # recommendations added: reported as updates of their review
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


def _recommendation_overwrite(actions: ActionService, rkey: str, review: Review, number: int, text: str,
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


ACTION_CSV_COLUMNS = ("reference", "review", "recommendation", "recommendation_text", "action", "agency", "officer",
                      "due", "status", "evidence", "completed", "impact_measure", "revised_due", "revision_reason",
                      "signed_off_by", "signed_off_on", "off_track_reason", "follow_up_of") + ACTION_EXPORT_ONLY \
    + ("revision",)


def actions_csv(actions: ActionService) -> str:
    """One row per action, in the import's columns, so an export re-imports to the same plan."""
    today = actions.ctx.today()
    reviews = {r.reference: r for r in actions.reviews.find()}
    rows = []
    first: set[tuple[str, int]] = set()
    for a in actions.find():
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
                     a.follow_up_of, action_rag(a, today).value, days_overdue(a, today),
                     f"{fmt(latest.on or latest.at.date())}: {latest.text}" if latest else "", a.rev])
    return write_csv(ACTION_CSV_COLUMNS, rows)


# --- JSON: whole records, lossless ----------------------------------------------------------------------

def export_json(actions: ActionService, table: str) -> str:
    """Every record of ``table`` exactly as stored, with its revision, in reference order."""
    cls = Review if table == REVIEWS else Action
    records = [{**to_doc(actions.ctx.structure(cls, table, k, d)), "revision": d.get("_rev", 0)}
               for k, d in sorted(actions.ctx.store.all(table).items())]
    return json.dumps({"format": f"safeguard-tracker/{table}", "version": JSON_VERSION, table: records},
                      indent=1, ensure_ascii=False) + "\n"


def _import_json(actions: ActionService, path: Path, table: str, *, dry_run: bool, overwrite: bool = False) -> ImportResult:
    """Whole records from a JSON export, checked by the API's rules and upserted by reference, all or nothing."""
    source = path.name
    data = read_json_file(path)
    fmt_name = f"safeguard-tracker/{table}"
    if not isinstance(data, dict) or data.get("format") != fmt_name or not isinstance(data.get(table), list):
        raise import_failed([f"{source}: expected a {fmt_name} export (an object with a '{table}' list); "
                            f"export one with `safeguard-tracker export {table} --format json`"], source=source)
    if data.get("version") != JSON_VERSION:
        raise import_failed([f"{source}: version {data.get('version')!r} of {fmt_name}; this version reads "
                            f"version {JSON_VERSION}"], source=source)
    cls = Review if table == REVIEWS else Action
    known = {a.name for a in attrs.fields(cls)} - {"rev"}
    problems: list[str] = []
    records: dict[str, tuple[int, str, dict, Optional[int]]] = {}
    others = dict(actions.ctx.store.all(REVIEWS)) if table == REVIEWS else {}
    for i, rec in enumerate(data[table], 1):
        where = f"{table}[{i}]"
        try:
            if not isinstance(rec, dict):
                raise ValueError(f"expected an object, got {type(rec).__name__}")
            if isinstance(rec.get("reference"), str):
                where += f" ({rec['reference']})"
            extra = sorted((str(k) for k in set(rec) - known - {"revision", "_rev"}))
            if extra:
                raise ValueError(f"unknown field(s) {', '.join(extra)}; accepted: "
                                 f"{', '.join(sorted(known | {'revision'}))}")
            revision = parse_revision(rec.get("revision", rec.get("_rev")))
            body = {k: v for k, v in rec.items() if k not in ("revision", "_rev")}
            doc = _json_review(actions, body, others) if table == REVIEWS else _json_action(actions, body)
            ref = doc["reference"]
            if ref in records:
                raise ValueError(f"reference {ref} appears twice (also {table}[{records[ref][0]}])")
            records[ref] = (i, where, doc, revision)
            if table == REVIEWS:
                others[ref] = doc
        except (SafeguardError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
        except Exception as exc:   # cattrs reports what the shape check let through as assorted exceptions
            problems.append(f"{where}: {describe_structure_error(exc)}")
    problems += unstorable([(where, doc) for _, where, doc, _ in records.values()])
    if problems:
        raise import_failed(problems, source=source)
    tally = _Tally(actions.ctx.store, overwrite, table)
    with actions.ctx.store.transaction() as txn:
        staged = [(ref, doc) for ref, (i, where, doc, revision) in records.items()
                  if tally.see(ref, txn.get(table, ref), doc, where=where, revision=revision, order=i)]
        tally.raise_if_any(source)
        if not dry_run:
            for ref, doc in staged:
                txn.put(table, ref, doc)
    return tally.result(source, len(records), dry_run)


def _checked(field: str, check: Callable[[], Any]) -> Any:
    """``check()``, with a ValidationError's field put under ``field`` ('recommendations[2]')."""
    try:
        return check()
    except ValidationError as exc:
        raise ValidationError(f"{field}.{exc.field}", exc.value, exc.accepted) from None


def _past_day(actions: ActionService, value: Any, field: str) -> Optional[date]:
    """A date of something done, read and checked as the API reads it: never after today."""
    day = parse_date(date_value(value, field), field, required=False, today=actions.ctx.today())
    if day is not None and day > actions.ctx.today():
        raise ValidationError(field, fmt(day), f"a date no later than today ({fmt(actions.ctx.today())})")
    return day


def _json_review(actions: ActionService, body: dict, others: dict[str, dict]) -> dict:
    """A review record as the stored document, checked by the reviews API's rules (``_clean_review``)."""
    problem = record_shape_problem(body, Review, skip=("kind", "status") + REVIEW_DATE_FIELDS)
    if problem is not None:
        raise problem
    ref = body["reference"]
    if not re.fullmatch(r"R-\d{4}-\d+", ref):
        raise ValidationError("reference", ref, "a reference like R-2018-002")
    kind = ReviewKind.parse(body.get("kind"), "kind")
    fields: dict[str, Any] = {f: body[f] for f in REVIEW_TEXT_FIELDS if f in body}
    fields.update({f: date_value(body[f], f) for f in REVIEW_DATE_FIELDS if f in body})
    fields.update({f: body[f] for f in ("status", "themes") if f in body})
    recs = [_checked(f"recommendations[{i}]", lambda r=r: _json_recommendation(actions, r))
            for i, r in enumerate(body.get("recommendations") or (), 1)]
    numbers = [r.number for r in recs]
    for n in numbers:
        if numbers.count(n) > 1:
            raise ValidationError("recommendations", n, "recommendation numbers used once each in a review")
    base = Review(reference=ref, kind=kind, name="x", recommendations=tuple(sorted(recs, key=lambda r: r.number)))
    review = actions.reviews.clean(base, fields, others=others)
    actions.reviews.check_closing(review)
    doc = to_doc(review)
    doc.update({f: body[f] for f in REVIEW_TEXT_FIELDS if isinstance(body.get(f), str)})   # text exactly as written
    raw = {r["number"]: r for r in body.get("recommendations") or ()}
    for r in doc["recommendations"]:
        r["text"] = raw[r["number"]]["text"]
    return doc


def _json_recommendation(actions: ActionService, r: dict) -> Recommendation:
    """A recommendation, by the rules of ``add_recommendation`` and ``record_impact_finding``."""
    if r["number"] < 1:
        raise ValidationError("number", r["number"], "a whole number from 1")
    if not r["text"].strip():
        raise ValidationError("text", r["text"], "the recommendation's text is required")
    owners = clean_owners(actions.ctx.plan_agencies, r.get("owner_agencies") or ())
    finding = r.get("impact_finding")
    if finding is not None:
        _checked("impact_finding", lambda: _past_day(actions, finding["on"], "on"))
        for key in ("by", "text"):
            if not finding[key].strip():
                raise ValidationError(f"impact_finding.{key}", finding[key], "who recorded the finding and what it "
                                      "found are required")
    rec = from_doc(Recommendation, r)
    return attrs.evolve(rec, owner_agencies=owners, themes=tuple(r.get("themes") or ()))


_ACTION_DAYS = ("completed_on", "signed_off_on")


def _json_action(actions: ActionService, body: dict) -> dict:
    """An action record as the stored document, checked by the actions API's rules (and the CSV's, worded alike)."""
    problem = record_shape_problem(body, Action, skip=("status",) + _ACTION_DAYS)
    if problem is not None:
        raise problem
    ref = body["reference"]
    if not re.fullmatch(r"A-\d+", ref):
        raise ValidationError("reference", ref, "a reference like A-000123")
    cleaned = actions.clean(Action(reference="", review="", recommendation=0, description="x"), {
        "description": body["description"], "lead_agency": body.get("lead_agency", ""),
        "lead_officer": body.get("lead_officer", "")})
    status = ActionStatus.parse(body.get("status", ActionStatus.NOT_STARTED.value), "status")
    days = {f: _past_day(actions, body.get(f), f) for f in _ACTION_DAYS}
    action = attrs.evolve(from_doc(Action, {k: v for k, v in body.items() if k not in ("status",) + _ACTION_DAYS}),
                          description=cleaned.description, lead_agency=cleaned.lead_agency,
                          lead_officer=cleaned.lead_officer, status=status, **days)
    _action_rules(actions, action)
    doc = to_doc(action)
    doc.update({f: body[f] for f in ("description", "lead_officer") if isinstance(body.get(f), str)})
    return doc


def _action_rules(actions: ActionService, a: Action) -> None:
    """The rules across an action's fields, as the CSV import and the actions API apply them."""
    status, done = a.status, a.completed_on
    if status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and done is None:
        raise ValidationError("completed_on", "", f"the completion date: the status is {status.label}")
    if status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS) and done is not None:
        raise ValidationError("status", status.label, f"complete or signed off: the record has a completion date "
                              f"({fmt(done)})")
    if status is ActionStatus.SIGNED_OFF:
        if not (a.evidence.strip() and a.signed_off_by.strip() and a.signed_off_on):
            raise ValidationError("status", status.label, "a signed-off action needs its evidence, signed_off_by "
                                  "and signed_off_on")
        if a.signed_off_on < done:
            raise ValidationError("signed_off_on", fmt(a.signed_off_on), f"a date on or after completion "
                                  f"({fmt(done)})")
    elif a.signed_off_by or a.signed_off_on:
        raise ValidationError("status", status.label, "signed_off: the record has a sign-off")
    if a.off_track_reason and status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF):
        raise ValidationError("off_track_reason", a.off_track_reason, "blank: only an open action can be off track")
    for i, r in enumerate(a.revisions, 1):
        if not r.reason.strip():
            raise ValidationError(f"revisions[{i}].reason", r.reason, "a reason for revising the due date is required")
    for i, u in enumerate(a.updates, 1):
        if not u.text.strip():
            raise ValidationError(f"updates[{i}].text", u.text, "the update's text is required")
    if a.due_rule is not None:
        try:
            _, rule = parse_due(describe_rule(a.due_rule), "due_rule")
        except ValidationError:
            rule = None
        if rule != a.due_rule:
            raise ValidationError("due_rule", describe_rule(a.due_rule), "a rule such as '3 months after "
                                  "publication' or '3 months after A-000002 is complete'")
    if a.follow_up_of and not re.fullmatch(r"A-\d+", a.follow_up_of):
        raise ValidationError("follow_up_of", a.follow_up_of, "the reference of the action this one follows up, "
                              "like A-000123, or blank")
    doc = actions.ctx.store.get(REVIEWS, a.review)
    if doc is None:
        raise ValidationError("review", a.review, "a review in the store: import the reviews first")
    if not any(r["number"] == a.recommendation for r in doc.get("recommendations", ())):
        raise ValidationError("recommendation", a.recommendation, f"a recommendation of {a.review}")


def export_plans(actions: ActionService, table: str, fmt_: str) -> str:
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    if fmt_ == "json":
        return export_json(actions, table)
    if fmt_ == "csv":
        return reviews_csv(actions) if table == REVIEWS else actions_csv(actions)
    raise ValidationError("format", fmt_, "csv or json")
