"""Reviews, recommendations and actions through the tracker: RAG in every state, sign-off rules,
revisions, updates, follow-ups, impact reviews, conflicts, and nothing written on bad input."""

from datetime import date

import attrs
import pytest

from safeguard_tracker.errors import ConflictError, RuleError, UnknownReference, ValidationError
from safeguard_tracker.model import RAG, Action, ActionStatus, ReviewStatus
from safeguard_tracker.plans.rag import derive_rag, doc_rag

TODAY = date(2018, 6, 15)


@pytest.fixture
def plan(tracker):
    tracker.add_review(name="Dawn", kind="SCR", known_on="20/02/2017", notified_on="24/02/2017",
                       initiated_on="03/04/2017", published_on="29/03/2018", chair="Rowan Tester",
                       themes="complex health needs; adolescents")
    tracker.add_recommendation("SCR Dawn", text="Health providers assure the board",
                               owner_agencies=["Medway NHS Foundation Trust", "medway community health care"])
    tracker.add_recommendation("Dawn", text="Police record every child at domestic abuse incidents",
                               owner_agencies="Police", themes="domestic abuse")
    return tracker


def _act(t, due="31/07/2018", rec=1, **kw) -> Action:
    return t.add_action("Dawn", rec, description=kw.pop("description", "Assurance report"),
                        lead_agency=kw.pop("lead_agency", "Police"), due=due, **kw)


# --- RAG -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status,evidence,off_track,due,expected", [
    ("signed_off", True, False, "2018-01-01", RAG.BLUE),
    ("complete", True, False, "2018-01-01", RAG.GREEN),       # complete and late is still green
    ("complete", False, False, "2018-07-01", RAG.AMBER),      # complete without evidence
    ("complete", False, True, "2018-01-01", RAG.AMBER),       # a finished action is not off track
    ("in_progress", False, False, "2018-06-14", RAG.RED),     # overdue by a day
    ("not_started", False, False, "2018-06-15", RAG.AMBER),   # due today is not overdue
    ("in_progress", True, True, "2018-12-01", RAG.RED),       # off track
    ("not_started", False, False, None, RAG.AMBER),           # waiting for its event
    ("in_progress", False, False, "2018-07-01", RAG.AMBER),
])
def test_derive_rag_table(status, evidence, off_track, due, expected):
    assert derive_rag(status, evidence, off_track, due, "2018-06-15") is expected


def test_every_rag_state_through_the_tracker(plan):
    red = _act(plan, "31/05/2018")
    amber = _act(plan, "31/07/2018", description="Second")
    off = _act(plan, "31/07/2018", description="Third")
    green = _act(plan, "30/04/2018", description="Fourth")
    blue = _act(plan, "30/04/2018", description="Fifth")
    plan.flag_off_track(off.reference, "supplier delay")
    plan.complete_action(green.reference, on="20/04/2018", evidence="done")
    plan.complete_action(blue.reference, on="20/04/2018", evidence="done")
    plan.sign_off(blue.reference, by="Sub group chair")
    got = {a.reference: plan.rag(a).value for a in plan.actions()}
    assert got == {red.reference: "red", amber.reference: "amber", off.reference: "red",
                   green.reference: "green", blue.reference: "blue"}
    assert plan.days_overdue(red.reference) == 15 and plan.days_overdue(off.reference) == 0
    assert plan.rag(red, as_of="31/05/2018") is RAG.AMBER       # as of another day
    assert [a.reference for a in plan.actions(rag="red")] == [red.reference, off.reference]
    for a in plan.actions():   # the stored-document rule agrees with the model rule
        assert doc_rag(plan.store.get("actions", a.reference), TODAY.isoformat()) is plan.rag(a)
    assert "rag" not in plan.store.get("actions", red.reference)   # derived, never stored


