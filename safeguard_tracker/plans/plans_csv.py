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
agencies of a new recommendation are its rows' lead agencies.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Optional

import attrs

from ..convert import to_doc
from ..dates import fmt
from ..errors import SafeguardError, ValidationError
from ..model import Action, Recommendation, Review, ReviewKind, ReviewStatus
from ..store.protocol import Doc
from .actions import ActionService
from .dependants import due_changes, stage_dependants
from .import_tally import RowProblems, Tally, recommendation_overwrite, stale_conflict
from .plan_dates import NOTIFIED_KINDS, describe_rule
from .plan_rows import action_row, cell_past_day, merge_action
from .plans_json import export_json, import_json
from .rag import action_rag, days_overdue
from ..io.csvfiles import read_rows, unguard, write_csv
from ..io.importing import ImportResult, parse_revision

REVIEWS, ACTIONS = "reviews", "actions"

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


def import_reviews(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Import reviews from a CSV (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored reviews (see ``importing``).
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return import_json(actions, path, REVIEWS, dry_run=dry_run, overwrite=overwrite)
    keys, rows = read_rows(path, required=REVIEW_REQUIRED, aliases=REVIEW_ALIASES, known=REVIEW_KNOWN)
    check = RowProblems(path.name)
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
def import_actions(actions: ActionService, path: str | Path, *, dry_run: bool = False, overwrite: bool = False) -> ImportResult:
    """Import an action plan from a CSV (or a JSON export, by its .json name): all or nothing.

    ``overwrite`` lets rows without a revision change stored actions, and any row change a
    stored recommendation's text (the file carries no revision for its review).
    """
    path = _source(path)
    if path.suffix.lower() == ".json":
        return import_json(actions, path, ACTIONS, dry_run=dry_run, overwrite=overwrite)
    keys, rows = read_rows(path, required=ACTION_REQUIRED, aliases=ACTION_ALIASES, known=ACTION_KNOWN)
    check = RowProblems(path.name)
    parsed: list[tuple[int, dict[str, Any]]] = []
    review_key = functools.lru_cache(maxsize=None)(actions.reviews.key)   # a plan repeats its review's name
    for number, row in rows:
        try:
            revision = parse_revision(row.get("revision"), "revision", number)
            parsed.append((number, dict(action_row(actions, row, number, review_key), revision=revision)))
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


def export_plans(actions: ActionService, table: str, fmt_: str) -> str:
    if table not in (REVIEWS, ACTIONS):
        raise ValidationError("kind", table, "reviews or actions")
    if fmt_ == "json":
        return export_json(actions, table)
    if fmt_ == "csv":
        return reviews_csv(actions) if table == REVIEWS else actions_csv(actions)
    raise ValidationError("format", fmt_, "csv or json")
