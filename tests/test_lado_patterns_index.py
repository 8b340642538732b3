"""The pattern warnings come from an index kept beside the store (``patterns.pattern_index``).  Whatever
was done to the store, and however the warnings are asked for (one contact, many after an import, or
only which contacts have any), they say exactly what the rule says as a pass over every stored contact
(``patterns.scanned_warnings``), contact for contact: the same person, the same setting, the counts,
the references named, the window's edges and the settings that change the rule."""

from datetime import date, timedelta

import pytest

from safeguard_tracker.demo import build_demo
from safeguard_tracker.lado import patterns
from safeguard_tracker.tracker import open_tracker


def scanned(t) -> dict[str, list[str]]:
    """The rule as a pass over the store, contact by contact: what the index must agree with."""
    out = {}
    for ref in t.contact_docs():
        found = patterns.scanned_warnings(t._ctx, t.get_contact(ref))
        if found:
            out[ref] = found
    return out


def one_by_one(t) -> dict[str, list[str]]:
    """Each contact's warnings as the TUI and `contact add` ask for them, from the index."""
    out = {}
    for ref in t.contact_docs():
        found = t.pattern_warnings(t.get_contact(ref))
        if found:
            out[ref] = found
    return out


def agrees(t) -> dict[str, list[str]]:
    want = scanned(t)
    assert one_by_one(t) == want
    assert t.pattern_warnings_for(list(t.contact_docs())) == want
    assert t.pattern_flagged(list(t.contact_docs())) == list(want)
    return want


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    t = build_demo(tmp_path_factory.mktemp("patterns") / "demo.json", contacts=1500, user="a.lado")
    yield t
    t.close()


def test_the_demo_store_gets_the_same_warnings_both_ways(demo):
    want = agrees(demo)
    assert sum("same setting" in w for ws in want.values() for w in ws) > 50
    assert sum("same person" in w for ws in want.values() for w in ws) > 20
    assert any("earlier, then" in w for ws in want.values() for w in ws), "a busy setting lists its last eight"


