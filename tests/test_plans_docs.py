"""The library example in docs/plans.md runs as written (SCR Dawn's six recommendations), and makes
what the page says it makes: the store it leaves, reopened, holds the review, its six
recommendations and the nine actions with their dates, steps and RAG ratings as of 15/06/2018."""

import re
from datetime import date
from pathlib import Path

import safeguard_tracker as st

DOC = Path(__file__).resolve().parent.parent / "docs" / "plans.md"
TODAY = date(2018, 6, 15)                     # the example's working date
CCG, TRUST, COMMUNITY = ("Medway Clinical Commissioning Group (CCG)", "Medway NHS Foundation Trust",
                         "Medway Community Health Care")
CHILDREN, BOARD = "Medway Children's Services", "Safeguarding Children Board"

# recommendation number -> (start of its text, its owner agencies)
RECOMMENDATIONS = {
    1: ("Health providers should assure the board", (TRUST, COMMUNITY)),
    2: ("Where several health agencies are involved", (CCG,)),
    3: ("Agencies should review their flagging systems", (CHILDREN, "Police")),
    4: ("Children's services should agree how to liaise", (CHILDREN,)),
    5: ("Police should record every child present", ("Police",)),
    6: ("The board should hold a multi-agency event", (BOARD,)),
}
# reference -> (recommendation, description, lead agency, officer, original due, current due, status, RAG)
ACTIONS = {
    "A-000001": (1, "Trust assurance report to the sub group", TRUST, "A. Nurse",
                 date(2018, 5, 31), date(2018, 5, 31), "in_progress", "red"),
    "A-000002": (1, "Community health assurance report", COMMUNITY, "B. Nurse",
                 date(2018, 5, 31), date(2018, 7, 31), "not_started", "amber"),
    "A-000003": (2, "Publish a lead health agency protocol", CCG, "",
                 date(2018, 6, 29), date(2018, 6, 29), "not_started", "amber"),
    "A-000004": (3, "Add a complex-needs flag to police records", "Police", "",
                 date(2018, 7, 31), date(2018, 7, 31), "not_started", "red"),
    "A-000005": (4, "Write a liaison protocol for families who move", CHILDREN, "",
                 date(2018, 4, 30), date(2018, 4, 30), "complete", "green"),
    "A-000006": (4, "Test the liaison protocol by case file audit", CHILDREN, "",
                 date(2018, 7, 27), date(2018, 7, 27), "not_started", "amber"),
    "A-000007": (5, "Record every child on the incident form", "Police", "",
                 date(2018, 3, 31), date(2018, 3, 31), "signed_off", "blue"),
    "A-000008": (6, "Hold the learning event", BOARD, "",
                 date(2018, 6, 30), date(2018, 6, 30), "not_started", "amber"),
    "A-000009": (5, "Repeat the dip sample", "Police", "",          # the follow-up of A-000007
                 date(2018, 6, 26), date(2018, 6, 26), "not_started", "amber"),
}


def test_docs_example_runs_as_written_and_makes_what_it_says(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/plans.md has a python example"
    monkeypatch.chdir(tmp_path)   # the example writes plans.json in the current folder
    scope: dict = {}
    exec(compile(blocks[0], str(DOC), "exec"), scope)

    # What the example kept in its own names.
    assert [scope[n].reference for n in ("trust", "community", "protocol", "flags", "liaison", "test", "form",
                                         "event", "follow")] == list(ACTIONS)
    assert scope["summary"]["by_rag"] == {"red": 2, "amber": 5, "green": 1, "blue": 1}
    assert scope["summary"]["overdue"] == 1
    assert scope["html"].lstrip().lower().startswith(("<!doctype html", "<html"))
    assert "SCR Dawn" in scope["html"] and "Trust assurance report to the sub group" in scope["html"]
    assert "<svg" in scope["html"], "the RAG-by-agency chart"
    assert scope["due"] == ["A-000001"]

    # What it left in the store, read back from the file.
    with st.open_tracker(tmp_path / "plans.json", user="reader", today=lambda: TODAY) as t:
        assert t.check() == []
        [review] = t.reviews()
        assert (review.reference, review.title, review.kind.value, review.status.value) == \
            ("R-2017-001", "SCR Dawn", "scr", "published")
        assert review.lead_board == "Medway Safeguarding Children Board"
        assert review.themes == ("complex health needs", "adolescents", "information sharing between health agencies")
        assert (review.known_on, review.notified_on, review.decision_on, review.initiated_on, review.published_on) == \
            (date(2017, 2, 20), date(2017, 2, 24), date(2017, 3, 20), date(2017, 4, 3), date(2018, 3, 29))
        assert {r.number: (r.text[:len(RECOMMENDATIONS[r.number][0])], tuple(r.owner_agencies))
                for r in review.recommendations} == RECOMMENDATIONS

        actions = {a.reference: a for a in t.actions()}
        assert sorted(actions) == sorted(ACTIONS)
        for ref, want in ACTIONS.items():
            a = actions[ref]
            got = (a.recommendation, a.description, a.lead_agency, a.lead_officer, a.due_on, a.current_due_on,
                   a.status.value, t.rag(ref).value)
            assert got == want, ref
            assert a.review == review.reference

        trust, community, flags, liaison, form, follow = (actions[r] for r in (
            "A-000001", "A-000002", "A-000004", "A-000005", "A-000007", "A-000009"))
        assert [(u.on, u.text) for u in trust.updates] == [(date(2018, 5, 21), "Draft with the trust's safeguarding committee")]
        assert t.days_overdue(trust.reference) == 15
        assert [(r.to, r.reason) for r in community.revisions] == \
            [(date(2018, 7, 31), "Service restructure; new named nurse in July")]
        assert flags.off_track_reason == "The supplier has delayed the system change"
        assert (liaison.completed_on, liaison.evidence) == (date(2018, 4, 27), "Protocol agreed with neighbouring areas")
        assert actions["A-000006"].due_rule is not None, "due 3 months after the liaison protocol is complete"
        assert actions["A-000003"].due_rule is not None, "due 3 months after publication"
        assert (form.completed_on, form.signed_off_by, form.signed_off_on) == \
            (date(2018, 3, 26), "Chair, Learning Lessons sub group", date(2018, 5, 10))
        assert form.evidence == "New form live; a dip sample found every child recorded"
        assert follow.follow_up_of == form.reference and [a.reference for a in t.follow_ups(form.reference)] == \
            [follow.reference]
        assert {c.user for c in t.history(review.reference)} == {"ll.subgroup"}
