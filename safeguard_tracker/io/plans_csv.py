"""Reviews and action plans in and out: CSV as spreadsheets write it, and JSON that round-trips losslessly.

Imports are **all or nothing**: every row is checked first, every problem is
listed (row, column, value, what would be accepted) and ``ImportFailed`` is
raised with nothing written.  Otherwise the whole file is one transaction.
Re-importing the same file changes nothing: rows are matched to what the store
holds, and a blank cell never erases a stored value.

Reviews CSV, one row per review (headers in any case and spacing, with aliases):

* required: ``name``, ``kind``
* optional: ``lead_board``, ``status``, ``incident``, ``notified``, ``initiated``,
  ``published``, ``chair``, ``author``, ``themes`` (separated by ``;``), and, as
  the export writes them, ``reference``, ``known``, ``decision``
* written by the export for reading only: ``title``, ``notification_due``,
  ``rapid_review_due``, ``publication_due``, ``recommendations``, ``actions``

A row matches a stored review by ``reference``, else by kind and name.

Actions CSV, one row per action, so that Word and Excel plans can be brought in:

* required: ``review`` (its name, title or reference), ``recommendation`` (the number
  within the review), ``action``, ``agency`` (the lead agency)
* optional: ``recommendation_text`` (needed on a new recommendation's first row only),
  ``officer``, ``due`` (a date or "3 months after publication"), ``status``,
  ``evidence``, ``completed``, and, as the export writes them, ``reference``,
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
from typing import Any, Optional

import attrs

from ..convert import from_doc, to_doc
from ..dates import fmt, parse_date
from ..errors import ImportFailed, SafeguardError, ValidationError
from ..model import Action, ActionStatus, Recommendation, Review, ReviewKind, Revision
from ..plan_dates import describe_rule, parse_due
from ..rag import action_rag, days_overdue
from .csvfiles import decode_bytes, read_rows, unguard, write_csv
from .importing import ImportResult, changed_fields, describe_structure_error

REVIEWS, ACTIONS = "reviews", "actions"
JSON_VERSION = 1

REVIEW_REQUIRED = ("name", "kind")
REVIEW_DATES = {"incident": "incident_on", "known": "known_on", "notified": "notified_on",
                "decision": "decision_on", "initiated": "initiated_on", "published": "published_on"}
REVIEW_TEXTS = ("lead_board", "chair", "author")
REVIEW_EXPORT_ONLY = ("title", "notification_due", "rapid_review_due", "publication_due", "recommendations",
                      "actions")
REVIEW_KNOWN = ("reference",) + REVIEW_REQUIRED + REVIEW_TEXTS + ("status", "themes") + tuple(REVIEW_DATES) \
    + REVIEW_EXPORT_ONLY
REVIEW_ALIASES = {
    "ref": "reference", "review_reference": "reference", "review": "name", "review_name": "name",
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
ACTION_KNOWN = ("reference", "review", "recommendation", "recommendation_text", "action", "agency", "officer", "due",
                "status", "evidence", "completed", "impact_measure", "revised_due", "revision_reason",
                "signed_off_by", "signed_off_on", "off_track_reason", "follow_up_of") + ACTION_EXPORT_ONLY
ACTION_ALIASES = {
    "ref": "reference", "action_reference": "reference", "review_name": "review", "rec": "recommendation",
    "rec_no": "recommendation", "recommendation_number": "recommendation", "recommendation_no": "recommendation",
    "number": "recommendation", "rec_text": "recommendation_text", "recommendation_wording": "recommendation_text",
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
    """Sorts records into added, updated (with the fields that change) and unchanged."""

    def __init__(self):
        self.added: list[str] = []
        self.updated: dict[str, tuple[str, ...]] = {}
        self.unchanged: list[str] = []

    def see(self, ref: str, existing: Optional[dict], doc: dict) -> bool:
        """Whether ``doc`` needs writing."""
        if existing is None:
            self.added.append(ref)
            return True
        changed = changed_fields(existing, doc)
        if changed:
            self.updated[ref] = changed
        else:
            self.unchanged.append(ref)
        return bool(changed)

    def result(self, source: str, rows: int, dry_run: bool) -> ImportResult:
        return ImportResult(source=source, rows=rows, added=tuple(self.added), updated=self.updated,
                            unchanged=tuple(self.unchanged), dry_run=dry_run)


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
            raise ImportFailed([text for _, text in sorted(self.problems, key=lambda p: p[0])], source=self.source)


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


def _date(tracker: Any, column: str, text: str, row: int) -> Optional[date]:
    day = _day(text, column, row, tracker.today())
    if day is not None and day > tracker.today():
        raise ValidationError(column, fmt(day), f"a date no later than today ({fmt(tracker.today())})", row=row)
    return day


# --- reviews -------------------------------------------------------------------------------------------

def _source(path: str | Path) -> Path:
    if "\x00" in str(path):
        raise ValidationError("file", str(path), "a file name without a NUL character")
    return Path(path)


def import_reviews(tracker: Any, path: str | Path, *, dry_run: bool = False) -> ImportResult:
    """Import reviews from a CSV (or a JSON export, by its .json name): all or nothing."""
    path = _source(path)
    if path.suffix.lower() == ".json":
        return _import_json(tracker, path, REVIEWS, dry_run=dry_run)
    keys, rows = read_rows(path, required=REVIEW_REQUIRED, aliases=REVIEW_ALIASES, known=REVIEW_KNOWN)
    check = _Rows(path.name)
    docs = tracker.store.all(REVIEWS)
    by_name = {(d["kind"], d["name"].casefold()): k for k, d in docs.items()}
    seen: dict[tuple[str, str], int] = {}
    planned: list[tuple[int, Optional[str], Review]] = []
    for number, row in rows:
        try:
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
                    fields[field] = _date(tracker, column, row[column], number)
            if ref is not None and ref in docs:
                base = tracker._structure(Review, REVIEWS, ref, docs[ref])
            else:
                from ..plan_dates import NOTIFIED_KINDS
                from ..model import ReviewStatus
                base = Review(reference=ref or "", kind=kind, name=name, status=ReviewStatus.NOTIFIED
                              if kind in NOTIFIED_KINDS else ReviewStatus.IN_PROGRESS)
            review = tracker._clean_review(base, fields, row=number)
            tracker._check_closing(review)
            planned.append((number, ref, review))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()
    tally = _Tally()
    with tracker.store.transaction() as txn:
        staged: list[Review] = []
        taken: set[str] = set()
        for number, ref, review in planned:
            existing = docs.get(ref) if ref else None
            if existing is None:
                ref = ref or tracker._next_review_reference(txn, review, taken)
                taken.add(ref)
                review = attrs.evolve(review, reference=ref)
            if tally.see(ref, existing, to_doc(review)):
                staged.append(review)
        if not dry_run:
            for review in staged:
                txn.put(REVIEWS, review.reference, to_doc(review))
            tracker._follow(txn, reviews=[r for r in staged if r.reference in tally.updated])
    return tally.result(path.name, len(rows), dry_run)


REVIEW_CSV_COLUMNS = ("reference", "name", "kind", "lead_board", "status", "incident", "known", "notified",
                      "decision", "initiated", "published", "chair", "author", "themes") + REVIEW_EXPORT_ONLY


def reviews_csv(tracker: Any) -> str:
    counts: dict[str, int] = {}
    for d in tracker.store.all(ACTIONS).values():
        counts[d["review"]] = counts.get(d["review"], 0) + 1
    rows = []
    for r in tracker.reviews():
        dates = tracker.statutory_dates(r)
        rows.append([r.reference, r.name, r.kind.value, r.lead_board, r.status.value]
                    + [fmt(getattr(r, f)) for f in REVIEW_DATES.values()]
                    + [r.chair, r.author, "; ".join(r.themes), r.title, fmt(dates.notification_due),
                       fmt(dates.rapid_review_due), fmt(dates.publication_due), len(r.recommendations),
                       counts.get(r.reference, 0)])
    return write_csv(REVIEW_CSV_COLUMNS, rows)


# --- actions --------------------------------------------------------------------------------------------

def _action_row(tracker: Any, row: dict[str, str], number: int, review_key: Any) -> dict[str, Any]:
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
    v["agency"] = tracker._plan_agency(unguard(row.get("agency", "")), "agency", number)
    v["officer"] = unguard(row.get("officer", ""))
    due = unguard(row.get("due", ""))
    v["due"] = (_day(due, "due", number, tracker.today()), None) if _UK_DATE.fullmatch(due) else \
        parse_due(due, "due", row=number, today=tracker.today())
    v["status"] = ActionStatus.parse(row["status"], "status", row=number) if row.get("status") else None
    for column in ("completed", "signed_off_on"):
        v[column] = _date(tracker, column, row.get(column, ""), number)
    v["revised_due"] = _day(row.get("revised_due", ""), "revised_due", number, tracker.today())
    for column in ("evidence", "impact_measure", "revision_reason", "signed_off_by", "off_track_reason"):
        v[column] = unguard(row.get(column, "")).strip()
    v["reference"] = tracker._action_key(row["reference"]) if row.get("reference") else None
    v["follow_up_of"] = tracker._action_key(row["follow_up_of"]) if row.get("follow_up_of") else ""
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


def _merge_action(tracker: Any, a: Action, v: dict[str, Any], number: int) -> Action:
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
            on=tracker.today(), by=tracker.user, from_=merged.current_due_on, to=v["revised_due"],
            reason=v["revision_reason"]),))
    if merged.status in (ActionStatus.COMPLETE, ActionStatus.SIGNED_OFF) and merged.off_track_reason:
        merged = attrs.evolve(merged, off_track_reason="")
    return merged


def import_actions(tracker: Any, path: str | Path, *, dry_run: bool = False) -> ImportResult:
    """Import an action plan from a CSV (or a JSON export, by its .json name): all or nothing."""
    path = _source(path)
    if path.suffix.lower() == ".json":
        return _import_json(tracker, path, ACTIONS, dry_run=dry_run)
    keys, rows = read_rows(path, required=ACTION_REQUIRED, aliases=ACTION_ALIASES, known=ACTION_KNOWN)
    check = _Rows(path.name)
    parsed: list[tuple[int, dict[str, Any]]] = []
    review_key = functools.lru_cache(maxsize=None)(tracker._review_key)   # a plan repeats its review's name
    for number, row in rows:
        try:
            parsed.append((number, _action_row(tracker, row, number, review_key)))
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

    store_actions = tracker.store.all(ACTIONS)
    by_text = {(d["review"], d["recommendation"], d["description"].casefold()): k for k, d in store_actions.items()}
    explicit = {v["reference"] for _, v in parsed if v["reference"]}
    reviews: dict[str, Review] = {}
    rec_first_row: dict[tuple[str, int], int] = {}
    seen: dict[Any, int] = {}
    merged: list[tuple[int, Action]] = []
    for number, v in parsed:
        try:
            rkey = v["review"]
            review = reviews.get(rkey) or tracker._load(Review, REVIEWS, rkey, "review")
            rec = review.recommendation(v["recommendation"])
            text = v["recommendation_text"]
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
                base = tracker._structure(Action, ACTIONS, ref, store_actions[ref])
                if (base.review, base.recommendation) != (rkey, v["recommendation"]):
                    raise ValidationError("reference", ref, f"an action of {review.title} recommendation "
                                          f"{v['recommendation']} ({ref} belongs to {base.review} recommendation "
                                          f"{base.recommendation})", row=number)
            else:
                base = Action(reference="", review=rkey, recommendation=v["recommendation"], description=v["action"])
            action = _merge_action(tracker, base, v, number)
            rule = action.due_rule
            if rule is not None and rule.event == "completion":
                if rule.action not in store_actions and rule.action not in explicit:
                    raise ValidationError("due", describe_rule(rule), f"a rule naming an action in the store or in "
                                          f"the file's reference column ({rule.action} is in neither)", row=number)
                if rule.action == (ref or ""):
                    raise ValidationError("due", describe_rule(rule), "an event other than this action's own "
                                          "completion", row=number)
            merged.append((number, attrs.evolve(action, reference=ref or "")))
        except SafeguardError as exc:
            check.fail(exc, number)
    check.raise_if_any()

    tally = _Tally()
    with tracker.store.transaction() as txn:
        n = tracker._next_action_number(txn)
        final: dict[str, Action] = {}
        for number, action in merged:
            if not action.reference:
                while f"A-{n:06d}" in store_actions or f"A-{n:06d}" in explicit:
                    n += 1
                action = attrs.evolve(action, reference=f"A-{n:06d}")
                n += 1
            final[action.reference] = action
        final.update(tracker._due_changes(reviews, final))
        for ref, action in final.items():
            doc = to_doc(action)
            if tally.see(ref, store_actions.get(ref), doc) and not dry_run:
                txn.put(ACTIONS, ref, doc)
        reviews_seen = _Tally()     # recommendations added or changed: reported as updates of their review
        for rkey, review in reviews.items():
            doc = to_doc(review)
            if reviews_seen.see(rkey, tracker.store.get(REVIEWS, rkey), doc) and not dry_run:
                txn.put(REVIEWS, rkey, doc)
        tally.updated.update(reviews_seen.updated)
    return tally.result(path.name, len(rows), dry_run)


ACTION_CSV_COLUMNS = ("reference", "review", "recommendation", "recommendation_text", "action", "agency", "officer",
                      "due", "status", "evidence", "completed", "impact_measure", "revised_due", "revision_reason",
                      "signed_off_by", "signed_off_on", "off_track_reason", "follow_up_of") + ACTION_EXPORT_ONLY


def actions_csv(tracker: Any) -> str:
    """One row per action, in the import's columns, so an export re-imports to the same plan."""
    today = tracker.today()
    reviews = {r.reference: r for r in tracker.reviews()}
    rows = []
    first: set[tuple[str, int]] = set()
    for a in tracker.actions():
        r = reviews[a.review]
        rec = r.recommendation(a.recommendation)
        key = (a.review, a.recommendation)
        rec_text = rec.text if rec is not None and key not in first else ""
        first.add(key)
        last = a.revisions[-1] if a.revisions else None
        latest = a.updates[-1] if a.updates else None
        rows.append([a.reference, r.title, a.recommendation, rec_text, a.description, a.lead_agency, a.lead_officer,
                     describe_rule(a.due_rule) if a.due_rule else fmt(a.due_on), a.status.value, a.evidence,
                     fmt(a.completed_on), a.impact_measure, fmt(last.to) if last else "",
                     last.reason if last else "", a.signed_off_by, fmt(a.signed_off_on), a.off_track_reason,
                     a.follow_up_of, action_rag(a, today).value, days_overdue(a, today),
                     f"{fmt(latest.on or latest.at.date())}: {latest.text}" if latest else ""])
    return write_csv(ACTION_CSV_COLUMNS, rows)


