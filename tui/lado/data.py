"""What the LADO screens show, computed from ``tracker.contact_docs()`` without Textual.

Everything here works on the stored documents (plain dicts), never on 100,000 Contact objects,
and is cached per data version: the app bumps the version after each save and when another
user's changes arrive, and the first call after that recomputes.

``filter_contacts`` is the function behind the All contacts filter; a benchmark can call it
directly (see docs/tui.md).
"""

from __future__ import annotations

import attrs
from dataclasses import dataclass, replace
from itertools import compress, repeat
from operator import contains
from datetime import date
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from safeguard_tracker import Tracker
from safeguard_tracker.dates import financial_year_of, fmt
from safeguard_tracker.model.due import DueItem
from safeguard_tracker.model import Category, Harm
from safeguard_tracker.lado.search import ContactFilter, narrow
from safeguard_tracker.taxonomy import fold

CATEGORY_CHOICES = ("uncategorised",) + tuple(c.value for c in Category)
STATUS_CHOICES = ("open", "closed")
HARM_CHOICES = tuple(h.value for h in Harm)
SORT_COLUMNS = ("reference", "received", "agency", "category", "status", "due")


@dataclass(frozen=True)
class Criteria:
    """The All contacts filter.  Blank means any.  ``agency`` matches any agency whose name
    contains it (case and dash blind); ``text`` words must all appear in the reference,
    employer, role, summary or agency."""
    year: str = ""
    category: str = ""
    agency: str = ""
    status: str = ""
    harm: str = ""
    text: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for w in self.text.casefold().split() if w)

    @property
    def empty(self) -> bool:
        return not (self.year or self.category or self.agency.strip() or self.status or self.harm or self.words)


def _iso_to_uk(iso: Optional[str]) -> str:
    return fmt(date.fromisoformat(iso)) if iso else ""


def _ref_key(ref: str) -> tuple:
    # L-2018-0042 < L-2018-10000: by year, then by number, whatever its width.
    head, _, number = ref.rpartition("-")
    return (head, len(number), number)


def _by_received(docs: dict[str, dict]):
    """The sort key of the received-date order (then the reference)."""
    return lambda k: (docs[k]["received_on"], _ref_key(k))


# From this many contacts, the deadlines are worked out again in the background after a change
# (the screens show the previous ones meanwhile) instead of holding up the keyboard.
BACKGROUND_DUE_AT = 20_000


