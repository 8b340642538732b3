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
from functools import lru_cache
from typing import Any, Iterable, Optional

from dateutil.relativedelta import relativedelta

from ..context import Context
from ..dates import fmt, parse_period
from ..errors import ValidationError
from ..model import Contact
from ..store.gc_pause import gc_paused
from ..store.protocol import Changed, Doc

DEFAULT_EMPLOYER_THRESHOLD = 3
DEFAULT_EMPLOYER_WINDOW = "12 months"
INDEX_NAME = "pattern warnings"     # what the index is kept under (``Context.kept``) and asked for by

_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"\s*[-\u2010-\u2015\u2212]\s*")


@lru_cache(maxsize=1 << 16)
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


def check_settings(threshold: Any = None, window: Any = None) -> dict[str, Any]:
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


@lru_cache(maxsize=1 << 14)
def _window_start(received: date, window: str) -> str:
    n, unit = parse_period(window)
    if unit in ("days", "weeks", "working_days"):
        # working days are rare here; counting them as calendar days keeps the window simple
        return (received - timedelta(days=n * (7 if unit == "weeks" else 1))).isoformat()
    return (received - (relativedelta(months=n) if unit == "months" else relativedelta(years=n))).isoformat()


@lru_cache(maxsize=1 << 14)
def _window_start_iso(received: str, window: str) -> str:
    return _window_start(date.fromisoformat(received), window)


def _describe(ref: str, d: Doc) -> str:
    return f"{ref} ({fmt(date.fromisoformat(d['received_on']))}, {d.get('category') or 'uncategorised'})"


def pattern_warnings(ctx: Context, contact: Contact) -> list[str]:
    """The warnings for one contact.  The first time a tracker asks, a pass over the stored contacts
    (about 50 ms at 100,000, against about ten times that to build the index: a command that adds
    one contact asks once); from the second time on, the index kept beside the store
    (``pattern_index``), which costs what the contact has in common with others."""
    if ctx.asked_again(INDEX_NAME):
        with ctx.kept_lock:                      # not moved on by another thread while it answers
            return pattern_index(ctx).warnings(contact)
    return scanned_warnings(ctx, contact)


def pattern_index(ctx: Context) -> "PatternIndex":
    """The store's pattern index, built once and then moved on by each change to a contact or the settings."""
    def build() -> PatternIndex:
        return PatternIndex(ctx)

    def update(index: PatternIndex, changed: Changed) -> PatternIndex:
        return index.updated(ctx, changed)

    return ctx.kept(INDEX_NAME, build, update)


def scanned_warnings(ctx: Context, contact: Contact) -> list[str]:
    """The rule, as a pass over every stored contact (about 50 ms at 100,000).  The index must say the
    same (``tests/test_lado_patterns_index.py`` holds it to this); nothing else calls it."""
    name = match_key(contact.subject.name)
    dob = contact.subject.date_of_birth.isoformat() if contact.subject.date_of_birth else None
    employer = match_key(contact.subject.employer)
    threshold, window = employer_rule(ctx)
    start, received = _window_start(contact.received_on, window), contact.received_on.isoformat()
    same_person: list[tuple[str, Doc]] = []
    same_setting: list[tuple[str, str]] = []             # (received date, reference)
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
            same_setting.append((d["received_on"], ref))
    same_setting.sort()                                   # the most recent last
    return _messages(contact, same_person, [ref for _, ref in same_setting], threshold, window)


def _messages(contact: Contact, same_person: list[tuple[str, Doc]], same_setting: list[str], threshold: int,
              window: str) -> list[str]:
    return _worded(bool(contact.subject.date_of_birth), contact.subject.employer, contact.received_on, same_person,
                   len(same_setting), same_setting[-SHOWN:], threshold, window)


SHOWN = 8      # the references a same-setting warning names (the most recent), and how many more

_Entry = tuple[int, str, Any]                    # (place in the store's order, reference, document or None)
_NOTHING: Doc = {}


def _place(entry: _Entry) -> int:
    return entry[0]


def _worded(has_dob: bool, employer_name: str, received: date, same_person: list[tuple[str, Doc]], others: int,
            last_refs: list[str], threshold: int, window: str) -> list[str]:
    """The warnings' words: ``others`` contacts of the same setting in the window, of which
    ``last_refs`` are the most recent (at most SHOWN; by received date, then reference)."""
    warnings = []
    if same_person:
        how = "name and date of birth" if has_dob else "name and employer"
        listed = ", ".join(_describe(ref, d) for ref, d in sorted(same_person, key=lambda x: x[1]["received_on"]))
        warnings.append(f"same person: {len(same_person)} other contact(s) match this subject's {how}: {listed}")
    count = others + 1
    employer = _SPACES.sub(" ", (employer_name or "").strip())
    if employer and count >= threshold:
        warnings.append(f"same setting: {employer} has had {count} contacts in the {window} to "
                        f"{fmt(received)} (warning at {threshold}): {_some(others, last_refs)} and this one")
    return warnings


