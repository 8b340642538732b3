"""The contacts frame's columns, and the contacts as they stood on a date (see docs/analysis.md).

The derived columns call what the statistics use: the financial year
(``dates.financial_year_of``) and the resolution bands (``add_period`` over the
store's deadline rules, named as ``lado.statistics`` names them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from .dates import add_period, financial_year_of, parse_period
from .frames_columns import (
    BOOL,
    DATE,
    INT,
    INT_OR_NONE,
    TEXT,
    Builder,
    Column,
    Env,
    Kind,
    agency_field,
    cat,
    column_of,
    count_of,
    inner_text,
    on_or_before,
    text_field,
)
from .lado.deadlines import rules_of
from .lado.statistics import band_keys
from .model import Category, Harm, Outcome, SuspensionDecision
from .store.protocol import Doc

# --- contacts -----------------------------------------------------------------------------------------

CONTACT_DATED = ("responded_on", "s47_strategy_on", "employer_report_requested_on", "employer_report_received_on")
CONTACT_DATED_LISTS = (("meetings", "held_on"), ("suspension", "on"), ("regulator_referrals", "on"),
                       ("reopenings", "on"), ("category_history", "on"))


def contacts_as_of(docs: Iterable[Doc], as_of: str) -> list[Doc]:
    """The contacts received on or before ``as_of``, each as it stood then (see docs/analysis.md).

    Shallow copies with the later steps taken out; the stored documents are not touched.
    """
    out = []
    for stored in docs:
        if stored["received_on"] > as_of:
            continue
        d = dict(stored)
        for key in CONTACT_DATED:
            d[key] = on_or_before(d.get(key), as_of)
        later = [r for r in d.get("reopenings") or () if (r.get("on") or "") > as_of]
        for key, when in CONTACT_DATED_LISTS:
            items = d.get(key)
            if items:
                d[key] = [x for x in items if (x.get(when) or "") <= as_of]
        if stored.get("category_history"):
            history = d["category_history"]
            d["category"] = history[-1].get("to") if history else None
        closed, outcome = d.get("closed_on"), d.get("outcome")
        if closed is not None and closed > as_of:
            closed = outcome = None
        if closed is None and later:
            # The first reopening after as_of set aside the closing in force on as_of, if there was one.
            previous = later[0].get("previous_closed_on")
            if previous is not None and previous <= as_of:
                closed, outcome = previous, later[0].get("previous_outcome")
        d["closed_on"], d["outcome"] = closed, outcome
        out.append(d)
    return out


def _financial_year(rows: list[Doc], env: Env) -> list[Any]:
    received = env.values(rows, "received_on")
    year = {day: financial_year_of(date.fromisoformat(day)) for day in set(received)}
    return [year[day] for day in received]


def _first_category(rows: list[Doc], env: Env) -> list[Any]:
    return [h[0]["to"] if h else c for h, c in zip(env.values(rows, "category_history"), env.values(rows, "category"))]


def _escalated(rows: list[Doc], env: Env) -> list[Any]:
    # As lado.statistics counts "escalated"; a history of one decision is tested without a generator.
    histories = env.values(rows, "category_history")
    return [bool(h) and (h[0].get("kind") == "escalated" if len(h) == 1 else
                         any(x.get("kind") == "escalated" for x in h)) for h in histories]


def _first_jem(meetings: list[Doc]) -> str | None:
    jems = [m["held_on"] for m in meetings if m.get("kind") == "jem"]
    return min(jems) if jems else None


def _jem_held_on(rows: list[Doc], env: Env) -> list[Any]:
    return [_first_jem(m) if m else None for m in env.values(rows, "meetings")]


def _last(key: str, item: str) -> Builder:
    return lambda rows, env: [x[-1].get(item) if x else None for x in env.values(rows, key)]


class _Ordinals(dict[str, int]):
    """ISO date -> day number, each distinct date parsed once."""

    def __missing__(self, key: str) -> int:
        value = self[key] = date.fromisoformat(key).toordinal()
        return value


def _days_to_close(rows: list[Doc], env: Env) -> list[Any]:
    days: _Ordinals = env.once("ordinals", _Ordinals)
    return [None if c is None else days[c] - days[r]
            for c, r in zip(env.values(rows, "closed_on"), env.values(rows, "received_on"))]


def timescale_keys(env: Env) -> tuple[str, ...]:
    """The statistics' band names for the store's resolution targets, then 'over_...' and 'open'."""
    return (*band_keys(rules_of(env.ctx).resolution), "open")


def _timescale(rows: list[Doc], env: Env) -> list[Any]:
    """Each contact's resolution band, by the arithmetic ``lado.statistics`` counts ``timescales`` with:
    the first target whose limit (``add_period`` of the receipt date) the closing date is on or before.

    A limit is worked out only when it is needed, once per receipt date: most contacts close within
    the first target, so most dates need one.
    """
    periods = [parse_period(p) for p in rules_of(env.ctx).resolution]
    keys = timescale_keys(env)
    still_open, first = keys[-1], keys[0]
    limits: dict[tuple[str, int], str] = {}

    def limit(received: str, i: int) -> str:
        found = limits.get((received, i))
        if found is None:
            found = limits[(received, i)] = add_period(date.fromisoformat(received), periods[i]).isoformat()
        return found

    class _First(dict[str, str]):
        def __missing__(self, received: str) -> str:
            value = self[received] = limit(received, 0)
            return value

    def later(received: str, closed: str) -> str:
        for i in range(1, len(periods)):
            if closed <= limit(received, i):
                return keys[i]
        return keys[len(periods)]                  # over the last target

    within_first = _First()
    return [still_open if c is None else first if c <= within_first[r] else later(r, c)
            for c, r in zip(env.values(rows, "closed_on"), env.values(rows, "received_on"))]


def _timescale_kind(env: Env) -> Kind:
    return cat(timescale_keys(env), ordered=True)


CATEGORY = cat(Category, ordered=True)
CONTACT_COLUMNS: dict[str, Column] = {
    "reference": Column(TEXT, column_of("reference")),
    "received_on": Column(DATE, column_of("received_on")),
    "financial_year": Column(Kind("cat", (), True, True), _financial_year),
    "agency": Column(lambda env: Kind("cat", env.ctx.taxonomy.agencies, False, True), agency_field("agency", plan=False)),
    "category": Column(CATEGORY, column_of("category")),
    "first_category": Column(CATEGORY, _first_category),
    "escalated": Column(BOOL, _escalated),
    "status": Column(cat(("open", "closed")), lambda rows, env: ["open" if c is None else "closed"
                                                                 for c in env.values(rows, "closed_on")]),
    "harm": Column(cat(Harm), column_of("harm")),
    "threshold": Column(TEXT, lambda rows, env: [";".join(v) if v else "" for v in env.values(rows, "threshold")]),
    "children_count": Column(INT_OR_NONE, column_of("children_count")),
    "responded_on": Column(DATE, column_of("responded_on")),
    "jem_held_on": Column(DATE, _jem_held_on),
    "meetings": Column(INT, count_of("meetings")),
    "police_involved": Column(BOOL, lambda rows, env: [bool(v) for v in env.values(rows, "police_involved")]),
    "s47_strategy_on": Column(DATE, column_of("s47_strategy_on")),
    "suspension": Column(cat(SuspensionDecision), _last("suspension", "decision")),
    "regulator_referrals": Column(INT, count_of("regulator_referrals")),
    "employer_report_requested_on": Column(DATE, column_of("employer_report_requested_on")),
    "employer_report_received_on": Column(DATE, column_of("employer_report_received_on")),
    "outcome": Column(cat(Outcome), column_of("outcome")),
    "closed_on": Column(DATE, column_of("closed_on")),
    "days_to_close": Column(INT_OR_NONE, _days_to_close),
    "timescale": Column(_timescale_kind, _timescale),
    "reopened": Column(INT, count_of("reopenings")),
    "redacted": Column(BOOL, lambda rows, env: [v is not None for v in env.values(rows, "redacted_on")]),
    "revision": Column(INT, lambda rows, env: env.values(rows, "_rev", 0)),
    # personal: the fields a redaction removes (model/personal_data.py)
    "summary": Column(TEXT, text_field("summary"), personal=True),
    "subject_name": Column(TEXT, inner_text("subject", "name"), personal=True),
    "subject_role": Column(TEXT, inner_text("subject", "role"), personal=True),
    "subject_employer": Column(TEXT, inner_text("subject", "employer"), personal=True),
    "subject_date_of_birth": Column(DATE, lambda rows, env: [(d.get("subject") or {}).get("date_of_birth")
                                                             for d in rows], personal=True),
    "referrer_name": Column(TEXT, inner_text("referrer", "name"), personal=True),
    "referrer_role": Column(TEXT, inner_text("referrer", "role"), personal=True),
    "referrer_organisation": Column(TEXT, inner_text("referrer", "organisation"), personal=True),
    "case_manager": Column(TEXT, text_field("case_manager"), personal=True),
    "police_reference": Column(TEXT, text_field("police_reference"), personal=True),
    "disciplinary": Column(TEXT, text_field("disciplinary"), personal=True),
    "employer_outcome": Column(TEXT, text_field("employer_outcome"), personal=True),
    "rationale": Column(TEXT, lambda rows, env: [h[-1].get("rationale") or "" if (h := d.get("category_history"))
                                                 else "" for d in rows], personal=True),
}