class LadoData:
    """Caches over the tracker's contact documents for one data version."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.version = -1
        self._due: Optional[list[DueItem]] = None
        self._hay: Optional[dict[str, str]] = None
        self._stale_due: Optional[list[DueItem]] = None
        self.due_pending = False      # the screens show stale deadlines until a worker delivers
        self.due_running = False
        self.sorting: set[tuple[str, bool]] = set()   # orders being sorted in the background
        self._open: Optional[set[str]] = None          # the open contacts' references
        self._reset()

    def _reset(self, *, keep_hay: bool = False, keep_orders: bool = False) -> None:
        if self._due is not None:
            self._stale_due = self._due
        self._due = None
        self._due_by_ref: Optional[dict[str, DueItem]] = None
        self._counts: Optional[tuple[int, int, int]] = None
        self._queue: Optional[list[str]] = None
        if not keep_hay:
            self._hay = None
            self._open = None
        if not keep_orders:
            self._orders: dict[tuple[str, bool], list[str]] = {}
        self._aligned: dict[tuple[str, bool], list[str]] = {}
        self._agency_sets: dict[str, frozenset[str]] = {}
        self._years: Optional[list[str]] = None
        # The previous filter: (criteria, sort, reverse, keys, their search texts or None).
        self._last: Optional[tuple[Criteria, str, bool, list[str], Optional[list[str]]]] = None

    def sync(self, version: int, changed: Optional[set[str]] = None) -> None:
        """Catch up with data version ``version``.  ``changed``: the references changed since
        this copy's version (None: unknown, so everything is recomputed)."""
        if version == self.version:
            return
        known = changed is not None and self.version >= 0 and len(changed) <= 1000
        self.version = version
        self._reset(keep_hay=known, keep_orders=known)
        if known:
            docs = self.docs
            if self._open is not None:
                for ref in changed:  # type: ignore[union-attr]
                    d = docs.get(ref)
                    if d is not None and d.get("closed_on") is None:
                        self._open.add(ref)
                    else:
                        self._open.discard(ref)
            if self._hay is not None:
                for ref in changed:  # type: ignore[union-attr]
                    d = docs.get(ref)
                    if d is None:
                        self._hay.pop(ref, None)
                    else:
                        self._hay[ref] = _hay_of(ref, d)
            # A few records changed: each sort order known so far takes them in where they now
            # belong (a binary search each) instead of sorting 100,000 again on the next look.
            self._orders = {key: self._patched(order, changed, key[0], key[1])  # type: ignore[arg-type]
                            for key, order in self._orders.items() if key[0] != "due"}

    def set_due(self, items: list[DueItem], version: int) -> bool:
        """Deadlines worked out elsewhere (a worker thread) for ``version``."""
        self.due_running = False
        if version != self.version:
            return False
        self._due = items
        self._stale_due = None
        self.due_pending = False
        self._due_by_ref = self._counts = self._queue = None
        self._orders = {k: v for k, v in self._orders.items() if k[0] != "due"}
        self._aligned = {k: v for k, v in self._aligned.items() if k[0] != "due"}
        self._last = None
        return True

    # --- documents --------------------------------------------------------------------
    @property
    def docs(self) -> dict[str, dict]:
        return self.tracker.contact_docs()

    def doc(self, ref: str) -> Optional[dict]:
        return self.docs.get(ref)

    # --- due items -----------------------------------------------------------------------
    @property
    def large(self) -> bool:
        """A store whose deadlines are worked out in the background (BACKGROUND_DUE_AT)."""
        return len(self.docs) >= BACKGROUND_DUE_AT

    @property
    def due_items(self) -> list[DueItem]:
        """The deadlines.  On a large store they are worked out in the background (``tui.lado``
        starts it): meanwhile the previous ones, or none yet (``due_known`` is then False)."""
        if self._due is None:
            if self.large:
                self.due_pending = True
                return self._stale_due if self._stale_due is not None else []
            self._due = list(self.tracker.due())
            self._stale_due = None
        return self._due

    @property
    def due_known(self) -> bool:
        """False until the deadlines have been worked out once (a large store, just opened)."""
        return self._due is not None or self._stale_due is not None

    @property
    def due_by_ref(self) -> dict[str, DueItem]:
        """The most urgent item of each record (the tracker lists them most urgent first)."""
        if self._due_by_ref is None:
            out: dict[str, DueItem] = {}
            for item in self.due_items:
                out.setdefault(item.reference, item)
            self._due_by_ref = out
        return self._due_by_ref

    def counts(self) -> tuple[int, int, int]:
        """(open contacts, overdue items, items due within the week)."""
        if self._counts is None:
            if self._open is None:   # once; then kept up to date as records change (``sync``)
                self._open = {k for k, d in self.docs.items() if d.get("closed_on") is None}
            overdue = sum(1 for i in self.due_items if i.overdue)
            self._counts = (len(self._open), overdue, len(self.due_items) - overdue)
        return self._counts

    # --- the triage queue -------------------------------------------------------------------
    def queue(self) -> list[str]:
        """Open contacts needing a decision or an action: uncategorised (oldest first), then
        overdue (most overdue first), then due soon (soonest first).  Each appears once."""
        if self._queue is None:
            docs = self.docs
            waiting = sorted((k for k, d in docs.items() if d.get("category") is None and d.get("closed_on") is None),
                             key=_by_received(docs))
            seen = set(waiting)
            overdue: list[str] = []
            soon: list[str] = []
            for item in self.due_items:
                ref = item.reference
                d = docs.get(ref)
                if ref in seen or d is None or d.get("closed_on") is not None:
                    continue
                seen.add(ref)
                (overdue if item.overdue else soon).append(ref)
            self._queue = waiting + overdue + soon
        return self._queue

    # --- all contacts: sorting and filtering -----------------------------------------------
    def years_known(self) -> bool:
        """True when ``years()`` costs no scan of every record (or the store is small)."""
        return self._years is not None or not self.large or self.has_order("received", True) \
            or self.has_order("received", False)

    def years(self) -> list[str]:
        """The financial years the store holds, newest first."""
        if self._years is None:
            docs = self.docs
            known = self._orders.get(("received", True)) or self._orders.get(("received", False))
            if known and len(known) == len(docs):   # the ends of the received order: no scan
                received = [docs[known[0]]["received_on"], docs[known[-1]]["received_on"]]
            else:
                received = [d["received_on"] for d in docs.values()]
            if not received:
                self._years = [financial_year_of(self.tracker.today())]
            else:
                first = financial_year_of(date.fromisoformat(min(received)))
                last = financial_year_of(date.fromisoformat(max(received)))
                start, end = int(first[:4]), int(last[:4])
                self._years = [f"{y}-{(y + 1) % 100:02d}" for y in range(end, start - 1, -1)]
        return self._years

    def order(self, column: str = "received", reverse: bool = True) -> list[str]:
        """Every reference sorted by ``column`` (computed once per version and direction)."""
        key = (column, reverse)
        if key not in self._orders:
            self._orders[key] = self.sorted_keys(self.docs, column, reverse)
        return self._orders[key]

    def has_order(self, column: str = "received", reverse: bool = True) -> bool:
        return (column, reverse) in self._orders

    def set_order(self, column: str, reverse: bool, order: list[str]) -> None:
        """An order worked out elsewhere (a worker thread) for this version."""
        self._orders[(column, reverse)] = order
        self._aligned.pop((column, reverse), None)
        self._last = None

    def sorted_keys(self, keys: Iterable[str], column: str = "received", reverse: bool = True) -> list[str]:
        """``keys`` sorted by ``column``, as ``order`` sorts them all."""
        return sorted(keys, key=self.sort_key(column), reverse=reverse)

    def sort_key(self, column: str) -> Callable[[str], Any]:
        """The key function of the ``column`` order (over references)."""
        docs = self.docs
        if column == "reference":
            return _ref_key
        if column == "received":
            return _by_received(docs)
        if column == "agency":
            index = {a: i for i, a in enumerate(self.tracker.taxonomy.agencies)}
            return lambda k: (index.get(docs[k].get("agency"), len(index)), docs[k].get("agency") or "",
                              docs[k]["received_on"])
        if column == "category":
            rank = {None: 0, "enquiry": 1, "consultation": 2, "referral": 3}
            return lambda k: (rank.get(docs[k].get("category"), 9), docs[k]["received_on"])
        if column == "status":
            return lambda k: (docs[k].get("closed_on") is not None, docs[k]["received_on"])
        if column == "due":
            due = self.due_by_ref
            far = date.max

            def due_key(k: str) -> tuple:
                item = due.get(k)
                return (item.due_on if item else far, docs[k]["received_on"])
            return due_key
        raise ValueError(f"cannot sort by {column!r}: one of {', '.join(SORT_COLUMNS)}")

    def _patched(self, order: list[str], changed: set[str], column: str, reverse: bool) -> list[str]:
        """``order`` (sorted as of the previous version) with the ``changed`` references taken out
        and those still stored put back where the sort puts them: after their equals, as a
        stable sort of a record added last would."""
        docs = self.docs
        key = self.sort_key(column)
        out = [k for k in order if k not in changed] if changed else list(order)
        for ref in sorted(r for r in changed if r in docs):
            k = key(ref)
            lo, hi = 0, len(out)
            while lo < hi:
                mid = (lo + hi) // 2
                m = key(out[mid])
                if (m >= k) if reverse else (m <= k):
                    lo = mid + 1
                else:
                    hi = mid
            out.insert(lo, ref)
        return out

    def provisional(self, column: str = "received", reverse: bool = True) -> Optional[list[str]]:
        """On a large store whose ``column`` order is not known yet: every reference in the store's
        own order (the order records were logged, newest first when ``reverse``), to show at once
        while the sort is worked out in the background; None when the order is known or the
        store is small (sorting it costs less than a thread)."""
        if self.has_order(column, reverse) or not self.large:
            return None
        docs = self.docs
        return list(reversed(docs)) if reverse else list(docs)

    def needs_index(self) -> bool:
        """True while the search text has not been built for this version."""
        return self._hay is None

    def build_index(self) -> tuple[dict[str, str], list[str]]:
        """The search text and the default order (newest first), computed without touching the
        caches: safe in a worker thread.  ``set_index`` takes them in on the main thread."""
        docs = self.docs
        hay = {k: _hay_of(k, d) for k, d in list(docs.items())}
        return hay, sorted(hay, key=_by_received(docs), reverse=True)

    def set_index(self, built: tuple[dict[str, str], list[str]], version: int) -> None:
        """Take in what ``build_index`` worked out, if the data has not changed since (each part only
        where it is not known yet: a first filter may already have made every search text)."""
        if version == self.version:
            hay, order = built
            if self._hay is None:
                self._hay = hay
            self._orders.setdefault(("received", True), order)

    def texts_so_far(self) -> Mapping[str, str]:
        """The search texts when they are built, else a mapping that makes each one when first asked."""
        return self._hay if self._hay is not None else _HayOnDemand(self.docs)

    @property
    def hay(self) -> dict[str, str]:
        """The searchable text of each contact, casefolded once per version."""
        if self._hay is None:
            self._hay = {k: _hay_of(k, d) for k, d in self.docs.items()}
        return self._hay

    def aligned_hay(self, column: str = "received", reverse: bool = True) -> list[str]:
        """The search texts in the order of ``order(column, reverse)``, one list: a word is found
        in all of them by one pass over a list (``itertools.compress``), not 100,000 dict lookups."""
        key = (column, reverse)
        if key not in self._aligned:
            hay = self.hay
            self._aligned[key] = [hay[k] for k in self.order(column, reverse)]
        return self._aligned[key]

    def agencies_matching(self, text: str) -> frozenset[str]:
        key = fold(text)
        if key not in self._agency_sets:
            self._agency_sets[key] = frozenset(a for a in self.tracker.taxonomy.agencies if key in fold(a))
        return self._agency_sets[key]


