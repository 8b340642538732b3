"""Every LADO deadline, in working days with England's bank holidays or in calendar periods.

Easter 2018 is the bank-holiday weekend: Good Friday 30/03/2018 and Easter Monday 02/04/2018.
"""

from datetime import date

import pytest

from safeguard_tracker.lado import deadlines as dl
from safeguard_tracker.lado.deadlines import DeadlineRules, retention_review_on
from safeguard_tracker.errors import ValidationError

EASTER_AS_OF = "04/04/2018"


def kinds(items):
    return {(i.reference, i.what.split(" (")[0]): i for i in items}


def test_response_to_referrer_skips_the_easter_weekend(tracker):
    c = tracker.add_contact(received_on="29/03/2018", agency="Police", category="enquiry")   # Maundy Thursday
    assert dl.response_due(c) == date(2018, 4, 3)                # not Good Friday, not Easter Monday
    items = kinds(tracker.due(as_of=EASTER_AS_OF))
    item = items[(c.reference, "respond to the referrer")]
    assert (item.due_on, item.days_overdue, item.state) == (date(2018, 4, 3), 1, "OVERDUE")
    tracker.record_response(c.reference, on="03/04/2018")
    assert (c.reference, "respond to the referrer") not in kinds(tracker.due(as_of=EASTER_AS_OF))