def test_revised_date_is_what_overdue_is_measured_against(plan):
    a = _act(plan, "31/05/2018")
    assert plan.rag(a) is RAG.RED
    a = plan.revise_due(a.reference, "31/07/2018", "Service restructure")
    assert plan.rag(a) is RAG.AMBER
    assert a.due_on == date(2018, 5, 31) and a.current_due_on == date(2018, 7, 31)   # original stays visible
    [rev] = a.revisions
    assert (rev.from_, rev.to, rev.reason, rev.by, rev.on) == (date(2018, 5, 31), date(2018, 7, 31),
                                                               "Service restructure", "a.lado", TODAY)
    a = plan.revise_due(a.reference, "30/06/2018", "brought forward")
    assert [r.from_ for r in a.revisions] == [date(2018, 5, 31), date(2018, 7, 31)]


def test_revision_needs_a_reason_and_an_open_action(plan):
    a = _act(plan)
    seq = plan.store.last_seq
    with pytest.raises(ValidationError, match="reason"):
        plan.revise_due(a.reference, "31/08/2018", "  ")
    with pytest.raises(ValidationError, match="other than the current"):
        plan.revise_due(a.reference, "31/07/2018", "same")
    plan.complete_action(a.reference, evidence="x")
    with pytest.raises(RuleError, match="open action"):
        plan.revise_due(a.reference, "31/08/2018", "late")
    assert plan.get_action(a.reference).revisions == ()
    assert plan.store.last_seq == seq + 1


def test_updates_are_dated_attributed_and_start_the_action(plan):
    a = _act(plan)
    assert a.status is ActionStatus.NOT_STARTED
    a = plan.add_update(a.reference, "Draft with the committee", on="12/06/2018")
    [u] = a.updates
    assert (u.by, u.on, u.text) == ("a.lado", date(2018, 6, 12), "Draft with the committee")
    assert a.status is ActionStatus.IN_PROGRESS
    with pytest.raises(ValidationError, match="no later than today"):
        plan.add_update(a.reference, "from the future", on="16/06/2018")
    with pytest.raises(ValidationError, match="text"):
        plan.add_update(a.reference, "")


# --- sign-off ---------------------------------------------------------------------------------------------

def test_only_a_complete_action_with_evidence_can_be_signed_off(plan):
    a = _act(plan)
    with pytest.raises(RuleError, match="only a complete action"):
        plan.sign_off(a.reference, by="Chair")
    plan.complete_action(a.reference, on="10/06/2018")
    assert plan.rag(a.reference) is RAG.AMBER
    with pytest.raises(RuleError, match="no evidence"):
        plan.sign_off(a.reference, by="Chair")
    with pytest.raises(ValidationError, match="who signed it off"):
        plan.sign_off(a.reference, by=" ")
    plan.record_evidence(a.reference, evidence="Report tabled 12/06/2018", impact_measure="Quarterly audit")
    with pytest.raises(ValidationError, match="on or after completion"):
        plan.sign_off(a.reference, by="Chair", on="09/06/2018")
    a = plan.sign_off(a.reference, by="Chair of the sub group", on="14/06/2018")
    assert (a.status, a.signed_off_by, a.signed_off_on) == (ActionStatus.SIGNED_OFF, "Chair of the sub group",
                                                            date(2018, 6, 14))
    assert plan.rag(a) is RAG.BLUE
    with pytest.raises(RuleError, match="already signed off"):
        plan.sign_off(a.reference, by="Chair")
    with pytest.raises(RuleError, match="signed off"):
        plan.record_evidence(a.reference, evidence="changed after assurance")


def test_complete_clears_off_track_and_off_track_needs_an_open_action(plan):
    a = _act(plan)
    plan.flag_off_track(a.reference, "waiting for a system change")
    assert plan.get_action(a.reference).updates[-1].text == "Flagged off track: waiting for a system change"
    a = plan.complete_action(a.reference, evidence="delivered")
    assert a.off_track_reason == "" and plan.rag(a) is RAG.GREEN
    with pytest.raises(RuleError, match="only an open action"):
        plan.flag_off_track(a.reference, "late")
    with pytest.raises(RuleError, match="already complete"):
        plan.complete_action(a.reference)
    b = _act(plan, description="Other")
    with pytest.raises(ValidationError, match="reason"):
        plan.flag_off_track(b.reference, "")
    plan.flag_off_track(b.reference, "delay")
    assert plan.clear_off_track(b.reference, "supplier back").off_track_reason == ""
    with pytest.raises(RuleError, match="not flagged"):
        plan.clear_off_track(b.reference)


