"""The LADO workflow rules: categorising, escalation, step-down, the work of a referral, closing,
reopening, and pattern warnings.  Every refused step writes nothing."""

from datetime import date

import pytest

from safeguard_tracker.errors import RuleError, ValidationError
from safeguard_tracker.model import CategoryChange, MeetingKind, Outcome


def add(t, category="consultation", **kw):
    kw.setdefault("received_on", "05/03/2018")
    kw.setdefault("agency", "School - Primary")
    return t.add_contact(category=category, **kw)


def unchanged(t, c):
    """The store still holds exactly the revision we had: nothing was written."""
    return t.get_contact(c.reference).rev == c.rev


# --- categories -----------------------------------------------------------------------------------------

def test_categorising_needs_a_rationale_and_is_kept(tracker):
    c = tracker.add_contact(received_on="05/03/2018", agency="Police")
    assert c.category is None
    with pytest.raises(ValidationError, match="rationale"):
        tracker.categorise(c.reference, "enquiry", "  ")
    assert unchanged(tracker, c)
    c = tracker.categorise(c.reference, "enquiry", "advice about a staff Facebook post", on="06/03/2018")
    d = c.category_history[-1]
    assert (d.kind, d.to.value, d.on, d.user, d.rationale) == (
        CategoryChange.CATEGORISED, "enquiry", date(2018, 3, 6), "a.lado", "advice about a staff Facebook post")


def test_escalation_goes_up_only_with_a_reason_and_counts_as_referral_and_escalation(tracker):
    c = add(tracker, "enquiry")
    with pytest.raises(ValidationError, match="reason"):
        tracker.escalate(c.reference, to="consultation", reason="")
    up = tracker.escalate(c.reference, to="consultation", reason="the employer reports a second incident",
                          on="07/03/2018")
    with pytest.raises(RuleError, match="up only"):
        tracker.escalate(c.reference, to="enquiry", reason="x")
    with pytest.raises(RuleError, match="already a consultation"):
        tracker.escalate(c.reference, to="consultation", reason="x")
    assert unchanged(tracker, up)
    top = tracker.escalate(c.reference, reason="police now investigating", on="09/03/2018")
    assert top.category.value == "referral" and top.escalated
    assert [(d.kind.value, d.from_ and d.from_.value, d.to.value) for d in top.category_history] == [
        ("categorised", None, "enquiry"), ("escalated", "enquiry", "consultation"),
        ("escalated", "consultation", "referral")]
    assert top.referral_on == date(2018, 3, 9)      # the escalation date starts the JEM clock
    stats = tracker.lado_statistics("2017-18").to_dict()
    assert stats["by_category"]["referral"] == 1 and stats["escalated"] == 1


def test_escalating_an_uncategorised_contact_is_refused(tracker):
    c = tracker.add_contact(received_on="05/03/2018", agency="Police")
    with pytest.raises(RuleError, match="no category yet"):
        tracker.escalate(c.reference, reason="x")
    assert unchanged(tracker, c)


def test_step_down_needs_a_rationale_and_goes_down_only(tracker):
    c = add(tracker, "referral")
    with pytest.raises(ValidationError, match="rationale"):
        tracker.step_down(c.reference, to="consultation", rationale="")
    with pytest.raises(RuleError, match="already a referral"):
        tracker.step_down(c.reference, to="referral", rationale="x")
    down = tracker.step_down(c.reference, to="consultation", rationale="police take no further action; "
                             "a practice issue for the employer")
    assert down.category.value == "consultation"
    last = down.category_history[-1]
    assert last.kind is CategoryChange.STEPPED_DOWN and last.from_.value == "referral"
    with pytest.raises(RuleError, match="lower category.*use escalate"):
        tracker.step_down(c.reference, to="referral", rationale="x")


def test_decision_dates_are_checked(tracker):
    c = add(tracker, "enquiry")
    with pytest.raises(ValidationError, match="on '01/03/2018'.*on or after 05/03/2018"):
        tracker.escalate(c.reference, reason="x", on="01/03/2018")
    with pytest.raises(ValidationError, match="no later than today"):
        tracker.escalate(c.reference, reason="x", on="20/06/2018")
    tracker.escalate(c.reference, to="consultation", reason="x", on="10/03/2018")
    with pytest.raises(ValidationError, match="previous category decision"):
        tracker.escalate(c.reference, reason="y", on="08/03/2018")


