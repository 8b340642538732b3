"""Filtering contacts as the TUI and the CLI do it: year, category, agency,
status, harm and free text (reference, employer, role, summary).

Filters run over the stored documents, not model objects, so that narrowing
100,000 contacts costs one pass over plain dicts; only the matches are turned
into Contacts.  ``matches`` is put together once per filter from only the
tests it needs, with their values bound in, so the pass does no attribute
look-ups and no tests for criteria that were left blank.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

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
    # matches(doc) -> bool: built from the fields above when the filter is made.
    matches: Callable[[dict], bool] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "matches", self._compile())

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

    def _compile(self) -> Callable[[dict], bool]:
        tests: list[Callable[[dict], bool]] = []
        if self.start is not None:
            start, end = self.start, self.end
            tests.append(lambda d: start <= d["received_on"] <= end)
        if self.category is not None:
            category = self.category
            tests.append(lambda d: (d.get("category") or "none") == category)
        if self.agency is not None:
            agency = self.agency
            tests.append(lambda d: d.get("agency") == agency)
        if self.status is not None:
            want_open = self.status == "open"
            tests.append(lambda d: (d.get("closed_on") is None) is want_open)
        if self.harm is not None:
            harm = self.harm
            tests.append(lambda d: d.get("harm") == harm)
        if self.words:
            words = self.words

            def has_words(d: dict) -> bool:
                subject = d.get("subject") or {}
                hay = " ".join((d.get("reference", ""), subject.get("employer", ""), subject.get("role", ""),
                                d.get("summary", ""), d.get("agency", ""))).casefold()
                return all(w in hay for w in words)
            tests.append(has_words)
        if not tests:
            return lambda d: True
        if len(tests) == 1:
            return tests[0]
        if len(tests) == 2:
            first, second = tests
            return lambda d: first(d) and second(d)
        if len(tests) == 3:
            first, second, third = tests
            return lambda d: first(d) and second(d) and third(d)

        def all_of(d: dict) -> bool:
            for test in tests:
                if not test(d):
                    return False
            return True
        return all_of

    def keys(self, docs: dict[str, dict]) -> list[str]:
        match = self.matches
        return [k for k, d in docs.items() if match(d)]
