"""Every LADO deadline rule, in one place.

Each rule is a period ("1 working day", "28 days", "3 months") so that an area
can change it in the store's settings (``Tracker.set_deadline_rules``) without
code.  Working days skip weekends and England's bank holidays; calendar
periods use relativedelta.  The defaults are DOMAIN.md's:

==========================  ====================  ==============================================
rule                        default               measured from
==========================  ====================  ==============================================
response                    1 working day         the contact being received
jem                         5 working days        the referral (received, or the escalation date)
jem_review                  28 days               the latest JEM or JEM review, while open
employer_report             20 working days       the employer's report being requested
resolution                  1, 3 and 12 months    the contact being received
false_malicious             1 week                (reported; no chase: known only at the end)
retention_minimum           10 years              the allegation (the contact being received)
retirement_age              67                    the subject's date of birth, where known
==========================  ====================  ==============================================

The employer's report chase (20 working days, about four school weeks) is our
choice: DOMAIN.md leaves it to us.  Overdue is always derived from these dates
and ``as_of``; nothing here is stored.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Iterable, Iterator, Optional

import attrs
from dateutil.relativedelta import relativedelta

from ..context import Context
from ..dates import add_period, fmt, parse_period
from ..model.due import DueItem
from ..errors import ValidationError
from ..model import Category, Contact, MeetingKind
from ..store.protocol import Doc

SETTINGS_KEY = "deadlines"
MEETING_LABELS = {MeetingKind.JEM: "JEM", MeetingKind.JEM_REVIEW: "JEM review",
                  MeetingKind.STRATEGY: "strategy discussion", MeetingKind.OTHER: "meeting"}


def _period(value: Any) -> str:
    return str(value).strip()


def _periods(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _percents(value: Iterable[Any]) -> tuple[int, ...]:
    return tuple(int(x) for x in value)


@attrs.frozen(kw_only=True)
class DeadlineRules:
    """The configurable deadline rules, as periods.  ``DeadlineRules()`` is DOMAIN.md's defaults."""
    response: str = attrs.field(default="1 working day", converter=_period)
    jem: str = attrs.field(default="5 working days", converter=_period)
    jem_review: str = attrs.field(default="28 days", converter=_period)
    employer_report: str = attrs.field(default="20 working days", converter=_period)
    resolution: tuple[str, ...] = attrs.field(default=("1 month", "3 months", "12 months"), converter=_periods)
    resolution_percent: tuple[int, ...] = attrs.field(default=(80, 90, 100), converter=_percents)
    false_malicious: str = attrs.field(default="1 week", converter=_period)
    retention_minimum: str = attrs.field(default="10 years", converter=_period)
    retirement_age: int = attrs.field(default=67, converter=int)

    def __attrs_post_init__(self) -> None:
        for name in ("response", "jem", "jem_review", "employer_report", "false_malicious", "retention_minimum"):
            parse_period(getattr(self, name), f"deadlines.{name}")
        if not self.resolution:
            raise ValidationError("deadlines.resolution", "", "one or more periods, for example '1 month, 3 months, 12 months'")
        for p in self.resolution:
            parse_period(p, "deadlines.resolution")
        ordered = [add_period(date(2001, 1, 1), p) for p in self.resolution]
        if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
            raise ValidationError("deadlines.resolution", ", ".join(self.resolution), "periods from shortest to longest")
        if len(self.resolution_percent) != len(self.resolution):
            raise ValidationError("deadlines.resolution_percent", list(self.resolution_percent),
                                  f"one target percentage per resolution period ({len(self.resolution)})")
        if not 16 <= self.retirement_age <= 80:
            raise ValidationError("deadlines.retirement_age", self.retirement_age, "an age in years, from 16 to 80")

    @classmethod
    def from_settings(cls, settings: Doc) -> "DeadlineRules":
        stored = settings.get(SETTINGS_KEY) or {}
        known = {a.name for a in attrs.fields(cls)}
        return cls(**{k: v for k, v in stored.items() if k in known})

    def with_changes(self, **changes: Any) -> "DeadlineRules":
        known = {a.name for a in attrs.fields(type(self))}
        for name in changes:
            if name not in known:
                raise ValidationError(name, changes[name], "a deadline rule: " + ", ".join(sorted(known)))
        return attrs.evolve(self, **changes)

    def to_settings(self) -> dict[str, Any]:
        """Only the rules that differ from the defaults, so a later change of default reaches old stores."""
        default = DeadlineRules()
        out = {}
        for a in attrs.fields(type(self)):
            value = getattr(self, a.name)
            if value != getattr(default, a.name):
                out[a.name] = list(value) if isinstance(value, tuple) else value
        return out

    def describe(self) -> list[tuple[str, str, str]]:
        """(rule, value, what it means), for the CLI and the docs."""
        return [
            ("response", self.response, "respond to the referrer, from receipt"),
            ("jem", self.jem, "hold a JEM, from the referral (received, or the escalation date)"),
            ("jem_review", self.jem_review, "review the JEM, from the latest JEM or review, while open"),
            ("employer_report", self.employer_report, "chase the employer's report, from the request"),
            ("resolution", ", ".join(self.resolution), "resolution targets, from receipt"),
            ("resolution_percent", ", ".join(f"{p}%" for p in self.resolution_percent),
             "share of contacts to resolve within each target"),
            ("false_malicious", self.false_malicious, "resolve obviously false or malicious cases (reported only)"),
            ("retention_minimum", self.retention_minimum, "keep the record at least this long after the allegation"),
            ("retirement_age", str(self.retirement_age), "or until the subject reaches this age, if later"),
        ]