def _some(count: int, last: list[str]) -> str:
    """The most recent references (at most SHOWN), and how many more: a warning must stay readable."""
    if count <= SHOWN:
        return ", ".join(last)
    return f"{count - SHOWN} earlier, then " + ", ".join(last)


class PatternIndex:
    """Warnings for any contact without a pass over the store, kept up to date as records change.

    Built once from the stored documents: the contacts keyed by name and date of birth, by name
    and employer, and by name and employer among those with no date of birth (each entry with its
    place in the store's order); and each setting's contacts as two aligned lists sorted by received date and
    reference (the dates, the references), so that a setting's window is found by bisection and
    counted without being listed.  ``updated`` moves it on by the contacts that changed (the
    store says which: ``Store.changed_since``), taking each out under what it was indexed by and
    putting it back under what it holds now.  A contact's warnings then cost what it has in common
    with others, whatever the size of the store.
    """

    def __init__(self, ctx: Context):
        self.threshold, self.window = employer_rule(ctx)
        self.docs = ctx.store.all("contacts")
        self.by_name_dob: dict[tuple[str, str], list[_Entry]] = {}
        self.by_name_employer: dict[tuple[str, str], list[_Entry]] = {}
        self.undated_by_name_employer: dict[tuple[str, str], list[_Entry]] = {}
        self.by_employer: dict[str, tuple[list[str], list[str]]] = {}
        self._indexed: dict[str, _Entry] = {}        # reference: (its place in the order, the document indexed)
        settings: dict[str, list[tuple[str, str]]] = {}
        indexed = self._indexed
        with gc_paused():                            # 100,000 small tuples: nothing for the collector to find
            for pos, (ref, d) in enumerate(self.docs.items()):
                entry = indexed[ref] = (pos, ref, d)
                keys, employer = self._keys(d)
                for table, person in keys:
                    table.setdefault(person, []).append(entry)
                if employer:
                    settings.setdefault(employer, []).append((d["received_on"], ref))
            for key, entries in settings.items():
                entries.sort()
                self.by_employer[key] = ([on for on, _ in entries], [ref for _, ref in entries])

    def _keys(self, d: Doc) -> tuple[list[tuple[dict[tuple[str, str], list[_Entry]], tuple[str, str]]], str]:
        """Where a document is indexed by person (table, key), and its setting's key ("" if none).
        The one statement of what is indexed where: the build, ``_add`` and ``_remove`` all use it."""
        s = d.get("subject") or _NOTHING
        employer = match_key(s.get("employer"))
        keys: list[tuple[dict[tuple[str, str], list[_Entry]], tuple[str, str]]] = []
        name = match_key(s.get("name"))
        if name:                                     # (a name of spaces is no name: it matches no one)
            dob = s.get("date_of_birth")
            if dob:
                keys.append((self.by_name_dob, (name, dob)))
            if employer:
                keys.append((self.by_name_employer, (name, employer)))
                if not dob:
                    keys.append((self.undated_by_name_employer, (name, employer)))
        return keys, employer

    def _add(self, ref: str, d: Doc) -> None:
        held = self._indexed.get(ref)
        entry = self._indexed[ref] = (held[0] if held else len(self._indexed), ref, d)
        keys, employer = self._keys(d)
        for table, person in keys:                   # (a changed contact keeps its place: ``_same_person`` orders)
            table.setdefault(person, []).append(entry)
        if employer:
            self._add_setting(ref, employer, d["received_on"])

    def updated(self, ctx: Context, changed: Iterable[tuple[str, str]]) -> "PatternIndex":
        """This index moved on by ``changed`` (table, key) pairs: each contact re-indexed as it is now
        stored (or taken out if gone), the settings' rule read again if the settings changed."""
        for table, ref in changed:
            if table == "*":
                return PatternIndex(ctx)
            if table == "settings":
                self.threshold, self.window = employer_rule(ctx)
            elif table == "contacts":
                self._remove(ref)
                d = self.docs.get(ref)
                if d is not None:
                    self._add(ref, d)
        return self

    def _remove(self, ref: str) -> None:
        """Take a contact out from under what it was indexed by (its place in the order is kept)."""
        held = self._indexed.get(ref)
        if held is None or held[2] is None:
            return
        self._indexed[ref] = (held[0], ref, None)
        keys, employer = self._keys(held[2])
        for table, key in keys:
            kept = [e for e in table.get(key, ()) if e[1] != ref]
            if kept:
                table[key] = kept
            else:
                table.pop(key, None)
        if employer:
            on = held[2]["received_on"]
            dates, refs = self.by_employer[employer]
            at = refs.index(ref, bisect.bisect_left(dates, on), bisect.bisect_right(dates, on))
            del dates[at], refs[at]
            if not dates:
                del self.by_employer[employer]

    def _add_setting(self, ref: str, employer: str, on: str) -> None:
        dates, refs = self.by_employer.setdefault(employer, ([], []))
        lo, hi = bisect.bisect_left(dates, on), bisect.bisect_right(dates, on)
        at = bisect.bisect_left(refs, ref, lo, hi)   # the same day: by reference, as the build sorts them
        dates.insert(at, on)
        refs.insert(at, ref)

    def warnings(self, contact: Contact) -> list[str]:
        s = contact.subject
        return self._warnings(contact.reference, s.name, s.date_of_birth.isoformat() if s.date_of_birth else None,
                              s.employer, contact.received_on)

    def _person_groups(self, name: str, dob: Optional[str], employer: str) -> list[list[_Entry]]:
        """The rule of ``pattern_warnings`` as look-ups: the same name and date of birth; where either has
        none, the same name and employer.  The contact itself may be among them.  ``_same_person`` lists them, ``_flagged`` only asks whether there is anyone."""
        if not name:
            return []
        if dob:
            return [self.by_name_dob.get((name, dob), []),
                    self.undated_by_name_employer.get((name, employer), []) if employer else []]
        return [self.by_name_employer.get((name, employer), []) if employer else []]

    def _same_person(self, reference: str, name: str, dob: Optional[str], employer: str) -> list[tuple[str, Doc]]:
        """The same person, in the store's order, as a pass over the store would find them."""
        found = [e for group in self._person_groups(name, dob, employer) for e in group]
        found.sort(key=_place)
        return [(ref, d) for _, ref, d in found if ref != reference]

    def _warnings(self, reference: str, name_text: Optional[str], dob: Optional[str], employer_text: Optional[str],
                  received: date) -> list[str]:
        employer = match_key(employer_text)
        same_person = self._same_person(reference, match_key(name_text), dob, employer)
        others, last = 0, []
        if employer and employer in self.by_employer:
            dates, refs = self.by_employer[employer]
            lo, hi, start, on = self._window(dates, received)
            last = [r for r in refs[max(lo, hi - SHOWN - 1):hi] if r != reference][-SHOWN:]
            others = hi - lo - self._indexed_in(reference, employer, start, on)
        return _worded(bool(dob), employer_text or "", received, same_person, others, last, self.threshold,
                       self.window)

    def _window(self, dates: list[str], received: date) -> tuple[int, int, str, str]:
        on = received.isoformat()
        start = _window_start(received, self.window)
        return bisect.bisect_left(dates, start), bisect.bisect_right(dates, on), start, on

    def _flagged(self, reference: str, d: Doc) -> bool:
        """Would ``_warnings`` say anything for this stored contact?  The same tests, nothing listed or worded."""
        s = d.get("subject") or _NOTHING
        employer = match_key(s.get("employer"))
        groups = self._person_groups(match_key(s.get("name")), s.get("date_of_birth"), employer)
        if any(e[1] != reference for group in groups for e in group):
            return True
        if not employer or employer not in self.by_employer:
            return False
        on = d["received_on"]
        dates = self.by_employer[employer][0]
        inside = bisect.bisect_right(dates, on) - bisect.bisect_left(dates, _window_start_iso(on, self.window))
        return inside >= self.threshold             # (the stored contact is itself inside its own window)

    def _indexed_in(self, reference: str, employer: str, start: str, on: str) -> bool:
        """Is the contact itself, as stored, among the setting's contacts from ``start`` to ``on``?"""
        d = self.docs.get(reference)
        if d is None or not start <= d["received_on"] <= on:
            return False
        stored = (d.get("subject") or {}).get("employer")
        return bool(stored) and match_key(stored) == employer

    def warnings_for(self, references: Iterable[str]) -> dict[str, list[str]]:
        """{reference: warnings} for each of ``references`` that has any, worked out from the stored
        documents (no model object is made)."""
        out = {}
        docs = self.docs
        for ref in references:
            d = docs.get(ref)
            if d is None:
                continue
            s = d.get("subject") or {}
            found = self._warnings(ref, s.get("name"), s.get("date_of_birth"), s.get("employer"),
                                   date.fromisoformat(d["received_on"]))
            if found:
                out[ref] = found
        return out

    def flagged(self, references: Iterable[str]) -> list[str]:
        """Those of ``references`` that have any warning, in the order given, without wording them: what
        an import of 100,000 rows needs in order to name the first few and count the rest."""
        docs = self.docs
        return [ref for ref in references if (d := docs.get(ref)) is not None and self._flagged(ref, d)]


__all__ = ["DEFAULT_EMPLOYER_THRESHOLD", "DEFAULT_EMPLOYER_WINDOW", "PatternIndex", "check_settings",
           "match_key", "pattern_index", "pattern_warnings", "scanned_warnings"]