def test_reopen_a_complete_action_but_not_a_signed_off_one(plan):
    a = _act(plan)
    plan.complete_action(a.reference, evidence="done")
    a = plan.reopen_action(a.reference, "evidence did not hold up")
    assert a.status is ActionStatus.IN_PROGRESS and a.completed_on is None
    assert a.updates[-1].text == "Reopened: evidence did not hold up"
    plan.complete_action(a.reference, evidence="done")
    plan.sign_off(a.reference, by="Chair")
    with pytest.raises(RuleError, match="only a complete action"):
        plan.reopen_action(a.reference, "again")


# --- follow-ups and impact reviews -------------------------------------------------------------------------

def test_completion_creates_ellies_audit_after_three_months(plan):
    a = _act(plan, "31/03/2018", lead_officer="Kit Tester")
    plan.complete_action(a.reference, on="21/03/2018", evidence="Revised protocol issued",
                         follow_up="Audit GP registrations under the revised protocol")
    [f] = plan.follow_ups(a.reference)
    assert f.follow_up_of == a.reference and f.due_on == date(2018, 6, 21)
    assert (f.lead_agency, f.lead_officer, f.recommendation) == ("Police", "Kit Tester", 1)
    assert f.due_rule.event == "completion" and f.due_rule.action == a.reference
    assert plan.rag(f) is RAG.AMBER and plan.rag(f, as_of="22/06/2018") is RAG.RED
    assert any(i.reference == f.reference for i in plan.due())
    plan.complete_action(f.reference, on="14/06/2018", evidence="audit", follow_up="Re-audit",
                         follow_up_after="6 weeks", follow_up_agency="medway council")
    [g] = plan.follow_ups(f.reference)
    assert g.due_on == date(2018, 7, 26) and g.lead_agency == "Medway Council"
    with pytest.raises(ValidationError, match="period"):
        plan.complete_action(g.reference, follow_up="x", follow_up_after="soon")
    assert plan.get_action(g.reference).is_open   # nothing written
    assert plan.check() == []


def test_impact_review_twelve_months_after_the_last_sign_off_until_the_finding(plan):
    a = _act(plan, "31/03/2017", rec=2)
    b = _act(plan, "31/03/2017", rec=2, description="Dip sample")
    for ref, on in ((a.reference, "10/04/2017"), (b.reference, "02/06/2017")):
        plan.complete_action(ref, on="01/04/2017", evidence="done")
        with pytest.raises(RuleError, match="not yet"):
            plan.record_impact_finding("Dawn", 2, "Every child now recorded")
        plan.sign_off(ref, by="Chair", on=on)
    [impact] = plan.impact_reviews()
    assert (impact.review, impact.number, impact.due_on) == ("R-2017-001", 2, date(2018, 6, 2))
    due = [i for i in plan.due() if "impact review" in i.what]
    assert len(due) == 1 and due[0].days_overdue == 13 and due[0].area == "review"
    rec = plan.record_impact_finding("SCR Dawn", 2, "A repeat dip sample found every child recorded", on="14/06/2018")
    assert rec.impact_finding.by == "a.lado" and rec.impact_finding.on == date(2018, 6, 14)
    assert plan.impact_reviews() == [] and not any("impact review" in i.what for i in plan.due())
    assert plan.impact_reviews(open_only=False)[0].finding.text.startswith("A repeat")
    with pytest.raises(RuleError, match="already has"):
        plan.record_impact_finding("Dawn", 2, "again")
    with pytest.raises(RuleError, match="no actions"):
        plan.record_impact_finding("Dawn", 1, "nothing to review")


def test_a_recommendation_with_an_open_action_has_no_impact_review(plan):
    a = _act(plan)
    _act(plan, description="Still open")
    plan.complete_action(a.reference, evidence="done")
    plan.sign_off(a.reference, by="Chair")
    assert plan.impact_reviews() == []


