"""ContactFilter's compiled test agrees with the plain reading of each criterion, for every combination."""

import itertools

import pytest

from safeguard_tracker.demo import demo_contacts
from safeguard_tracker.convert import to_doc
from safeguard_tracker.lado.search import ContactFilter


@pytest.fixture(scope="module")
def docs():
    return [to_doc(c) for c in demo_contacts(contacts=400)]


def plain(f: ContactFilter, d: dict) -> bool:
    if f.start is not None and not (f.start <= d["received_on"] <= f.end):
        return False
    if f.category is not None and (d.get("category") or "none") != f.category:
        return False
    if f.agency is not None and d.get("agency") != f.agency:
        return False
    if f.status is not None and (f.status == "open") != (d.get("closed_on") is None):
        return False
    if f.harm is not None and d.get("harm") != f.harm:
        return False
    s = d.get("subject") or {}
    hay = " ".join((d["reference"], s.get("employer", ""), s.get("role", ""), d.get("summary", ""),
                    d.get("agency", ""))).casefold()
    return all(w in hay for w in f.words)


CHOICES = {
    "start": [None, ("2017-04-01", "2018-03-31")],
    "category": [None, "referral", "none"],
    "agency": [None, "Police"],
    "status": [None, "open", "closed"],
    "harm": [None, "physical"],
    "words": [(), ("school",), ("pupil", "arm")],
}


def test_every_combination_matches_the_plain_reading(docs):
    seen_matches = set()
    for combo in itertools.product(*CHOICES.values()):
        kw = dict(zip(CHOICES, combo))
        start, end = kw.pop("start") or (None, None)
        f = ContactFilter(start=start, end=end, **kw)
        got = [d["reference"] for d in docs if f.matches(d)]
        want = [d["reference"] for d in docs if plain(f, d)]
        assert got == want, kw
        assert f.keys({d["reference"]: d for d in docs}) == want
        seen_matches.add(len(got))
    assert len(seen_matches) > 5, "the combinations should select different numbers of contacts"


def test_filters_compare_by_their_criteria_only():
    a = ContactFilter(start="2017-04-01", end="2018-03-31", agency="Police")
    b = ContactFilter(start="2017-04-01", end="2018-03-31", agency="Police")
    assert a == b and hash(a) == hash(b) and "matches" not in repr(a)


def test_narrow_agrees_with_the_filter_for_every_order_and_combination(docs):
    from safeguard_tracker.lado.search import narrow
    by_ref = {d["reference"]: d for d in docs}
    hay = {d["reference"]: " ".join((d["reference"], d["subject"]["employer"], d["subject"]["role"], d["summary"],
                                     d["agency"])).casefold() for d in docs}
    newest = sorted(by_ref, key=lambda k: (by_ref[k]["received_on"], k), reverse=True)
    oldest = newest[::-1]
    shuffled = sorted(by_ref)
    for combo in itertools.product(*CHOICES.values()):
        kw = dict(zip(CHOICES, combo))
        start, end = kw.pop("start") or (None, None)
        agency = kw.pop("agency")
        f = ContactFilter(start=start, end=end, **kw)
        full = ContactFilter(start=start, end=end, agency=agency, **kw)
        for keys, newest_first in ((newest, True), (oldest, False), (shuffled, None), (None, None)):
            # keys None: every document, in the order the mapping holds them (here newest first)
            held = by_ref if keys is not None else {k: by_ref[k] for k in newest}
            want = [k for k in (held if keys is None else keys) if full.matches(by_ref[k])]
            for h in (hay, None):
                got = narrow(keys, held, f, agencies=None if agency is None else {agency}, hay=h,
                             newest_first=newest_first)
                assert got == want, (kw, agency, newest_first, h is None)


def test_received_range_finds_the_edges():
    from safeguard_tracker.lado.search import received_range
    docs = {f"k{i}": {"received_on": f"2017-{m:02d}-01"} for i, m in enumerate([1, 2, 2, 3, 3, 3, 5, 8])}
    keys = sorted(docs, key=lambda k: docs[k]["received_on"])
    assert [docs[k]["received_on"] for k in received_range(keys, docs, "2017-02-01", "2017-03-31", False)] == \
        ["2017-02-01"] * 2 + ["2017-03-01"] * 3
    assert received_range(keys, docs, "2017-06-01", "2017-07-31", False) == []
    assert len(received_range(keys[::-1], docs, "2017-01-01", "2017-12-31", True)) == 8
    assert received_range([], docs, "2017-01-01", "2017-12-31", True) == []
