"""Action plans at their edges: RAG on the due day and the day after, every branch of the rule over
plain values, days overdue, and the chase list's window (an action or impact review due on its last
day is in it, the day after is not)."""

from datetime import date

import pytest

import safeguard_tracker as st
from safeguard_tracker.model import RAG, DueRule
from safeguard_tracker.plans.plan_dates import parse_due, plan_due_items
from safeguard_tracker.plans.rag import derive_rag, doc_rag

AS_OF = "2018-06-15"


@pytest.mark.parametrize("status, evidence, off_track, due, expected", [
    ("signed_off", True, False, "2018-01-01", RAG.BLUE),
    ("signed_off", False, True, "2018-01-01", RAG.BLUE),        # a finished action is never off track
    ("complete", True, True, "2018-01-01", RAG.GREEN),
    ("complete", False, False, "2018-01-01", RAG.AMBER),        # complete without evidence
    ("complete", False, True, "2018-01-01", RAG.AMBER),
    ("in_progress", True, False, "2018-06-14", RAG.RED),        # due yesterday: overdue
    ("in_progress", False, False, "2018-06-15", RAG.AMBER),     # due today: not yet late
    ("not_started", False, False, "2018-06-16", RAG.AMBER),
    ("not_started", False, True, "2018-12-31", RAG.RED),        # flagged off track
    ("not_started", False, True, None, RAG.RED),
    ("in_progress", False, False, None, RAG.AMBER),             # no due date: never overdue
])
def test_the_rag_rule_over_plain_values(status, evidence, off_track, due, expected):
    assert derive_rag(status, evidence, off_track, due, AS_OF) is expected


def test_doc_rag_reads_the_latest_revision_and_blank_text_as_none():
    doc = {"status": "in_progress", "due_on": "2018-06-01", "revisions": [{"to": "2018-06-30"}],
           "evidence": "   ", "off_track_reason": " "}
    assert doc_rag(doc, AS_OF) is RAG.AMBER
    assert doc_rag(dict(doc, revisions=[]), AS_OF) is RAG.RED
    assert doc_rag(dict(doc, off_track_reason="no lead officer"), AS_OF) is RAG.RED
    assert doc_rag({"status": "complete", "evidence": "Protocol reissued"}, AS_OF) is RAG.GREEN
    assert doc_rag({"status": "complete", "evidence": None}, AS_OF) is RAG.AMBER
    assert doc_rag({}, AS_OF) is RAG.AMBER                            # not started, no due date


@pytest.fixture
def plan(tracker):
    tracker.add_review(name="Dawn", kind="scr", notified_on="24/02/2017", initiated_on="03/04/2017")
    tracker.add_recommendation("Dawn", text="Record every child at domestic abuse incidents", owner_agencies="Police")
    return tracker


def test_rag_and_days_overdue_around_the_due_day(plan):
    a = plan.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police", due="05/06/2018")
    assert (plan.rag(a, as_of="04/06/2018"), plan.days_overdue(a, as_of="04/06/2018")) == (RAG.AMBER, 0)
    assert (plan.rag(a, as_of="05/06/2018"), plan.days_overdue(a, as_of="05/06/2018")) == (RAG.AMBER, 0)
    assert (plan.rag(a, as_of="06/06/2018"), plan.days_overdue(a, as_of="06/06/2018")) == (RAG.RED, 1)
    assert plan.days_overdue(a, as_of="15/06/2018") == 10
    assert [x.reference for x in plan.actions(rag="red", as_of="06/06/2018")] == [a.reference]
    assert plan.actions(rag="red", as_of="05/06/2018") == []
    a = plan.complete_action(a.reference, on="10/06/2018")
    assert (plan.rag(a, as_of="15/06/2018"), plan.days_overdue(a, as_of="15/06/2018")) == (RAG.AMBER, 0)
    a = plan.record_evidence(a.reference, evidence="Form reissued")
    assert plan.rag(a, as_of="15/06/2018") is RAG.GREEN


def test_an_action_due_on_the_last_day_of_the_window_is_chased(plan):
    plan.add_action("Dawn", 1, description="Due on the last day", lead_agency="Police", due="22/06/2018")
    plan.add_action("Dawn", 1, description="Due the day after", lead_agency="Police", due="23/06/2018")
    items = plan_due_items(plan.context, date(2018, 6, 15), 7)
    whats = [i.what for i in items if i.area == "action"]
    assert len(whats) == 1 and whats[0].endswith("Due on the last day")


def test_an_impact_review_due_on_the_last_day_of_the_window_is_chased(plan):
    a = plan.add_action("Dawn", 1, description="Train the call handlers", lead_agency="Police", due="30/04/2017")
    plan.complete_action(a.reference, on="20/05/2017", evidence="Training records")
    plan.sign_off(a.reference, by="Chair, Learning Lessons sub group", on="22/06/2017")
    # the impact review is due 12 months after the last sign-off: 22/06/2018
    due = [i for i in plan_due_items(plan.context, date(2018, 6, 15), 7) if "impact review" in i.what]
    assert [i.due_on for i in due] == [date(2018, 6, 22)]
    assert not [i for i in plan_due_items(plan.context, date(2018, 6, 14), 7) if "impact review" in i.what]