# --- reviews and recommendations -----------------------------------------------------------------------------

def test_review_lookup_by_reference_name_and_title(plan):
    r = plan.get_review("Dawn")
    assert r.reference == "R-2017-001" and r.title == "SCR Dawn"
    assert plan.get_review("scr dawn") == r == plan.get_review("r-2017-001") == plan.get_review("  Dawn ")
    plan.add_review(name="Dawn", kind="llr", initiated_on="01/06/2018")
    with pytest.raises(ValidationError, match="several have that name"):
        plan.get_review("Dawn")
    assert plan.get_review("LLR Dawn").kind.value == "llr"
    with pytest.raises(UnknownReference, match="did you mean"):
        plan.get_review("Dwan")
    with pytest.raises(ValidationError, match="not already used"):
        plan.add_review(name="dawn", kind="scr")


def test_review_validation_writes_nothing(tracker):
    cases = [
        (dict(name="", kind="scr"), "name"),
        (dict(name="X", kind="serious case reveiw"), "kind"),
        (dict(name="X", kind="scr", status="finished"), "status"),
        (dict(name="X", kind="scr", published_on="16/06/2018"), "no later than today"),
        (dict(name="X", kind="scr", initiated_on="01/05/2018", published_on="01/04/2018"), "published_on"),
        (dict(name="X", kind="scr", incident_on="02/05/2018", notified_on="01/05/2018"), "notified_on"),
        (dict(name="Harry", kind="other board"), "lead_board"),
        (dict(name="X", kind="scr", colour="red"), "not a review field"),
    ]
    for kwargs, needle in cases:
        with pytest.raises(ValidationError, match=needle):
            tracker.add_review(**kwargs)
    assert tracker.reviews() == [] and tracker.store.last_seq == 0


def test_review_kinds_statuses_and_defaults(tracker):
    harry = tracker.add_review(name="Harry", kind="led by another board", lead_board="Thurrock LSCB")
    assert harry.title == "Harry (led by Thurrock LSCB)" and harry.status is ReviewStatus.IN_PROGRESS
    assert tracker.get_review("SCR Harry") == harry
    audit = tracker.add_review(name="Neglect", kind="case file audit")
    assert audit.title == "Audit: Neglect"
    leo = tracker.add_review(name="Leo", kind="Rapid Review", known_on="24/05/2018")
    assert leo.status is ReviewStatus.NOTIFIED
    leo = tracker.update_review("Leo", status="rapid review", notified_on="29/05/2018")
    assert leo.status is ReviewStatus.RAPID_REVIEW
    ruby = tracker.add_review(name="Ruby", kind="llr", initiated_on="01/02/2018")
    assert tracker.update_review("Ruby", published_on="01/06/2018").status is ReviewStatus.PUBLISHED
    assert [r.name for r in tracker.reviews(kind="llr")] == ["Ruby"]
    assert [r.name for r in tracker.reviews(text="thurrock")] == ["Harry"]
    assert ruby.reference.startswith("R-2018-")


def test_closing_a_review_needs_every_action_signed_off(plan):
    a = _act(plan)
    with pytest.raises(RuleError, match="not yet signed off"):
        plan.update_review("Dawn", status="closed")
    plan.complete_action(a.reference, evidence="done")
    plan.sign_off(a.reference, by="Chair")
    assert plan.update_review("Dawn", status="closed").status is ReviewStatus.CLOSED


def test_recommendations_numbered_and_validated(plan):
    rec = plan.add_recommendation("Dawn", text="A multi-agency event", owner_agencies="Safeguarding Children Board",
                                  themes=["adolescents"])
    assert rec.number == 3
    assert plan.add_recommendation("Dawn", text="Chosen", owner_agencies="Police", number=7).number == 7
    with pytest.raises(ValidationError, match="not already used"):
        plan.add_recommendation("Dawn", text="Dup", owner_agencies="Police", number=7)
    with pytest.raises(ValidationError, match="did you mean 'Police'"):
        plan.add_recommendation("Dawn", text="Bad", owner_agencies="Polcie")
    with pytest.raises(ValidationError, match="one or more owner agencies"):
        plan.add_recommendation("Dawn", text="None", owner_agencies=[])
    owners = plan.get_review("Dawn").recommendation(1).owner_agencies
    assert owners == ("Medway NHS Foundation Trust", "Medway Community Health Care")
    rec = plan.update_recommendation("Dawn", 1, text="Health providers give assurance", owner_agencies="Police")
    assert rec.text == "Health providers give assurance" and rec.owner_agencies == ("Police",)
    assert [r.number for r in plan.get_review("Dawn").recommendations] == [1, 2, 3, 7]