# --- the work of a referral ---------------------------------------------------------------------------------

def test_jem_and_review_with_agencies_decisions_and_actions(tracker):
    c = add(tracker, "referral", received_on="01/05/2018")
    c = tracker.record_meeting(c.reference, kind="jem", held_on="04/05/2018",
                               agencies_present=["Police", "Children's social care", "Employer", " "],
                               decisions="Employer to suspend pending police enquiries",
                               actions=["Share the CCTV|Employer|11/05/2018",
                                        {"description": "Police checks", "owner": "DS on duty", "due_on": "18/05/2018"}])
    m = c.meetings[0]
    assert (m.kind, m.held_on, m.agencies_present) == (MeetingKind.JEM, date(2018, 5, 4),
                                                       ("Police", "Children's social care", "Employer"))
    assert [(a.description, a.owner, a.due_on) for a in m.actions] == [
        ("Share the CCTV", "Employer", date(2018, 5, 11)), ("Police checks", "DS on duty", date(2018, 5, 18))]
    assert c.jem_held_on == date(2018, 5, 4)
    c = tracker.record_meeting(c.reference, kind="jem_review", held_on="01/06/2018", decisions="Progress reviewed")
    assert len(c.meetings_of(MeetingKind.JEM_REVIEW)) == 1
    c = tracker.complete_meeting_action(c.reference, 1, 1, done_on="10/05/2018")
    assert c.meetings[0].actions[0].done_on == date(2018, 5, 10)
    with pytest.raises(RuleError, match="already done"):
        tracker.complete_meeting_action(c.reference, 1, 1)
    with pytest.raises(ValidationError, match="meeting.*from 1 to 2"):
        tracker.complete_meeting_action(c.reference, 3, 1)


@pytest.mark.parametrize("action,needle", [
    ("Share the CCTV||11/05/2018", "owner"),
    ("Share the CCTV|Employer|", "due_on"),
    ("|Employer|11/05/2018", "description"),
    ("Share the CCTV|Employer|01/05/2018", "on or after the meeting"),
])
def test_meeting_actions_need_an_owner_and_a_due_date(tracker, action, needle):
    c = add(tracker, "referral", received_on="01/05/2018")
    with pytest.raises(ValidationError, match=needle):
        tracker.record_meeting(c.reference, held_on="04/05/2018", actions=[action])
    assert unchanged(tracker, c)


def test_jems_belong_to_referrals_and_a_review_needs_a_jem(tracker):
    consultation = add(tracker, "consultation")
    with pytest.raises(RuleError, match="JEM is held for a referral"):
        tracker.record_meeting(consultation.reference, held_on="06/03/2018")
    referral = add(tracker, "referral")
    with pytest.raises(RuleError, match="no JEM yet"):
        tracker.record_meeting(referral.reference, kind="jem_review", held_on="06/03/2018")
    with pytest.raises(ValidationError, match="held_on.*on or after"):
        tracker.record_meeting(referral.reference, held_on="01/03/2018")
    tracker.record_meeting(consultation.reference, kind="strategy", held_on="06/03/2018")   # allowed
    assert unchanged(tracker, referral)


def test_police_s47_suspension_and_regulator_referrals(tracker):
    c = add(tracker, "referral")
    c = tracker.record_police(c.reference, police_reference="CR/12345/18", s47_strategy_on="06/03/2018")
    assert (c.police_involved, c.police_reference, c.s47_strategy_on) == (True, "CR/12345/18", date(2018, 3, 6))
    with pytest.raises(ValidationError, match="rationale"):
        tracker.record_suspension(c.reference, decision="suspended", rationale=" ")
    with pytest.raises(ValidationError, match="decision 'sacked'"):
        tracker.record_suspension(c.reference, decision="sacked", rationale="x")
    c = tracker.record_suspension(c.reference, decision="alternative", on="07/03/2018",
                                  rationale="moved to a role without contact with children while police enquire")
    assert c.suspension[-1].decision.value == "alternative"
    c = tracker.close_contact(c.reference, outcome="substantiated", closed_on="01/06/2018")
    c = tracker.record_regulator_referral(c.reference, body="DBS", on="02/06/2018", reference_number="DBS-1")
    assert [(r.body, r.on, r.reference) for r in c.regulator_referrals] == [("DBS", date(2018, 6, 2), "DBS-1")]
    with pytest.raises(RuleError, match="reopen"):
        tracker.record_suspension(c.reference, decision="suspended", rationale="x")