def test_jem_within_5_working_days_of_the_referral_over_easter(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    assert dl.jem_due(c) == date(2018, 4, 6)     # 29/03, 03/04, 04/04, 05/04, 06/04
    item = kinds(tracker.due(as_of=EASTER_AS_OF))[(c.reference, "JEM")]
    assert (item.due_on, item.state, item.days_overdue) == (date(2018, 4, 6), "DUE SOON", -2)


def test_the_escalation_date_counts_as_the_referral_date(tracker):
    c = tracker.add_contact(received_on="20/03/2018", agency="Police", category="consultation")
    assert dl.jem_due(c) is None
    c = tracker.escalate(c.reference, reason="further concerns", on="29/03/2018")
    assert c.referral_on == date(2018, 3, 29)
    assert dl.jem_due(c) == date(2018, 4, 9)     # 03/04 .. 06/04, then Monday 09/04


def test_jem_review_within_28_days_of_the_latest_meeting(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    c = tracker.record_meeting(c.reference, held_on="06/04/2018")
    assert dl.jem_review_due(c) == date(2018, 5, 4)
    items = kinds(tracker.due(as_of="01/05/2018"))
    assert (c.reference, "JEM") not in items
    assert items[(c.reference, "JEM review")].due_on == date(2018, 5, 4)
    c = tracker.record_meeting(c.reference, kind="jem_review", held_on="03/05/2018")
    assert dl.jem_review_due(c) == date(2018, 5, 31)


def test_employer_report_is_chased_20_working_days_after_the_request(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="School - Primary", category="consultation")
    c = tracker.request_employer_report(c.reference, on="29/03/2018")
    assert dl.employer_report_due(c) == date(2018, 4, 30)
    assert kinds(tracker.due(as_of="01/05/2018"))[(c.reference, "chase the employer's report")].days_overdue == 1
    tracker.record_employer_report(c.reference, received_on="01/05/2018")
    assert (c.reference, "chase the employer's report") not in kinds(tracker.due(as_of="01/05/2018"))


def test_meeting_actions_are_chased_until_done(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    tracker.record_meeting(c.reference, held_on="03/04/2018", actions=["Share the rota|Employer|10/04/2018"])
    item = kinds(tracker.due(as_of="12/04/2018"))[(c.reference, "meeting 1 action 1: Share the rota")]
    assert item.days_overdue == 2
    tracker.complete_meeting_action(c.reference, 1, 1, done_on="11/04/2018")
    assert not any("action" in i.what for i in tracker.due(as_of="12/04/2018"))


def test_resolution_targets_1_3_and_12_months(tracker):
    c = tracker.add_contact(received_on="31/01/2018", agency="Police", category="referral")
    assert [d for _, d in dl.resolution_targets(c.received_on)] == [
        date(2018, 2, 28), date(2018, 4, 30), date(2019, 1, 31)]      # relativedelta clips to the month's end
    due = {i.what: i for i in tracker.due(as_of="15/03/2018") if i.reference == c.reference}
    missed = due["resolve within 1 month of receipt"]
    assert missed.days_overdue == 15 and missed.detail == ""   # the first missed target, nothing before it
    due = {i.what: i for i in tracker.due(as_of="25/04/2018") if i.reference == c.reference}
    soon = due["resolve within 3 months of receipt"]
    assert soon.state == "DUE SOON" and "1 month (28/02/2018)" in soon.detail
    tracker.close_contact(c.reference, outcome="unfounded", closed_on="26/04/2018")
    assert not [i for i in tracker.due(as_of="25/04/2018") if i.reference == c.reference]


def test_retention_review_is_the_later_of_retirement_age_and_ten_years(tracker):
    young = tracker.add_contact(received_on="29/03/2018", agency="Police", category="enquiry",
                                subject_dob="29/02/1964")
    assert retention_review_on(young) == date(2031, 2, 28)          # 67th birthday, clipped
    old = tracker.add_contact(received_on="29/03/2018", agency="Police", category="enquiry",
                              subject_dob="01/02/1950")
    assert retention_review_on(old) == date(2028, 3, 29)            # 10 years from the allegation
    unknown = tracker.add_contact(received_on="29/03/2018", agency="Police", category="enquiry")
    assert retention_review_on(unknown) == date(2028, 3, 29)
    assert retention_review_on(tracker.contact_docs()[young.reference]) == date(2031, 2, 28)   # a stored doc too
    assert tracker.retention_review_on(young.reference) == date(2031, 2, 28)
    rules = DeadlineRules(retirement_age=68)
    assert retention_review_on(young, rules) == date(2032, 2, 29)


def test_retention_reviews_are_listed_apart_from_the_chase_list(tracker):
    c = tracker.add_contact(received_on="01/04/2008", agency="Police", category="enquiry")
    tracker.close_contact(c.reference, closed_on="02/04/2008")
    items = dl.retention_items(tracker.context, date(2018, 3, 28), 7)
    assert [(i.reference, i.due_on, i.state) for i in items] == [(c.reference, date(2018, 4, 1), "DUE SOON")]
    assert dl.retention_items(tracker.context, date(2018, 3, 20), 7) == []
    assert not [i for i in tracker.due(as_of="28/03/2018") if "retention" in i.what]   # casework only


def test_the_chase_list_is_most_urgent_first_and_derived_not_stored(tracker):
    a = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    b = tracker.add_contact(received_on="03/04/2018", agency="Police", category="referral")
    seq = tracker.store.last_seq
    items = tracker.due(as_of="12/04/2018")
    assert [i.days_overdue for i in items] == sorted((i.days_overdue for i in items), reverse=True)
    assert items[0].reference == a.reference and items[0].overdue
    assert {i.reference for i in items} == {a.reference, b.reference}
    later = tracker.due(as_of="20/04/2018")
    assert later[0].days_overdue > items[0].days_overdue     # the same store, a later day: more overdue
    assert tracker.store.last_seq == seq                      # nothing was written
    d = items[0].to_dict()
    assert set(d) >= {"reference", "what", "due", "days_overdue"} and d["due"] == items[0].due_on.isoformat()


def test_rules_are_configurable_and_checked(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    assert tracker.deadline_rules() == DeadlineRules()
    rules = tracker.set_deadline_rules(jem="3 working days", employer_report="15 working days")
    assert dl.jem_due(c, rules) == date(2018, 4, 4)
    assert kinds(tracker.due(as_of=EASTER_AS_OF))[(c.reference, "JEM")].due_on == date(2018, 4, 4)
    assert tracker.settings["deadlines"] == {"jem": "3 working days", "employer_report": "15 working days"}
    seq = tracker.store.last_seq
    with pytest.raises(ValidationError, match="deadlines.jem_review"):
        tracker.set_deadline_rules(jem_review="soon")
    with pytest.raises(ValidationError, match="shortest to longest"):
        tracker.set_deadline_rules(resolution="3 months, 1 month, 12 months")
    with pytest.raises(ValidationError, match="a deadline rule"):
        tracker.set_deadline_rules(jme="5 working days")
    assert tracker.store.last_seq == seq
    tracker.set_deadline_rules(jem="5 working days")
    assert "jem" not in tracker.settings["deadlines"]      # back to the default