def _hay_of(ref: str, d: dict) -> str:
    s = d.get("subject") or {}
    return " ".join((ref, s.get("employer", ""), s.get("role", ""), d.get("summary", ""),
                     d.get("agency", ""), d.get("legacy_reference", ""))).casefold()


def _narrower(old: Criteria, new: Criteria) -> bool:
    """True when ``new`` can only match a subset of what ``old`` matched (typing more text)."""
    if replace(old, text="") != replace(new, text=""):
        return False
    return all(any(w in n for n in new.words) for w in old.words)


class _HayOnDemand(dict):
    """Search texts worked out for the records a filter reaches, not for every record."""

    def __init__(self, docs: Mapping[str, dict]):
        super().__init__()
        self.docs = docs

    def __missing__(self, ref: str) -> str:
        text = self[ref] = _hay_of(ref, self.docs[ref])
        return text


def _contact_filter(data: LadoData, criteria: Criteria, words: tuple[str, ...]) -> ContactFilter:
    flt = ContactFilter.build(data.tracker.taxonomy, year=criteria.year or None, category=criteria.category or None,
                              status=criteria.status or None, harm=criteria.harm or None)
    return attrs.evolve(flt, words=words)


def filter_contacts(data: LadoData, criteria: Criteria, sort: str = "received", reverse: bool = True) -> list[str]:
    """The references matching ``criteria``, sorted.

    Words are looked for in the search texts kept in a list aligned with the keys (one
    ``compress`` pass over a list, no dict look-ups); when the user types more of the same word,
    only the previous matches (and their texts) are scanned again.  A year goes first, found by
    bisection (``search.narrow``); the other fields are tested on what the words leave.

    The first filter after the data changed, before the sort order is known, does not build the
    order and every search text first: it tests each record as a plain scan would (the year, then
    the agency, then the words, a search text made only for what is left) and sorts the matches.
    """
    if criteria.empty:
        return data.order(sort, reverse)
    last = data._last
    if last is not None and last[1] == sort and last[2] == reverse and _narrower(last[0], criteria):
        keys: Sequence[str] = last[3]
        hays: Optional[Sequence[str]] = last[4]         # the search texts of ``keys``, when known
    elif not data.has_order(sort, reverse):
        hay = data.texts_so_far()
        found = narrow(None, data.docs, _contact_filter(data, criteria, criteria.words),
                       agencies=data.agencies_matching(criteria.agency) if criteria.agency.strip() else None, hay=hay)
        keys = data.sorted_keys(found, sort, reverse)
        if data._hay is None and len(hay) == len(data.docs):
            data._hay = hay                  # every text was made (a words-only filter): keep them
        data._last = (criteria, sort, reverse, keys, [hay[k] for k in keys] if criteria.words else None)
        return keys
    else:
        keys, hays = data.order(sort, reverse), None
    order_known = keys is data._orders.get((sort, reverse))
    words = criteria.words
    if words and not criteria.year:
        if hays is None:
            hays = data.aligned_hay(sort, reverse) if order_known else [data.hay[k] for k in keys]
        for word in sorted(set(words), key=len, reverse=True):     # the longest is the most selective
            chosen = list(map(contains, hays, repeat(word)))
            keys, hays = list(compress(keys, chosen)), list(compress(hays, chosen))
        words = ()
    if words or criteria.year or criteria.category or criteria.status or criteria.harm or criteria.agency.strip():
        flt = _contact_filter(data, criteria, words)
        before = len(keys)
        # search.narrow: one comprehension per criterion, the most selective first; sorted by received
        # date, the year is found by bisection (a year of 100,000 contacts costs ~40 look-ups).
        keys = narrow(keys, data.docs, flt,
                      agencies=data.agencies_matching(criteria.agency) if criteria.agency.strip() else None,
                      hay=data.texts_so_far() if words else None,
                      newest_first=reverse if sort == "received" else None)
        if len(keys) != before:
            hays = None
    data._last = (criteria, sort, reverse, keys, hays)
    return keys


def category_label(d: dict) -> str:
    return d.get("category") or "UNCATEGORISED"


def due_cell(item: Optional[DueItem]) -> tuple[str, str]:
    """(state word, rest) for the Next due column: OVERDUE and DUE TODAY say so in words (the
    colour only repeats it); an item still to come shows its date.  Then what is due, briefly."""
    if item is None:
        return "", ""
    what = item.what.split(" (")[0]
    if item.overdue:
        return "OVERDUE", what
    if item.days_overdue == 0:
        return "DUE TODAY", what
    return "", f"{fmt(item.due_on)} {what}"


def contact_row_cells(d: dict, item: Optional[DueItem]) -> tuple[str, list[str], str]:
    """(state, cells, due text) for a contact row: reference, received, agency, category,
    status, next due.  ``state`` is OVERDUE, DUE TODAY, UNCATEGORISED or blank."""
    state, due_text = due_cell(item)
    if not state and d.get("category") is None and d.get("closed_on") is None:
        state = "UNCATEGORISED"
    cells = [d.get("reference", ""), _iso_to_uk(d.get("received_on")), d.get("agency", ""), category_label(d),
             "open" if d.get("closed_on") is None else "closed"]
    return state, cells, due_text
