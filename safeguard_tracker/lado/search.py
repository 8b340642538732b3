"""Filtering contacts as the TUI and the CLI do it: year, category, agency,
status, harm and free text (reference, employer, role, summary, agency, and the
council's own reference of an imported record: its legacy reference).

Filters run over the stored documents, not model objects, so that narrowing
100,000 contacts costs one pass over plain dicts; only the matches are turned
into Contacts.  ``matches`` is put together once per filter from only the
tests it needs, with their values bound in, so the pass does no attribute
look-ups and no tests for criteria that were left blank.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Iterable, Mapping, Optional, Sequence

import attrs

from ..dates import financial_year_bounds
from ..errors import choice_error
from ..model import Category, Harm
from ..store.protocol import Doc
from ..taxonomy import Taxonomy

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
    matches: Callable[[Doc], bool] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "matches", self._compile())

    @classmethod
    def build(cls, taxonomy: Taxonomy, *, year: Optional[str] = None, category: Any = None, agency: Optional[str] = None,
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
        ag = taxonomy.canonical(agency) if agency not in (None, "") and agency in taxonomy else agency or None
        words = tuple(w for w in (text or "").casefold().split() if w)
        return cls(start, end, cat, ag, st, hm, words)

    def _compile(self) -> Callable[[Doc], bool]:
        tests: list[Callable[[Doc], bool]] = []
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

            def has_words(d: Doc) -> bool:
                subject = d.get("subject") or {}
                hay = " ".join((d.get("reference", ""), subject.get("employer", ""), subject.get("role", ""),
                                d.get("summary", ""), d.get("agency", ""), d.get("legacy_reference", ""))).casefold()
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

        def all_of(d: Doc) -> bool:
            for test in tests:
                if not test(d):
                    return False
            return True
        return all_of

    def keys(self, docs: Mapping[str, Doc]) -> list[str]:
        match = self.matches
        return [k for k, d in docs.items() if match(d)]


def received_range(keys: Sequence[str], docs: Mapping[str, Doc], start: str, end: str,
                   newest_first: bool) -> Sequence[str]:
    """The run of ``keys`` (sorted by received date) received from ``start`` to ``end``, by bisection.

    A year in a store of 100,000 contacts is a few thousand of them: finding them this way
    costs some 40 look-ups instead of a pass over all 100,000.
    """
    def received(i: int) -> str:
        on: str = docs[keys[i]]["received_on"]
        return on

    def first(pred: Callable[[str], bool]) -> int:  # the first index where pred holds (pred is False, then True)
        lo, hi = 0, len(keys)
        while lo < hi:
            mid = (lo + hi) // 2
            if pred(received(mid)):
                hi = mid
            else:
                lo = mid + 1
        return lo
    if newest_first:
        lo, hi = first(lambda r: r <= end), first(lambda r: r < start)
    else:
        lo, hi = first(lambda r: r >= start), first(lambda r: r > end)
    return keys[lo:hi]


def narrow(keys: Optional[Sequence[str]], docs: Mapping[str, Doc], flt: ContactFilter, *,
           agencies: Optional[Collection[str]] = None, hay: Optional[Mapping[str, str]] = None,
           newest_first: Optional[bool] = None) -> list[str]:
    """The ``keys`` whose documents pass ``flt`` (and are of one of ``agencies``), in their order;
    with ``keys`` None, every document of ``docs``, in the order ``docs`` holds them.

    The most selective and cheapest test goes first: the financial year, found by bisection
    when ``keys`` are sorted by received date (``newest_first`` says which way; None: not
    sorted), then the agency, then the other fields, and the words last (the longest first),
    looked up in ``hay`` (each document's searchable text, casefolded, for every key of ``docs``;
    a mapping that makes them on demand will do) when given.  Each step is one comprehension over
    the (key, document) pairs the previous one left; keys that are not in ``docs`` are dropped by
    the first of them.
    """
    rest = flt
    pairs: Iterable[tuple[str, Doc]]
    if keys is None:
        pairs = docs.items()
    else:
        if flt.start is not None and flt.end is not None and newest_first is not None:
            keys = received_range(keys, docs, flt.start, flt.end, newest_first)
            rest = attrs.evolve(flt, start=None, end=None)
        pairs = ((k, docs[k]) for k in keys if k in docs)
    words = rest.words if hay is not None else ()
    if words:
        rest = attrs.evolve(rest, words=())
    if agencies is not None:
        wanted = agencies if isinstance(agencies, (set, frozenset)) else frozenset(agencies)
        pairs = [(k, d) for k, d in pairs if d.get("agency") in wanted]
    if any(v is not None for v in (rest.start, rest.category, rest.agency, rest.status, rest.harm)) or rest.words:
        match = rest.matches
        pairs = [(k, d) for k, d in pairs if match(d)]
    out = [k for k, _ in pairs]
    if hay is not None:                                        # words is empty without it
        for w in sorted(set(words), key=len, reverse=True):  # the longest is the most selective
            out = [k for k in out if w in hay[k]]
    return out
