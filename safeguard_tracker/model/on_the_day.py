"""A record entered after a day, as it stood on that day as far as its own dates tell.

The audit trail rebuilds a record as it stood at the end of any day since it
was entered.  A record entered later (an old log imported, a case typed up
after the event, the demo built today) has no history before its entry: for a
day before that, the tracker shows it as it stands now, with every event
dated after the day taken off.  It is closed only if it was closed by then, a
reopening after the day puts back the closure it undid, a meeting held later
is not there yet, and a record received after the day does not exist.

Plain documents in, plain documents out: the store-layer rebuild calls
``as_it_stood`` with the record's latest version.
"""

from __future__ import annotations

from typing import Any, Optional

from ..documents import Doc

_CONTACT_DATES = ("responded_on", "s47_strategy_on", "employer_report_requested_on", "employer_report_received_on")
_CONTACT_DATED_LISTS = (("category_history", "on"), ("meetings", "held_on"), ("suspension", "on"),
                        ("regulator_referrals", "on"), ("notes", "at"))
_REVIEW_DATES = ("incident_on", "known_on", "notified_on", "decision_on", "initiated_on", "published_on")


def _after(value: Any, day: str) -> bool:
    """Whether a stored date or time ('2018-06-15', '2018-06-15T09:36:00+00:00') falls after ``day`` (ISO)."""
    return isinstance(value, str) and value[:10] > day


def _keep_until(items: Any, key: str, day: str) -> Any:
    """``items`` without those dated after ``day``: the same list when none is (most, so nothing is copied)."""
    if not items or not any(isinstance(i, dict) and _after(i.get(key), day) for i in items):
        return items if items is not None else []
    return [i for i in items if not (isinstance(i, dict) and _after(i.get(key), day))]


def as_it_stood(table: str, doc: Doc, day: str) -> Optional[Doc]:
    """``doc`` (a record entered after ``day``, as it stands now) as its dates say it stood at the end of ``day``
    (ISO), or None if it did not exist yet."""
    if table == "contacts":
        return _contact(doc, day)
    if table == "reviews":
        return _review(doc, day)
    if table == "actions":
        return _action(doc, day)
    return dict(doc)


def _contact(doc: Doc, day: str) -> Optional[Doc]:
    received = doc.get("received_on")
    if not isinstance(received, str) or received > day:
        return None
    out = dict(doc)
    # (written out rather than through _after and _keep_until: this runs once per contact, 100,000 times)
    for field in _CONTACT_DATES:
        value = out.get(field)
        if value.__class__ is str and value[:10] > day:
            out[field] = None
    for field, key in _CONTACT_DATED_LISTS:
        items = out.get(field)
        if items:
            for item in items:
                value = item.get(key) if item.__class__ is dict else None
                if value.__class__ is str and value[:10] > day:
                    out[field] = _keep_until(items, key, day)
                    break
    history = doc.get("category_history") or []
    if len(out.get("category_history") or []) < len(history):
        # A category decided after the day: the contact had the category the first later decision changed.
        first_later = history[len(out["category_history"])]
        out["category"] = first_later.get("from") if isinstance(first_later, dict) else None
    reopenings = doc.get("reopenings") or []
    kept = _keep_until(reopenings, "on", day)
    if "reopenings" in out:
        out["reopenings"] = kept
    if len(kept) < len(reopenings):
        # Reopened after the day: on the day it stood closed as the first later reopening found it.
        undone = reopenings[len(kept)]
        out["closed_on"] = undone.get("previous_closed_on")
        out["outcome"] = undone.get("previous_outcome")
    if _after(out.get("closed_on"), day) or out.get("closed_on") is None:
        out["closed_on"] = None
        out["outcome"] = None
    return out


def _review(doc: Doc, day: str) -> Optional[Doc]:
    dated = [v for f in _REVIEW_DATES if isinstance(v := doc.get(f), str)]
    if not dated or min(dated) > day:
        return None
    out = dict(doc)
    for field in _REVIEW_DATES:
        if _after(out.get(field), day):
            out[field] = None
    if doc.get("published_on") and not out.get("published_on") and out.get("status") in ("published", "closed"):
        out["status"] = "in_progress" if out.get("initiated_on") or not out.get("notified_on") else "notified"
    recs = []
    for r in out.get("recommendations") or ():
        finding = r.get("impact_finding") if isinstance(r, dict) else None
        if isinstance(finding, dict) and _after(finding.get("on"), day):
            r = {**r, "impact_finding": None}
        recs.append(r)
    if "recommendations" in out:
        out["recommendations"] = recs
    return out


def _action(doc: Doc, day: str) -> Doc:
    out = dict(doc)
    out["updates"] = [u for u in (doc.get("updates") or ())
                      if not (isinstance(u, dict) and _after(u.get("on") or u.get("at"), day))]
    out["revisions"] = _keep_until(doc.get("revisions"), "on", day)
    status = out.get("status")
    if _after(out.get("signed_off_on"), day):
        out["signed_off_on"], out["signed_off_by"] = None, ""
        if status == "signed_off":
            status = "complete"
    if _after(out.get("completed_on"), day):
        out["completed_on"] = None
        if status == "complete":
            status = "in_progress" if out["updates"] else "not_started"
    if status == "in_progress" and not out["updates"] and doc.get("updates"):
        status = "not_started"     # every update it had came after the day
    out["status"] = status
    return out


__all__ = ["as_it_stood"]
