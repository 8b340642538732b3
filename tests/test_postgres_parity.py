"""One API, two stores, on the demo: the same store moved into PostgreSQL answers every question a user or a
script asks (reports in every format, statistics, deadlines, exports, the past, pattern warnings, plans) with
the same bytes as the file it came from, and the same edits made on both leave both exporting the same bytes.

The demo is richer than any one test's records (five years of contacts, every category and outcome, plans with
evidence and sign-off), so a query the server store answers differently (an order, a filter, a record it did
not load, a trail entry it did not keep) shows here even where no narrower test looks.
"""

from __future__ import annotations

import json

import pytest

import safeguard_tracker as st
from safeguard_tracker.demo.contacts import DEMO_TODAY
from safeguard_tracker.store.moving import move_store

YEARS = ("2016-17", "2017-18")


@pytest.fixture
def pair(tmp_path, pg_url):
    """The demo as a file and the same demo moved into a new database, each opened by the LADO on the demo's day."""
    from demo_store import demo_copy
    demo_copy(tmp_path / "demo.json", user="a.lado").close()
    move_store(str(tmp_path / "demo.json"), pg_url)
    trackers = [st.open_tracker(loc, user="a.lado", today=lambda: DEMO_TODAY)
                for loc in (str(tmp_path / "demo.json"), pg_url)]
    yield trackers
    for t in trackers:
        t.close()


def _both(pair, ask):
    file_answer, server_answer = (ask(t) for t in pair)
    return file_answer, server_answer


def _same(pair, ask, what: str) -> None:
    file_answer, server_answer = _both(pair, ask)
    assert file_answer == server_answer, f"{what}: the server store answers differently from the file store"


def test_reports_statistics_and_measures_are_the_same_bytes(pair):
    for fmt in ("md", "json", "html", "csv"):
        _same(pair, lambda t: t.report_lado_annual(YEARS[1], YEARS[0], fmt=fmt), f"annual report ({fmt})")
    _same(pair, lambda t: t.report_lado_annual(YEARS[1], YEARS[0], fmt="docx")[:0], "annual report (docx runs)")
    _same(pair, lambda t: repr(t.lado_statistics(YEARS[1], compare_with=YEARS[0])), "statistics")
    _same(pair, lambda t: repr(t.annual_measures(YEARS[1], compare_with=YEARS[0])), "annual measures")
    _same(pair, lambda t: t.count_contacts(YEARS[1]), "count of contacts")
    for fmt in ("md", "json", "html"):
        _same(pair, lambda t: t.report_action_plan(fmt=fmt), f"action plan ({fmt})")


def test_lists_deadlines_warnings_and_retention_are_the_same(pair):
    _same(pair, lambda t: [c.reference for c in t.contacts()], "every contact, in order")
    _same(pair, lambda t: [c.reference for c in t.contacts(year=YEARS[1], agency="Police")], "a filter")
    _same(pair, lambda t: [c.reference for c in t.contacts(text="teacher")], "a text search")
    _same(pair, lambda t: [repr(i) for i in t.due()], "what is due")
    _same(pair, lambda t: [repr(i) for i in t.due(within_days=60)], "what is due in 60 days")
    _same(pair, lambda t: t.pattern_warnings_for(sorted(t.contact_docs())), "pattern warnings")
    _same(pair, lambda t: repr(t.retention()), "retention review")
    _same(pair, lambda t: [repr(a) for a in t.actions()], "every action")
    _same(pair, lambda t: [t.rag(a) for a in t.actions(open_only=True)], "RAG of the open actions")
    _same(pair, lambda t: [repr(r) for r in t.reviews()], "every review")


def test_exports_and_history_are_the_same_bytes(pair):
    for fmt in ("csv", "json"):
        _same(pair, lambda t: t.export_contacts(fmt), f"contacts export ({fmt})")
        _same(pair, lambda t: t.export_plans("actions", fmt), f"actions export ({fmt})")
        _same(pair, lambda t: t.export_plans("reviews", fmt), f"reviews export ({fmt})")
    refs = sorted(pair[0].contact_docs())
    for ref in refs[:: max(1, len(refs) // 40)]:
        _same(pair, lambda t: [repr(c) for c in t.history(ref)], f"history of {ref}")


def test_the_past_is_the_same(pair):
    for day in ("2017-03-31", "2018-03-31"):
        _same(pair, lambda t: t.as_of(day).report_lado_annual("2016-17" if day < "2018" else YEARS[1], fmt="md"),
              f"annual report as of {day}")
        _same(pair, lambda t: t.as_of(day).export_contacts("csv"), f"contacts as of {day}")


def test_the_same_edits_leave_the_same_store(pair, clock):
    """Casework, plans, vocabularies and a redaction made alike on both: both export the same bytes after."""
    clock("2018-06-15")
    made = []
    for t in pair:
        ref = sorted(t.contact_docs())[-1]
        t.add_note(ref, "Rang the head teacher; report promised by Friday.")
        t.record_response(ref, on="2018-06-15")
        new = t.add_contact(received_on="2018-06-14", category="Consultation", agency="Police",
                            summary="Coach seen alone with a pupil after training.")
        made.append(new.reference)
        t.add_note(new.reference, "Zoë rang back: \"no further concerns\", 😊\nsecond line")
        t.vocab_add("agency", "Youth Offending Service")
        action = [a for a in t.actions(open_only=True)][0]
        t.add_update(action.reference, "Training booked for all designated leads.")
        t.redact_contact(sorted(t.contact_docs())[0])
    _same(pair, lambda t: t.export_contacts("json"), "contacts after the edits")
    _same(pair, lambda t: t.export_plans("actions", "json"), "actions after the edits")
    _same(pair, lambda t: [repr(c) for c in t.history(sorted(t.contact_docs())[0])], "a redacted record's history")
    assert made[0] == made[1], "the same new contact took another reference on the server"
    assert made[0] in json.loads(pair[1].export_contacts("json")) or made[0] in pair[1].export_contacts("json")
    for t in pair:
        assert t.check() == [], t.location