# --- JSON: whole records, lossless ----------------------------------------------------------------------

def export_json(tracker: Any, table: str) -> str:
    """Every record of ``table`` exactly as stored (less the store's revision), in reference order."""
    cls = Review if table == REVIEWS else Action
    records = [to_doc(tracker._structure(cls, table, k, d)) for k, d in sorted(tracker.store.all(table).items())]
    return json.dumps({"format": f"safeguard-tracker/{table}", "version": JSON_VERSION, table: records},
                      indent=1, ensure_ascii=False) + "\n"


def _import_json(tracker: Any, path: Path, table: str, *, dry_run: bool) -> ImportResult:
    """Whole records from a JSON export, upserted by reference, all or nothing."""
    source = path.name
    try:
        data = json.loads(decode_bytes(path.read_bytes(), source))
    except OSError as exc:
        raise ImportFailed([f"{source}: cannot be read ({exc.strerror})"], source=source) from None
    except json.JSONDecodeError as exc:
        raise ImportFailed([f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                           source=source) from None
    fmt_name = f"safeguard-tracker/{table}"
    if not isinstance(data, dict) or data.get("format") != fmt_name or not isinstance(data.get(table), list):
        raise ImportFailed([f"{source}: expected a {fmt_name} export (an object with a '{table}' list); "
                            f"export one with `safeguard-tracker export {table} --format json`"], source=source)
    if data.get("version") != JSON_VERSION:
        raise ImportFailed([f"{source}: version {data.get('version')!r} of {fmt_name}; this version reads "
                            f"version {JSON_VERSION}"], source=source)
    cls = Review if table == REVIEWS else Action
    known = {a.name for a in attrs.fields(cls)} - {"rev"}
    problems: list[str] = []
    records: dict[str, Any] = {}
    for i, rec in enumerate(data[table], 1):
        where = f"{table}[{i}]"
        try:
            if not isinstance(rec, dict):
                raise ValueError(f"expected an object, got {type(rec).__name__}")
            extra = sorted(set(rec) - known - {"_rev"})
            if extra:
                raise ValueError(f"unknown field(s) {', '.join(extra)}; accepted: {', '.join(sorted(known))}")
            obj = from_doc(cls, {k: v for k, v in rec.items() if k != "_rev"})
            where += f" ({obj.reference})"
            if obj.reference in records:
                raise ValueError(f"reference {obj.reference} appears twice")
            _check_record(tracker, obj)
            records[obj.reference] = obj
        except (SafeguardError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
        except Exception as exc:   # cattrs reports bad types as assorted exceptions
            problems.append(f"{where}: {describe_structure_error(exc)}")
    if problems:
        raise ImportFailed(problems, source=source)
    tally = _Tally()
    with tracker.store.transaction() as txn:
        for ref, obj in records.items():
            doc = to_doc(obj)
            if tally.see(ref, txn.get(table, ref), doc) and not dry_run:
                txn.put(table, ref, doc)
    return tally.result(source, len(records), dry_run)


def _check_record(tracker: Any, obj: Any) -> None:
    """The checks a whole record must pass: references, agencies, and an action's review and recommendation."""
    if isinstance(obj, Review):
        if not re.fullmatch(r"R-\d{4}-\d+", obj.reference):
            raise ValueError(f"reference {obj.reference!r} is not like R-2018-002")
        for rec in obj.recommendations:
            for agency in rec.owner_agencies:
                tracker._plan_agency(agency, f"recommendation {rec.number} owner_agencies")
        return
    if not re.fullmatch(r"A-\d+", obj.reference):
        raise ValueError(f"reference {obj.reference!r} is not like A-000123")
    tracker._plan_agency(obj.lead_agency, "lead_agency")
    doc = tracker.store.get(REVIEWS, obj.review)
    if doc is None:
        raise ValueError(f"review {obj.review} is not in the store: import the reviews first")
    if not any(r["number"] == obj.recommendation for r in doc.get("recommendations", ())):
        raise ValueError(f"{obj.review} has no recommendation {obj.recommendation}")
    if obj.status is ActionStatus.SIGNED_OFF and not (obj.evidence and obj.signed_off_by and obj.signed_off_on):
        raise ValueError("a signed-off action needs its evidence, signed_off_by and signed_off_on")


def export_plans(tracker: Any, table: str, fmt_: str) -> str:
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    if fmt_ == "json":
        return export_json(tracker, table)
    if fmt_ == "csv":
        return reviews_csv(tracker) if table == REVIEWS else actions_csv(tracker)
    raise ValidationError("format", fmt_, "csv or json")
