"""Pattern warnings: other contacts about the same person, and settings with many contacts.

A national review found a LADO had not collated concerns about the same staff
member.  So when a contact is added, or a subject's details change, the tracker
looks for:

* **the same person**: the same name and date of birth; or, where either
  contact has no date of birth, the same name and employer;
* **the same setting**: an employer with ``employer_threshold`` (default 3) or
  more contacts, this one included, in the ``employer_window`` (default 12
  months) up to this contact's received date.

Names and employers are compared ignoring case, spacing and the style of
apostrophes and dashes ("Sam  O'Neil" is "sam o’neil").  Warnings are
returned, never raised: they never block saving.  Both settings live in the
store's settings and are changed with ``Tracker.update_settings``.
"""

from __future__ import annotations

import bisect
import re
from datetime import date, timedelta
from typing import Any, Iterable, Optional

from dateutil.relativedelta import relativedelta

from ..context import Context
from ..dates import fmt, parse_period
from ..errors import ValidationError
from ..model import Contact

DEFAULT_EMPLOYER_THRESHOLD = 3
DEFAULT_EMPLOYER_WINDOW = "12 months"

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]\s*")


def match_key(text: Optional[str]) -> str:
    """The form two spellings of one name share: case, spacing, apostrophes and dashes ignored."""
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = _DASHES.sub("-", text.strip())
    return _SPACES.sub(" ", text).casefold()


def employer_rule(ctx: Context) -> tuple[int, str]:
    """(threshold, window) from the store's settings, checked."""
    settings = ctx.settings
    checked = check_settings(settings.get("employer_threshold", DEFAULT_EMPLOYER_THRESHOLD),
                             settings.get("employer_window", DEFAULT_EMPLOYER_WINDOW))
    return checked["employer_threshold"], checked["employer_window"]


def check_settings(threshold: Any = None, window: Any = None) -> dict:
    """Validated values for the settings ``employer_threshold`` and ``employer_window``."""
    values: dict[str, Any] = {}
    if threshold is not None:
        try:
            n = int(threshold)
        except (TypeError, ValueError):
            n = 0
        if n < 2 or str(threshold).strip() not in (str(n), f"{n}.0"):
            raise ValidationError("employer_threshold", threshold, "a whole number of contacts, 2 or more")
        values["employer_threshold"] = n
    if window is not None:
        n, unit = parse_period(str(window), "employer_window")
        if n < 1:
            raise ValidationError("employer_window", window, "a period of 1 or more, such as '12 months'")
        values["employer_window"] = str(window).strip()
    return values


def _window_start(received: date, window: str) -> str:
    n, unit = parse_period(window)
    if unit in ("days", "weeks", "working_days"):
        # working days are rare here; counting them as calendar days keeps the window simple
        return (received - timedelta(days=n * (7 if unit == "weeks" else 1))).isoformat()
    return (received - relativedelta(**{unit: n})).isoformat()


def _describe(ref: str, d: dict) -> str:
    return f"{ref} ({fmt(date.fromisoformat(d['received_on']))}, {d.get('category') or 'uncategorised'})"


def pattern_warnings(ctx: Context, contact: Contact) -> list[str]:
    """The warnings for one contact: a pass over the stored contacts (about 50 ms at 100,000)."""
    name = match_key(contact.subject.name)
    dob = contact.subject.date_of_birth.isoformat() if contact.subject.date_of_birth else None
    employer = match_key(contact.subject.employer)
    threshold, window = employer_rule(ctx)
    start, received = _window_start(contact.received_on, window), contact.received_on.isoformat()
    same_person: list[tuple[str, dict]] = []
    same_setting: list[str] = []
    for ref, d in ctx.store.all("contacts").items():
        if ref == contact.reference:
            continue
        s = d.get("subject") or {}
        other_name = s.get("name")
        if name and other_name and match_key(other_name) == name:
            other_dob = s.get("date_of_birth")
            if dob and other_dob:
                if dob == other_dob:
                    same_person.append((ref, d))
            elif employer and match_key(s.get("employer")) == employer:
                same_person.append((ref, d))
        if employer and start <= d["received_on"] <= received and s.get("employer") \
                and match_key(s["employer"]) == employer:
            same_setting.append(ref)
    return _messages(contact, same_person, same_setting, threshold, window)


def _messages(contact: Contact, same_person: list[tuple[str, dict]], same_setting: list[str], threshold: int,
              window: str) -> list[str]:
    warnings = []
    if same_person:
        how = "name and date of birth" if contact.subject.date_of_birth else "name and employer"
        listed = ", ".join(_describe(ref, d) for ref, d in sorted(same_person, key=lambda x: x[1]["received_on"]))
        warnings.append(f"same person: {len(same_person)} other contact(s) match this subject's {how}: {listed}")
    count = len(same_setting) + 1
    employer = _SPACES.sub(" ", contact.subject.employer.strip())
    if employer and count >= threshold:
        warnings.append(f"same setting: {employer} has had {count} contacts in the {window} to "
                        f"{fmt(contact.received_on)} (warning at {threshold}): {_some(sorted(same_setting))} and this one")
    return warnings


def _some(refs: list[str], limit: int = 8) -> str:
    """The most recent ``limit`` references, and how many more: a warning must stay readable."""
    if len(refs) <= limit:
        return ", ".join(refs)
    return f"{len(refs) - limit} earlier, then " + ", ".join(refs[-limit:])


class PatternIndex:
    """Warnings for many contacts at once (after an import), in one pass instead of one per contact."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.threshold, self.window = employer_rule(ctx)
        self.by_name: dict[str, list[tuple[str, dict]]] = {}
        self.by_employer: dict[str, list[tuple[str, str]]] = {}
        for ref, d in ctx.store.all("contacts").items():
            s = d.get("subject") or {}
            if s.get("name"):
                self.by_name.setdefault(match_key(s["name"]), []).append((ref, d))
            if s.get("employer"):
                self.by_employer.setdefault(match_key(s["employer"]), []).append((d["received_on"], ref))
        for refs in self.by_employer.values():
            refs.sort()

    def warnings(self, contact: Contact) -> list[str]:
        name, employer = match_key(contact.subject.name), match_key(contact.subject.employer)
        dob = contact.subject.date_of_birth.isoformat() if contact.subject.date_of_birth else None
        same_person = []
        for ref, d in self.by_name.get(name, ()) if name else ():
            if ref == contact.reference:
                continue
            s = d.get("subject") or {}
            other_dob = s.get("date_of_birth")
            if (dob and other_dob and dob == other_dob) or (
                    not (dob and other_dob) and employer and match_key(s.get("employer")) == employer):
                same_person.append((ref, d))
        same_setting = []
        if employer:
            entries = self.by_employer.get(employer, [])
            start, received = _window_start(contact.received_on, self.window), contact.received_on.isoformat()
            lo, hi = bisect.bisect_left(entries, (start, "")), bisect.bisect_right(entries, (received, "\uffff"))
            same_setting = [ref for _, ref in entries[lo:hi] if ref != contact.reference]
        return _messages(contact, same_person, same_setting, self.threshold, self.window)

    def warnings_for(self, references: Iterable[str]) -> dict[str, list[str]]:
        out = {}
        for ref in references:
            found = self.warnings(self.ctx.load(Contact, "contacts", ref, "contact"))
            if found:
                out[ref] = found
        return out


__all__ = ["DEFAULT_EMPLOYER_THRESHOLD", "DEFAULT_EMPLOYER_WINDOW", "PatternIndex", "check_settings",
           "match_key", "pattern_warnings"]
