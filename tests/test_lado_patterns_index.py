"""The many-contact pattern warnings (``Tracker.pattern_warnings_for``, used after every import) say
exactly what the one-contact warnings say, contact for contact: the same person, the same setting,
the counts, the references named, the window's edges and the settings that change the rule."""

from datetime import date, timedelta

import pytest

from safeguard_tracker.demo import build_demo
from safeguard_tracker.tracker import open_tracker


def one_by_one(t) -> dict[str, list[str]]:
    out = {}
    for ref in t.contact_docs():
        found = t.pattern_warnings(t.get_contact(ref))
        if found:
            out[ref] = found
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    t = build_demo(tmp_path_factory.mktemp("patterns") / "demo.json", contacts=1500, user="a.lado")
    yield t
    t.close()


def test_the_demo_store_gets_the_same_warnings_both_ways(demo):
    want = one_by_one(demo)
    assert sum("same setting" in w for ws in want.values() for w in ws) > 50
    assert sum("same person" in w for ws in want.values() for w in ws) > 20
    assert any("earlier, then" in w for ws in want.values() for w in ws), "a busy setting lists its last eight"
    assert demo.pattern_warnings_for(list(demo.contact_docs())) == want


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
    want = one_by_one(t)
    assert want, "the crafted store has warnings to compare"
    assert t.pattern_warnings_for(list(t.contact_docs())) == want
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