DEFAULT_RULES = DeadlineRules()


def rules_of(ctx: Context) -> DeadlineRules:
    return DeadlineRules.from_settings(ctx.settings)


# --- the individual rules --------------------------------------------------------------

def response_due(contact: Contact, rules: DeadlineRules = DEFAULT_RULES) -> date:
    return add_period(contact.received_on, rules.response)


def jem_due(contact: Contact, rules: DeadlineRules = DEFAULT_RULES) -> Optional[date]:
    """A JEM within 5 working days of the referral; for an escalated contact the escalation date counts."""
    referred = contact.referral_on
    return None if referred is None else add_period(referred, rules.jem)


def jem_review_due(contact: Contact, rules: DeadlineRules = DEFAULT_RULES) -> Optional[date]:
    """The next review: ``jem_review`` after the latest JEM or review.  None before the first JEM."""
    held = [m.held_on for m in contact.meetings if m.kind in (MeetingKind.JEM, MeetingKind.JEM_REVIEW)]
    return add_period(max(held), rules.jem_review) if held else None


def employer_report_due(contact: Contact, rules: DeadlineRules = DEFAULT_RULES) -> Optional[date]:
    """When to chase the employer's internal investigation report; None if not requested or already in."""
    if contact.employer_report_requested_on is None or contact.employer_report_received_on is not None:
        return None
    return add_period(contact.employer_report_requested_on, rules.employer_report)


def resolution_targets(received_on: date, rules: DeadlineRules = DEFAULT_RULES) -> list[tuple[str, date]]:
    """(period, date) for each resolution target, shortest first."""
    return [(p, add_period(received_on, p)) for p in rules.resolution]


def retention_review_on(contact: Any, rules: Optional[DeadlineRules] = None) -> date:
    """When the record comes up for retention review: the later of the subject's retirement age
    (where the date of birth is known) and ``retention_minimum`` (10 years) from the allegation.

    ``contact`` is a Contact or its stored document.
    """
    rules = rules or DEFAULT_RULES
    if isinstance(contact, dict):
        received = date.fromisoformat(contact["received_on"])
        dob_text = (contact.get("subject") or {}).get("date_of_birth")
        dob = date.fromisoformat(dob_text) if dob_text else None
    else:
        received, dob = contact.received_on, contact.subject.date_of_birth
    review = add_period(received, rules.retention_minimum)
    if dob is not None:
        review = max(review, dob + relativedelta(years=rules.retirement_age))
    return review


# --- the chase list --------------------------------------------------------------------------

def _unit_text(period: str) -> str:
    n, unit = parse_period(period)
    word = unit.replace("_", " ")
    return f"{n} {word[:-1] if n == 1 else word}"


