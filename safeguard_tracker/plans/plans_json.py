"""Reviews and action plans as JSON: whole records, lossless, each with its revision.

The export writes every record of a table exactly as stored.  The import reads such an export
all or nothing: each record passes the API's rules (the reviews' and actions' cleaners, and the
rules across an action's fields the CSV import applies too) and is upserted by reference; a
record changed in the store since the export is a conflict, and history is never removed (see
``importing``).
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
from ..model import Action, ActionStatus, Recommendation, Review, ReviewKind
from ..progress import NO_PROGRESS, Progress, counted, counted_list
from ..store.protocol import Doc
from ..validation.fields import date_value
from ..validation.plans import REVIEW_DATE_FIELDS, REVIEW_TEXT_FIELDS, clean_owners
from .actions import ActionService
from .import_tally import Tally
from .plan_dates import describe_rule, parse_due
from ..io.csvfiles import import_failed
from ..io.importing import ImportResult, parse_revision
from ..io.jsonfiles import describe_structure_error, read_json_file, record_shape_problem, unstorable

REVIEWS = "reviews"
JSON_VERSION = 1


def export_json(actions: ActionService, table: str, progress: Progress = NO_PROGRESS) -> str:
    """Every record of ``table`` exactly as stored, with its revision, in reference order; ``progress``
    counts the records read, then written."""
    cls = Review if table == REVIEWS else Action
    stored = sorted(actions.ctx.store.all(table).items())
    records = [{**to_doc(actions.ctx.structure(cls, table, k, d)), "revision": d.get("_rev", 0)}
               for k, d in counted(stored, len(stored), progress, f"reading {table}")]
    records = counted_list(records, progress, f"exporting {table}")    # counted as the encoder walks it
    return json.dumps({"format": f"safeguard-tracker/{table}", "version": JSON_VERSION, table: records},
                      indent=1, ensure_ascii=False) + "\n"


def import_json(actions: ActionService, path: Path, table: str, *, dry_run: bool, overwrite: bool = False) -> ImportResult:
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
    records: dict[str, tuple[int, str, Doc, Optional[int]]] = {}
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
    tally = Tally(actions.ctx.store, overwrite, table)
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


def _json_review(actions: ActionService, body: Doc, others: dict[str, Doc]) -> Doc:
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
    recs = [_checked(f"recommendations[{i}]", functools.partial(_json_recommendation, actions, r))
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


def _json_recommendation(actions: ActionService, r: Doc) -> Recommendation:
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


def _json_action(actions: ActionService, body: Doc) -> Doc:
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
                          lead_officer=cleaned.lead_officer, status=status, completed_on=days["completed_on"],
                          signed_off_on=days["signed_off_on"])
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
        if done is not None and a.signed_off_on < done:      # (done is set: checked above)
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