def test_action_validation_writes_nothing(plan):
    seq = plan.store.last_seq
    for kwargs, needle in [
        (dict(description="x", lead_agency="Polcie"), "did you mean"),
        (dict(description=" ", lead_agency="Police"), "description"),
        (dict(description="x", lead_agency="Police", due="next week"), "3 months after publication"),
        (dict(description="x", lead_agency="Police", status="complete"), "complete_action"),
    ]:
        with pytest.raises(ValidationError, match=needle):
            plan.add_action("Dawn", 1, **kwargs)
    with pytest.raises(ValidationError, match=r"\(1, 2\)"):
        plan.add_action("Dawn", 9, description="x", lead_agency="Police")
    with pytest.raises(UnknownReference):
        plan.get_action("A-000099")
    assert plan.store.last_seq == seq


def test_due_date_changes_only_through_revision(plan):
    a = _act(plan, due=None)
    a = plan.update_action(a.reference, due="31/07/2018", lead_officer="Sam Tester")
    assert a.due_on == date(2018, 7, 31) and a.lead_officer == "Sam Tester"
    with pytest.raises(RuleError, match="revise it with a reason"):
        plan.update_action(a.reference, due="31/08/2018")


def test_stale_copy_is_refused(plan):
    a = _act(plan)
    plan.add_update(a.reference, "first", expected_rev=a.rev)
    with pytest.raises(ConflictError, match="since you opened it"):
        plan.add_update(a.reference, "second", expected_rev=a.rev)
    r = plan.get_review("Dawn")
    plan.update_review("Dawn", chair="New Chair", expected_rev=r.rev)
    with pytest.raises(ConflictError):
        plan.add_recommendation("Dawn", text="late", owner_agencies="Police", expected_rev=r.rev)
    with pytest.raises(RuleError, match="add_recommendation"):
        plan.save_review(attrs.evolve(plan.get_review("Dawn"), recommendations=()))
    saved = plan.save_review(attrs.evolve(plan.get_review("Dawn"), author="Alex Tester"))
    assert saved.author == "Alex Tester"


def test_actions_filters(plan):
    a = _act(plan, "31/05/2018", lead_officer="Kit Varley")
    b = _act(plan, "31/07/2018", description="Flag children", lead_agency="Medway NHS Foundation Trust",
             lead_officer="Sam Tester")
    plan.add_update(b.reference, "Supplier engaged")
    c = _act(plan, "31/07/2018", rec=2, description="Form change")
    plan.complete_action(c.reference, evidence="done")
    refs = lambda **kw: [x.reference for x in plan.actions(**kw)]
    assert refs(agency="medway nhs foundation trust") == [b.reference]
    assert refs(officer="kit") == [a.reference]
    assert refs(text="supplier") == [b.reference]
    assert refs(status="complete") == [c.reference]
    assert refs(open_only=True) == refs(status="open") == [a.reference, b.reference]
    assert refs(review="SCR Dawn", recommendation=2) == [c.reference]
    assert refs(rag="green") == [c.reference]
    with pytest.raises(ValidationError, match="rag"):
        plan.actions(rag="purple")


def test_history_records_each_step(plan):
    a = _act(plan)
    plan.add_update(a.reference, "progress")
    plan.complete_action(a.reference, evidence="done")
    plan.sign_off(a.reference, by="Chair")
    fields = [c.field for c in plan.history(a.reference)]
    assert fields[0] == "*" and {"updates", "status", "evidence", "completed_on", "signed_off_by"} <= set(fields)
    assert plan.check() == []