def test_a_long_description_is_cut_to_60_characters_in_the_chase_list(plan):
    text = "Audit every strategy discussion record for the voice of the child " * 3
    plan.add_action("Dawn", 1, description=text, lead_agency="Police", due="16/06/2018")
    (item,) = [i for i in plan_due_items(plan.context, date(2018, 6, 15), 7) if i.area == "action"]
    shown = item.what.split(": ", 1)[1]
    assert len(shown) == 60 and shown == " ".join(text.split())[:59] + "\u2026"
    plan.add_action("Dawn", 1, description="x" * 60, lead_agency="Police", due="16/06/2018")
    assert sum(1 for i in plan_due_items(plan.context, date(2018, 6, 15), 7)
               if i.what.endswith("x" * 60)) == 1                       # exactly 60: shown whole


def test_a_due_rule_passes_through_parse_due_unchanged():
    rule = DueRule(period="3 months", event="publication", action="")
    assert parse_due(rule) == (None, rule)
    assert parse_due("3 months after publication") == (None, rule)
    assert parse_due("") == (None, None) and parse_due(None) == (None, None)
    assert parse_due(date(2018, 6, 29)) == (date(2018, 6, 29), None)


def test_is_overdue_and_days_overdue_of_action_models(plan):
    from safeguard_tracker.plans.rag import days_overdue, is_overdue
    a = plan.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police", due="05/06/2018")
    assert (is_overdue(a, date(2018, 6, 5)), days_overdue(a, date(2018, 6, 5))) == (False, 0)
    assert (is_overdue(a, date(2018, 6, 6)), days_overdue(a, date(2018, 6, 6))) == (True, 1)
    assert days_overdue(a, date(2018, 5, 1)) == 0                       # not yet due: 0, never negative
    undated = plan.add_action("Dawn", 1, description="No date yet", lead_agency="Police")
    assert (is_overdue(undated, date(2018, 6, 15)), days_overdue(undated, date(2018, 6, 15))) == (False, 0)
    done = plan.complete_action(a.reference, on="10/06/2018", evidence="Form reissued")
    assert (is_overdue(done, date(2018, 6, 15)), days_overdue(done, date(2018, 6, 15))) == (False, 0)
    assert days_overdue(done, date(2018, 6, 15)) is not None


def test_the_current_due_date_is_the_latest_revision(plan):
    from safeguard_tracker.plans.plan_dates import current_due_iso
    assert current_due_iso({"due_on": "2018-05-01", "revisions": [{"to": "2018-06-01"}, {"to": "2018-07-01"}]}) \
        == "2018-07-01"
    assert current_due_iso({"due_on": "2018-05-01", "revisions": []}) == "2018-05-01"
    a = plan.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police", due="01/05/2018")
    plan.revise_due(a.reference, "01/06/2018", "Service restructure")
    plan.revise_due(a.reference, "01/07/2018", "A second restructure")
    assert plan.rag(a.reference, as_of="15/06/2018") is RAG.AMBER               # due 01/07, not 01/06
    assert not [i for i in plan_due_items(plan.context, date(2018, 6, 15), 7) if i.area == "action"]
    (item,) = [i for i in plan_due_items(plan.context, date(2018, 6, 28), 7) if i.area == "action"]
    assert item.due_on == date(2018, 7, 1) and "revised from 01/05/2018" in item.detail


def test_the_chase_list_shows_the_latest_update(plan):
    a = plan.add_action("Dawn", 1, description="Change the incident form", lead_agency="Police", due="20/06/2018")
    plan.add_update(a.reference, "Draft with the trust's safeguarding committee", on="01/06/2018")
    plan.add_update(a.reference, "Approved; printing", on="10/06/2018")
    (item,) = [i for i in plan_due_items(plan.context, date(2018, 6, 15), 7) if i.area == "action"]
    assert item.detail.endswith("; latest update: Approved; printing")


def test_a_statutory_review_date_on_the_last_day_of_the_window_is_chased(store_path):
    # notified Monday 08/04/2019: the rapid review is due Wednesday 01/05/2019 (15 working days, over Easter).
    # A 2019 review, since the rapid review began with the Panel duty on 29/06/2018.
    with st.open_tracker(store_path, user="a.lado", today=lambda: date(2019, 6, 14)) as tracker:
        tracker.add_review(name="Kit", kind="rapid_review", notified_on="08/04/2019")
        due = [i.due_on for i in plan_due_items(tracker.context, date(2019, 4, 24), 7) if "Rapid review" in i.what]
        assert due == [date(2019, 5, 1)]
        assert not [i for i in plan_due_items(tracker.context, date(2019, 4, 23), 7) if "Rapid review" in i.what]