@pytest.mark.parametrize("threshold, window", [(2, "12 months"), (3, "6 weeks"), (5, "30 days"), (4, "2 years")])
def test_the_settings_rule_is_followed_both_ways(tmp_path, threshold, window):
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    t.update_settings(employer_threshold=threshold, employer_window=window)
    start = date(2017, 4, 3)
    names = ["Sam O'Neil", "sam  o\u2019neil", "Ash Brook-Lane", "ASH BROOK \u2013 LANE", "Kit Vale"]
    employers = ["Castle Taxis", "castle  taxis", "Riverside Primary", "Riverside  Primary ", "Hill Farm"]
    day = start
    for i in range(60):
        # dates on window edges: the same day twice, a day apart, and gaps of a week and a month
        day += timedelta(days=(0, 1, 7, 30, 6)[i % 5])
        t.add_contact(received_on=day.isoformat(), agency="Police", category="enquiry",
                      subject={"name": names[i % 5], "employer": employers[(i // 2) % 5],
                               "date_of_birth": None if i % 3 == 0 else f"19{70 + i % 4}-01-0{1 + i % 2}"})
    want = agrees(t)
    assert want, "the crafted store has warnings to compare"
    assert t.pattern_warnings_for([]) == {} and t.pattern_warnings_for(["L-1999-0001"]) == {}
    t.close()


def test_a_busy_setting_names_its_most_recent_contacts_by_date_both_ways(tmp_path):
    """Logged out of order (an old contact entered late), the warning still names the eight most
    recent by received date, oldest of them first, and counts the rest."""
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    days = [date(2018, 1, 1) + timedelta(days=d) for d in (30, 3, 90, 60, 10, 45, 120, 75, 15, 100, 5)]
    refs = {}
    for i, day in enumerate(days):
        c = t.add_contact(received_on=day.isoformat(), agency="Police", category="enquiry",
                          subject={"name": f"Person {i}", "employer": "Oak Lane Nursery"})
        refs[day] = c.reference
    newest = max(days)
    ordered = [refs[d] for d in sorted(days) if d != newest]
    want = (f"same setting: Oak Lane Nursery has had 11 contacts in the 12 months to {newest:%d/%m/%Y} "
            f"(warning at 3): 2 earlier, then {', '.join(ordered[-8:])} and this one")
    assert want in t.pattern_warnings(t.get_contact(refs[newest]))
    assert want in t.pattern_warnings_for([refs[newest]])[refs[newest]]
    t.close()


def test_same_person_matches_on_one_day_are_listed_in_the_stores_order_both_ways(tmp_path):
    """A match by date of birth and a match by employer (no date of birth) received the same day:
    both ways list them in the order the store holds them."""
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    undated = t.add_contact(received_on="2018-03-01", agency="Police", category="enquiry",
                            subject={"name": "Rowan Hale", "employer": "Brook Stables"})
    dated = t.add_contact(received_on="2018-03-01", agency="Police", category="enquiry",
                          subject={"name": "Rowan Hale", "employer": "Elsewhere Ltd", "date_of_birth": "1980-02-02"})
    c = t.add_contact(received_on="2018-04-01", agency="Police", category="enquiry",
                      subject={"name": "ROWAN  HALE", "employer": "Brook Stables", "date_of_birth": "1980-02-02"})
    one = [w for w in t.pattern_warnings(t.get_contact(c.reference)) if w.startswith("same person")]
    assert one and one[0].index(undated.reference) < one[0].index(dated.reference)
    assert [w for w in t.pattern_warnings_for([c.reference])[c.reference] if w.startswith("same person")] == one
    t.close()


def test_the_index_follows_every_change_without_being_built_again(tmp_path, monkeypatch):
    """Edits to a subject's name, date of birth and employer, a received date moved, the settings'
    rule changed, and another user's contacts: each use after a change moves the index on by what
    changed, and it still says what the scan says."""
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    refs = []
    for i in range(12):
        refs.append(t.add_contact(received_on=f"2018-0{1 + i % 6}-1{i % 9}", agency="Police", category="enquiry",
                                  subject={"name": ("Jo Marsh", "Lee Dunn")[i % 2], "employer": "Elm Farm School",
                                           "date_of_birth": "1975-05-05" if i % 3 else None}).reference)
    agrees(t)
    builds = []
    real_init = patterns.PatternIndex.__init__

    def counted(self, ctx):
        builds.append(1)
        real_init(self, ctx)
    monkeypatch.setattr(patterns.PatternIndex, "__init__", counted)

    t.update_contact(refs[0], subject_name="Lee Dunn", received_on="2018-02-17")   # the other person, on the
    #                                                   day of a later reference: back to its place in the order
    t.update_contact(refs[3], received_on="2018-06-15")   # a setting's day shared with a later reference
    t.update_contact(refs[1], employer="Birch Lane Nursery")              # leaves the setting
    t.update_contact(refs[2], received_on="2016-02-02")                   # out of every window
    t.update_contact(refs[4], subject_dob="1975-05-05")                   # dated now
    added = t.add_contact(received_on="2018-06-20", agency="Police", category="enquiry",
                          subject={"name": "jo  MARSH", "employer": "elm farm school"})
    assert any(w.startswith("same person") for w in t.pattern_warnings(added))
    want = agrees(t)
    t.update_settings(employer_threshold=20)
    assert not any("same setting" in w for ws in agrees(t).values() for w in ws)
    t.update_settings(employer_threshold=2, employer_window="6 weeks")
    assert agrees(t) != want

    other = open_tracker(tmp_path / "s.json", user="b.lado", today=lambda: date(2019, 6, 1))
    other.add_contact(received_on="2018-06-21", agency="Police", category="enquiry",
                      subject={"name": "Jo Marsh", "employer": "Elm Farm School"})
    other.update_contact(refs[5], employer="")
    other.close()
    t.refresh()
    agrees(t)
    assert builds == [], "moved on by what changed, never built again"
    t.close()


def test_a_one_off_question_is_a_scan_and_the_index_is_built_once_it_is_asked_again(tmp_path, monkeypatch):
    """`contact add` asks once per process: a pass over the store is cheaper than building the index.
    A session that keeps asking (the TUI, a script, an import) builds it once and then keeps it."""
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    c = t.add_contact(received_on="2018-06-20", agency="Police", category="enquiry",
                      subject={"name": "Kai Moss", "employer": "Fen Road Stables"})
    builds, scans = [], []
    real_init, real_scan = patterns.PatternIndex.__init__, patterns.scanned_warnings

    def counted_init(self, ctx):
        builds.append(1)
        real_init(self, ctx)

    def counted_scan(ctx, contact):
        scans.append(1)
        return real_scan(ctx, contact)
    monkeypatch.setattr(patterns.PatternIndex, "__init__", counted_init)
    monkeypatch.setattr(patterns, "scanned_warnings", counted_scan)
    first = t.pattern_warnings(c)
    assert (len(scans), len(builds)) == (1, 0)
    assert t.pattern_warnings(c) == first
    for _ in range(3):
        t.pattern_warnings(t.add_contact(received_on="2018-06-21", agency="Police", category="enquiry",
                                         subject={"name": "Kai Moss", "employer": "Fen Road Stables"}))
    assert (len(scans), len(builds)) == (1, 1)
    t.close()


def test_a_name_of_spaces_matches_no_one_every_way(tmp_path):
    """A JSON import keeps a subject's name as the file has it: a name of spaces is no name, so two such
    contacts with one date of birth are not 'the same person', whichever way the warnings are asked for."""
    import json
    t = open_tracker(tmp_path / "s.json", user="a.lado", today=lambda: date(2019, 6, 1))
    t.add_contact(received_on="2018-06-01", agency="Police", category="enquiry",
                  subject={"name": "", "date_of_birth": "1980-02-02"})
    data = json.loads(t.export_contacts("json"))
    one = data["contacts"][0]
    copies = []
    for ref in ("L-2018-0901", "L-2018-0902"):
        c = dict(one, reference=ref, subject=dict(one["subject"], name=" "))
        c.pop("revision", None)
        copies.append(c)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(dict(data, contacts=copies)), encoding="utf-8")
    t.import_contacts(path)
    assert len(t.contact_docs()) == 3
    for _ in range(2):                                   # the scan first, then the index
        assert agrees(t) == {}
    t.close()