# --- the employer's report and closing -----------------------------------------------------------------

def test_employer_report_steps(tracker):
    enquiry = add(tracker, "enquiry")
    with pytest.raises(RuleError, match="consultation or a referral"):
        tracker.request_employer_report(enquiry.reference)
    c = add(tracker, "consultation")
    c = tracker.request_employer_report(c.reference, on="06/03/2018")
    with pytest.raises(ValidationError, match="requested"):
        tracker.record_employer_report(c.reference, received_on="05/03/2018")
    c = tracker.record_employer_report(c.reference, received_on="20/03/2018", outcome="Written warning")
    assert (c.employer_report_requested_on, c.employer_report_received_on, c.employer_outcome) == (
        date(2018, 3, 6), date(2018, 3, 20), "Written warning")
    with pytest.raises(RuleError, match="already received"):
        tracker.request_employer_report(c.reference)


def test_each_category_closes_only_its_way(tracker):
    enquiry = add(tracker, "enquiry")
    with pytest.raises(ValidationError, match="enquiry closes with advice_given"):
        tracker.close_contact(enquiry.reference, outcome="substantiated")
    assert tracker.close_contact(enquiry.reference, closed_on="06/03/2018").outcome is Outcome.ADVICE_GIVEN

    referral = add(tracker, "referral")
    for bad in (None, "advice_given", "no_further_action"):
        with pytest.raises(ValidationError, match="referral closes only with one of"):
            tracker.close_contact(referral.reference, outcome=bad)
    assert unchanged(tracker, referral)
    assert tracker.close_contact(referral.reference, outcome="malicious").outcome is Outcome.MALICIOUS

    consultation = add(tracker, "consultation")
    with pytest.raises(RuleError, match="employer's report"):
        tracker.close_contact(consultation.reference, outcome="no_further_action")
    with pytest.raises(ValidationError, match="employer's outcome"):
        tracker.close_contact(consultation.reference, outcome="advice_given", report_received_on="10/03/2018")
    with pytest.raises(ValidationError, match="closed_on.*report was received"):
        tracker.close_contact(consultation.reference, outcome="no_further_action", report_received_on="10/03/2018",
                              closed_on="08/03/2018")
    assert unchanged(tracker, consultation)
    done = tracker.close_contact(consultation.reference, outcome="no_further_action", report_received_on="10/03/2018",
                                 employer_outcome="Management advice", closed_on="12/03/2018")
    assert (done.outcome, done.employer_report_received_on, done.employer_outcome) == (
        Outcome.NO_FURTHER_ACTION, date(2018, 3, 10), "Management advice")

    uncategorised = tracker.add_contact(received_on="05/03/2018", agency="Police")
    with pytest.raises(RuleError, match="no category"):
        tracker.close_contact(uncategorised.reference, outcome="advice_given")


def test_closing_in_the_future_or_twice_is_refused(tracker):
    c = add(tracker, "referral")
    with pytest.raises(ValidationError, match="no later than today"):
        tracker.close_contact(c.reference, outcome="false", closed_on="16/06/2018")
    c = tracker.close_contact(c.reference, outcome="false")
    assert c.closed_on == date(2018, 6, 15)
    with pytest.raises(RuleError, match="already closed"):
        tracker.close_contact(c.reference, outcome="false")


def test_a_closed_contact_reopens_only_with_a_reason(tracker):
    c = add(tracker, "referral")
    with pytest.raises(RuleError, match="is open"):
        tracker.reopen(c.reference, "x")
    closed = tracker.close_contact(c.reference, outcome="unfounded", closed_on="01/04/2018")
    with pytest.raises(RuleError, match="reopen it with a reason"):
        tracker.escalate(c.reference, reason="x")
    with pytest.raises(ValidationError, match="reason"):
        tracker.reopen(c.reference, "")
    with pytest.raises(ValidationError, match="when it was closed"):
        tracker.reopen(c.reference, "new evidence", on="31/03/2018")
    assert unchanged(tracker, closed)
    again = tracker.reopen(c.reference, "a second child has come forward", on="02/04/2018")
    r = again.reopenings[-1]
    assert again.is_open and again.outcome is None
    assert (r.reason, r.previous_outcome, r.previous_closed_on, r.user) == (
        "a second child has come forward", Outcome.UNFOUNDED, date(2018, 4, 1), "a.lado")
    assert {h.field for h in tracker.history(c.reference)} >= {"reopenings", "outcome", "closed_on"}


