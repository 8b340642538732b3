"""LADO deadline rules at their edges: the text of a chase item, the resolution target picked on its
due day and after, the limits of the settings, and the retention pre-filter (which must never drop a
contact whose review has come)."""

from datetime import date, timedelta

import pytest

from safeguard_tracker.dates import add_period
from safeguard_tracker.errors import ValidationError
from safeguard_tracker.lado import deadlines as dl
from safeguard_tracker.lado.deadlines import DeadlineRules


def by_what(items):
    return {i.what.split(" (")[0]: i for i in items}


def test_chase_items_name_their_rule_in_words(tracker):
    c = tracker.add_contact(received_on="28/03/2018", agency="Police", category="referral")
    c = tracker.request_employer_report(c.reference, on="29/03/2018")
    whats = {i.what for i in tracker.contact_due(c, within_days=60)}
    assert "respond to the referrer (1 working day)" in whats
    assert "JEM (5 working days from referral)" in whats
    assert "chase the employer's report (20 working days from request)" in whats
    tracker.set_deadline_rules(response="2 days", jem="1 week")
    whats = {i.what for i in tracker.contact_due(tracker.get_contact(c.reference), within_days=60)}
    assert "respond to the referrer (2 days)" in whats and "JEM (1 week from referral)" in whats


def test_a_resolution_target_due_today_is_the_one_chased_not_the_next(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="consultation")
    # the 1 month target is 05/02/2018; with a 70-day window the 3 month target (05/04) is in view too
    items = by_what(dl.contact_items(c, date(2018, 2, 5), 70))
    item = items["resolve within 1 month of receipt"]
    assert (item.due_on, item.detail) == (date(2018, 2, 5), "")
    assert "resolve within 3 months of receipt" not in items


def test_a_resolution_target_exactly_at_the_end_of_the_window_is_listed(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="consultation")
    items = by_what(dl.contact_items(c, date(2018, 1, 29), 7))           # 29/01 + 7 days = 05/02
    assert items["resolve within 1 month of receipt"].due_on == date(2018, 2, 5)
    assert "resolve within 1 month of receipt" not in by_what(dl.contact_items(c, date(2018, 1, 28), 7))


def test_after_two_missed_targets_the_latest_is_chased_and_the_earlier_named(tracker):
    c = tracker.add_contact(received_on="05/01/2018", agency="Police", category="consultation")
    item = by_what(dl.contact_items(c, date(2018, 6, 1), 7))["resolve within 3 months of receipt"]
    assert (item.due_on, item.detail) == (date(2018, 4, 5), "missed: 1 month (05/02/2018)")


def test_the_default_rules_are_domain_mds():
    rules = DeadlineRules()
    assert (rules.response, rules.jem, rules.jem_review, rules.employer_report) == (
        "1 working day", "5 working days", "28 days", "20 working days")
    assert rules.resolution == ("1 month", "3 months", "12 months")
    assert rules.resolution_percent == (80, 90, 100)
    assert (rules.false_malicious, rules.retention_minimum, rules.retirement_age) == ("1 week", "10 years", 67)
    assert DeadlineRules().to_settings() == {}


@pytest.mark.parametrize("age", [16, 80])
def test_retirement_age_from_16_to_80_is_accepted(age):
    assert DeadlineRules(retirement_age=age).retirement_age == age


@pytest.mark.parametrize("age", [15, 81])
def test_retirement_age_outside_16_to_80_is_refused(age):
    with pytest.raises(ValidationError):
        DeadlineRules(retirement_age=age)


def test_resolution_periods_must_run_from_shortest_to_longest():
    assert DeadlineRules(resolution="2 weeks, 1 month", resolution_percent=(50, 90)).resolution == ("2 weeks", "1 month")
    for bad in ("3 months, 1 month", "1 month, 4 weeks, 3 months", "1 month, 1 month", ""):
        with pytest.raises(ValidationError):
            DeadlineRules(resolution=bad, resolution_percent=(50,) * len([p for p in bad.split(",") if p.strip()]))


@pytest.mark.parametrize("period, expected", [
    ("5 working days", date(2018, 3, 29)),   # Monday 09/04/2018, back over Easter: 06, 05, 04, 03/04, 29/03
    ("3 days", date(2018, 4, 6)),
    ("2 weeks", date(2018, 3, 26)),
    ("1 month", date(2018, 3, 9)),
    ("10 years", date(2008, 4, 9)),
])
def test_before_is_the_inverse_of_add_period(period, expected):
    assert dl._before(date(2018, 4, 9), period) == expected
    assert add_period(expected, period) <= date(2018, 4, 9) + timedelta(days=3)


@pytest.mark.parametrize("rule, received, review", [
    ("10 years", "29/02/2008", date(2018, 2, 28)),         # a leap day: the review is a day "early"
    ("1 month", "31/01/2018", date(2018, 2, 28)),          # a month end: three days "early"
    ("1 working day", "26/12/2017", date(2017, 12, 27)),   # Boxing Day: after four days off
    ("1 working day", "30/03/2018", date(2018, 4, 3)),     # Good Friday
    ("3 weeks", "05/01/2018", date(2018, 1, 26)),
])
def test_the_retention_pre_filter_never_drops_a_contact_whose_review_has_come(tracker, rule, received, review):
    tracker.set_deadline_rules(retention_minimum=rule)
    c = tracker.add_contact(received_on=received, agency="Police", category="enquiry")
    tracker.close_contact(c.reference, outcome="advice_given", closed_on=received)
    assert tracker.retention_review_on(c.reference) == review
    for as_of, within in ((review, 0), (review - timedelta(days=2), 2), (review + timedelta(days=30), 0)):
        refs = [i.reference for i in dl.retention_items(tracker.context, as_of, within)]
        assert refs == [c.reference], (as_of, within)
    assert dl.retention_items(tracker.context, review - timedelta(days=1), 0) == []