def contact_items(contact: Contact, as_of: date, within_days: int,
                  rules: DeadlineRules = DEFAULT_RULES) -> Iterator[DueItem]:
    """What an open contact has overdue, or due within ``within_days`` of ``as_of``."""
    if contact.closed_on is not None:
        return
    horizon = as_of + timedelta(days=within_days)

    def item(what: str, due_on: date, detail: str = "") -> Optional[DueItem]:
        if due_on > horizon:
            return None
        return DueItem(reference=contact.reference, what=what, due_on=due_on, as_of=as_of, area="lado",
                       agency=contact.agency, detail=detail)

    found: list[Optional[DueItem]] = []
    # A historic contact (from a log kept before the tracker) is not chased for the steps that log never
    # recorded (the first response, the JEM and its reviews): only for what it did record, and once, to be
    # resolved, so that an old case left open is looked at and closed.
    steps = not contact.historic
    if steps and contact.responded_on is None:
        found.append(item(f"respond to the referrer ({_unit_text(rules.response)})", response_due(contact, rules),
                          f"received {fmt(contact.received_on)}"))
    if steps and contact.category is Category.REFERRAL:
        if contact.jem_held_on is None:
            due = jem_due(contact, rules)
            assert due is not None                        # a referral has a referral date
            found.append(item(f"JEM ({_unit_text(rules.jem)} from referral)", due,
                              f"referral on {fmt(contact.referral_on)}"))
        else:
            due = jem_review_due(contact, rules)
            assert due is not None                        # a JEM was held
            last = max(m.held_on for m in contact.meetings if m.kind in (MeetingKind.JEM, MeetingKind.JEM_REVIEW))
            found.append(item(f"JEM review ({_unit_text(rules.jem_review)} after the meeting of {fmt(last)})", due))
    due = employer_report_due(contact, rules)
    if due is not None:
        found.append(item(f"chase the employer's report ({_unit_text(rules.employer_report)} from request)", due,
                          f"requested {fmt(contact.employer_report_requested_on)}"))
    for n, m in enumerate(contact.meetings, 1):
        for k, a in enumerate(m.actions, 1):
            if a.done_on is None and a.due_on is not None:
                said = f": {a.description} ({a.owner})" if a.description or a.owner else ""
                found.append(item(f"meeting {n} action {k}{said}", a.due_on,
                                  f"{MEETING_LABELS[m.kind]} of {fmt(m.held_on)}"))
    found.append(_resolution_item(contact, as_of, horizon, rules))
    yield from (i for i in found if i is not None)


def _resolution_item(contact: Contact, as_of: date, horizon: date, rules: DeadlineRules) -> Optional[DueItem]:
    """One item per open contact: the next resolution target if it falls due soon, else the
    latest target already missed (with the missed ones named in ``detail``)."""
    targets = resolution_targets(contact.received_on, rules)
    missed = [(p, d) for p, d in targets if d < as_of]
    upcoming = [(p, d) for p, d in targets if d >= as_of]
    if upcoming and upcoming[0][1] <= horizon:
        period, due = upcoming[0]
    elif missed:
        period, due = missed[-1]
    else:
        return None
    earlier = [(p, d) for p, d in missed if p != period]
    detail = ("missed: " + ", ".join(f"{p} ({fmt(d)})" for p, d in earlier)) if earlier else ""
    return DueItem(reference=contact.reference, what=f"resolve within {period} of receipt", due_on=due, as_of=as_of,
                   area="lado", agency=contact.agency, detail=detail)


def _before(day: date, period: str) -> date:
    """``period`` before ``day`` (the inverse of add_period, near enough for a pre-filter)."""
    n, unit = parse_period(period)
    if unit == "working_days":
        from ..dates import add_working_days
        return add_working_days(day, -n)
    if unit in ("days", "weeks"):
        return day - timedelta(days=n * (7 if unit == "weeks" else 1))
    return day - (relativedelta(months=n) if unit == "months" else relativedelta(years=n))


def contact_due_items(ctx: Context, as_of: date, within_days: int) -> list[DueItem]:
    """The LADO's part of ``Tracker.due()``: the deadlines of open contacts.

    Retention reviews are not casework and are not on the chase list: a store that keeps
    ten years of closed records would drown the week's JEMs in them.  They are listed by
    ``retention_items`` (the ``retention`` command).
    """
    rules = rules_of(ctx)
    items: list[DueItem] = []
    for key, doc in ctx.store.all("contacts").items():
        if doc.get("closed_on") is None:
            contact = ctx.structure(Contact, "contacts", key, doc)
            items.extend(contact_items(contact, as_of, within_days, rules))
    return items


def retention_items(ctx: Context, as_of: date, within_days: int,
                    rules: Optional[DeadlineRules] = None) -> list[DueItem]:
    """Closed, unredacted contacts whose retention review date has come (or comes within the window)."""
    rules = rules or rules_of(ctx)
    horizon = as_of + timedelta(days=within_days)
    # The review is never earlier than retention_minimum after receipt, so most records are
    # ruled out by comparing ISO strings, without date arithmetic.  ``_before`` can undershoot:
    # by up to 3 days for months and years (31/01 + 1 month is 28/02), and for working days by up
    # to 4 (a contact received on Boxing Day 2017 is one working day from 27/12, one working day
    # before which is 22/12), so the cut-off leaves 5 days.
    latest_received = (_before(horizon, rules.retention_minimum) + timedelta(days=5)).isoformat()
    items = []
    for key, doc in ctx.store.all("contacts").items():
        if doc.get("closed_on") is None or doc.get("redacted_on") or doc["received_on"] > latest_received:
            continue
        due = retention_review_on(doc, rules)
        if due <= horizon:
            items.append(DueItem(reference=key, what="retention review (keep, or redact the personal data)",
                                 due_on=due, as_of=as_of, area="lado", agency=doc.get("agency", ""),
                                 detail=f"{rules.retention_minimum} from the allegation, or age "
                                        f"{rules.retirement_age} if later"))
    return items