# --- pattern warnings -----------------------------------------------------------------------------------------

def test_same_person_by_name_and_date_of_birth_tolerating_case_and_spacing(tracker):
    first = add(tracker, subject_name="Robin Ashdown", subject_dob="01/02/1980", employer="Hillcrest Academy")
    assert tracker.pattern_warnings(first) == []
    second = add(tracker, received_on="01/06/2018", subject_name="  robin   ASHDOWN ", subject_dob="1980-02-01",
                 employer="Another School")
    assert second.reference != first.reference        # saved: warnings never block
    assert any("same person" in w and first.reference in w for w in tracker.pattern_warnings(second))
    assert tracker.pattern_warnings(tracker.get_contact(first.reference))[0].count(second.reference) == 1
    other = add(tracker, received_on="02/06/2018", subject_name="Robin Ashdown", subject_dob="02/02/1980",
                employer="Hillcrest Academy")
    assert not any("same person" in w for w in tracker.pattern_warnings(other))


def test_same_person_by_name_and_employer_when_the_date_of_birth_is_missing(tracker):
    first = add(tracker, subject_name="Kit Ingleby", employer="Larkspur Fostering", agency="Foster Carers - Independent")
    second = add(tracker, subject_name="kit ingleby", employer="LARKSPUR  fostering",
                 agency="Foster Carers - Independent", received_on="06/03/2018")
    assert any("same person" in w and first.reference in w and "employer" in w
               for w in tracker.pattern_warnings(second))
    third = add(tracker, subject_name="Kit Ingleby", employer="Elsewhere", received_on="07/03/2018")
    assert not any("same person" in w for w in tracker.pattern_warnings(third))


def test_a_subject_change_warns_too(tracker):
    first = add(tracker, subject_name="Drew Lowther", subject_dob="03/03/1975")
    second = add(tracker, received_on="06/03/2018", employer="Hillcrest Academy")
    edited = tracker.update_contact(second.reference, summary="more detail")
    assert tracker.pattern_warnings(edited) == []
    edited = tracker.update_contact(second.reference, subject_name="Drew Lowther", subject_dob="03/03/1975")
    assert any(first.reference in w for w in tracker.pattern_warnings(edited))


def test_setting_threshold_is_configurable_and_never_blocks(tracker):
    for day in ("01/06/2017", "01/01/2018"):
        c = add(tracker, received_on=day, employer="Oakfield Secondary", agency="School - Secondary")
    assert not any("same setting" in w for w in tracker.pattern_warnings(c))      # 2 in 12 months
    c = add(tracker, received_on="01/05/2018", employer="oakfield secondary", agency="School - Secondary")
    assert any("same setting: oakfield secondary has had 3 contacts" in w for w in tracker.pattern_warnings(c))
    tracker.update_settings(employer_threshold=4)
    c = add(tracker, received_on="02/05/2018", employer="Oakfield Secondary", agency="School - Secondary")
    assert any("has had 4 contacts" in w and "warning at 4" in w for w in tracker.pattern_warnings(c))
    tracker.update_settings(employer_window="3 months")
    assert not any("same setting" in w for w in tracker.pattern_warnings(c))   # only 2 since February
    assert len(tracker.contacts()) == 4


def test_dates_set_directly_are_checked_too(tracker):
    c = add(tracker, "consultation")
    with pytest.raises(ValidationError, match="responded_on '04/03/2018'.*from the received date 05/03/2018"):
        tracker.update_contact(c.reference, responded_on="04/03/2018")
    with pytest.raises(ValidationError, match="s47_strategy_on '16/06/2018'"):
        tracker.update_contact(c.reference, s47_strategy_on="16/06/2018")
    with pytest.raises(ValidationError, match="employer_report_received_on '06/03/2018'.*requested"):
        tracker.update_contact(c.reference, employer_report_requested_on="07/03/2018",
                               employer_report_received_on="06/03/2018")
    c = tracker.update_contact(c.reference, responded_on="06/03/2018")
    with pytest.raises(ValidationError, match="responded_on"):
        tracker.update_contact(c.reference, received_on="07/03/2018")
    assert unchanged(tracker, c)
