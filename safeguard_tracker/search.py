"""Filtering contacts as the TUI and the CLI do it: year, category, agency,
status, harm and free text (reference, employer, role, summary).

Filters run over the stored documents, not model objects, so that narrowing
100,000 contacts costs one pass over plain dicts; only the matches are turned
into Contacts.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

import attrs

from .dates import financial_year_bounds
from .errors import choice_error
from .model import Category, Harm

STATUSES = ("open", "closed")


@attrs.frozen
class ContactFilter:
    start: Optional[str] = None          # ISO bounds of the financial year
    end: Optional[str] = None
    category: Optional[str] = None       # a Category value, or "none" for uncategorised
    agency: Optional[str] = None
    status: Optional[str] = None
    harm: Optional[str] = None
    words: tuple[str, ...] = ()

    @classmethod
    def build(cls, tracker: Any, *, year: Optional[str] = None, category: Any = None, agency: Optional[str] = None,
              status: Optional[str] = None, harm: Any = None, text: Optional[str] = None) -> "ContactFilter":
        start = end = None
        if year:
            s, e = financial_year_bounds(year)
            start, end = s.isoformat(), e.isoformat()
        cat = None
        if category not in (None, ""):
            cat = "none" if str(category).lower() in ("none", "uncategorised") else Category.parse(category, "category").value
        st = None
        if status not in (None, ""):
            st = str(status).strip().lower()
            if st not in STATUSES:
                raise choice_error("status", status, STATUSES)
        hm = None if harm in (None, "") else Harm.parse(harm, "harm").value
        ag = tracker.taxonomy.canonical(agency) if agency not in (None, "") and agency in tracker.taxonomy else agency or None
        words = tuple(w for w in (text or "").casefold().split() if w)
        return cls(start, end, cat, ag, st, hm, words)

    def matches(self, d: dict) -> bool:
        if self.start is not None and not (self.start <= d["received_on"] <= self.end):
            return False
        if self.category is not None and (d.get("category") or "none") != self.category:
            return False
        if self.agency is not None and d.get("agency") != self.agency:
            return False
        if self.status is not None and (self.status == "open") != (d.get("closed_on") is None):
            return False
        if self.harm is not None and d.get("harm") != self.harm:
            return False
        if self.words:
            subject = d.get("subject") or {}
            hay = " ".join((d.get("reference", ""), subject.get("employer", ""), subject.get("role", ""),
                            d.get("summary", ""), d.get("agency", ""))).casefold()
            return all(w in hay for w in self.words)
        return True

    def keys(self, docs: dict[str, dict]) -> list[str]:
        match = self.matches
        return [k for k, d in docs.items() if match(d)]
