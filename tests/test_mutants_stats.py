"""The annual statistics on a small hand-made year whose every figure is known: the first and last
day of each year, each month's column, a contact closed exactly on each target, a false allegation
closed exactly a week after it was received, and every reconciliation message."""

from datetime import date

import pytest

from safeguard_tracker.lado.statistics import lado_statistics
from safeguard_tracker.model import (
    Category,
    CategoryChange,
    CategoryDecision,
    Contact,
    Harm,
    Outcome,
)

TODAY = date(2018, 6, 15)
D = date


def _c(ref, received, category, closed=None, outcome=None, agency="Police", escalated=False):
    history = ()
    if escalated:
        history = (CategoryDecision(on=received, user="t", kind=CategoryChange.CATEGORISED, to=Category.CONSULTATION,
                                    rationale="practice issue"),
                   CategoryDecision(on=received, user="t", kind=CategoryChange.ESCALATED, to=Category.REFERRAL,
                                    rationale="a second pupil", from_=Category.CONSULTATION))
    return Contact(reference=ref, received_on=received, agency=agency, category=category, harm=Harm.PHYSICAL,
                   closed_on=closed, outcome=outcome, category_history=history)


R, C, E = Category.REFERRAL, Category.CONSULTATION, Category.ENQUIRY
YEAR = [
    _c("L-2017-0001", D(2017, 4, 1), R, D(2017, 4, 8), Outcome.FALSE),           # first day; false, exactly 1 week
    _c("L-2017-0002", D(2018, 3, 31), C),                                           # last day; still open
    _c("L-2017-0003", D(2018, 1, 15), R, D(2018, 2, 15), Outcome.SUBSTANTIATED, escalated=True),  # exactly 1 month
    _c("L-2017-0004", D(2017, 5, 10), R, D(2017, 5, 18), Outcome.MALICIOUS),      # malicious, 8 days: late
    _c("L-2017-0005", D(2017, 6, 1), R, D(2017, 9, 1), None),                      # no outcome; exactly 3 months
    _c("L-2017-0006", D(2017, 6, 2), E, D(2017, 7, 1), Outcome.ADVICE_GIVEN, agency="Martian Embassy"),
    _c("L-2017-0007", D(2017, 10, 10), E, D(2017, 10, 1), Outcome.ADVICE_GIVEN),   # closed before received
    _c("L-2017-0008", D(2017, 4, 5), C, D(2018, 4, 6), Outcome.NO_FURTHER_ACTION),  # a day over 12 months
]
OTHERS = [
    _c("L-2016-0001", D(2017, 3, 31), E, D(2017, 4, 3), Outcome.ADVICE_GIVEN),   # the comparison year's last day
    _c("L-2016-0002", D(2016, 4, 1), E, D(2016, 4, 3), Outcome.ADVICE_GIVEN),    # and its first
    _c("L-2018-0001", D(2018, 4, 1), E),                                          # the next year
    _c("L-2015-0001", D(2016, 3, 31), E, D(2016, 4, 1), Outcome.ADVICE_GIVEN),   # the year before
]


@pytest.fixture
def stats(tracker):
    tracker.add_contacts(YEAR + OTHERS)
    return lado_statistics(tracker.context, "2017-18", as_of=TODAY)


def test_every_figure_of_the_hand_made_year(stats):
    assert (stats.total_contacts, stats.compare_year, stats.compare_total) == (8, "2016-17", 2)
    assert stats.change_percent == 300.0
    assert stats.by_category == {"enquiry": 2, "consultation": 2, "referral": 4}
    assert (stats.referral_percent, stats.escalated) == (50.0, 1)
    assert stats.outcomes == {"substantiated": 1, "false": 1, "malicious": 1, "unsubstantiated": 0,
                              "unfounded": 0, "open": 0}
    assert stats.timescales == {"within_1_month": 5, "within_3_months": 1, "within_12_months": 0,
                                "over_12_months": 1, "open": 1}
    assert [(t.key, t.resolved, t.percent, t.target_percent) for t in stats.targets] == [
        ("within_1_month", 5, 62.5, 80), ("within_3_months", 6, 75.0, 90), ("within_12_months", 6, 75.0, 100)]
    assert (stats.false_or_malicious, stats.false_or_malicious_in_time) == (2, 1)
    assert stats.by_harm["physical"] == 8
    police = next(r for r in stats.by_agency if r.agency == "Police")
    assert (police.count, police.compare_count) == (7, 2)
    assert sum(r.count for r in stats.by_agency) == 7


def test_each_month_has_its_own_column_april_first(stats):
    months = {m: (n, cn) for m, n, cn in stats.by_month}
    assert [m for m, _, _ in stats.by_month][:2] == ["Apr", "May"] and stats.by_month[-1][0] == "Mar"
    assert months == {"Apr": (2, 1), "May": (1, 0), "Jun": (2, 0), "Jul": (0, 0), "Aug": (0, 0), "Sep": (0, 0),
                      "Oct": (1, 0), "Nov": (0, 0), "Dec": (0, 0), "Jan": (1, 0), "Feb": (0, 0), "Mar": (1, 1)}


def test_every_reconciliation_message_and_no_other(stats):
    assert list(stats.reconciliation) == [
        ("2017-18: 1 contact(s) have an agency that is not in the taxonomy, so they are in the total (8) but in "
         "no agency row: 'Martian Embassy' (1)"),
        "2017-18: 1 closed referral(s) have no allegation outcome (none (1)), so outcomes sum to 3, not 4",
        "2017-18: 1 contact(s) are closed before they were received: L-2017-0007",
        "2017-18: 1 contact(s) were still open on 15/06/2018; their timescales are not final",
    ]


def test_a_stated_total_that_differs_is_explained(tracker):
    tracker.add_contacts(YEAR + OTHERS)
    notes = lado_statistics(tracker.context, "2017-18", as_of=TODAY, stated_totals={"2017-18": 9, "2016-17": 1}).reconciliation
    assert notes[0] == ("2017-18: the stated total is 9, but 8 contacts were received in the year (the agency rows "
                        "sum to 7): 1 fewer in the records than stated. With the stated total, the change on 2016-17 "
                        "would be +800.0% (from the records: +300.0%)")
    assert notes[1] == ("2016-17: the stated total is 1, but 2 contacts were received in the year (the agency rows "
                        "sum to 2): 1 more in the records than stated")


def test_a_year_not_over_says_so_and_an_empty_comparison_year_too(tracker):
    tracker.add_contacts(YEAR[:1])
    notes = lado_statistics(tracker.context, "2017-18", as_of=D(2018, 3, 31)).reconciliation
    assert notes == ("2016-17: no contacts are recorded, so there is no change to report",
                     "2017-18 is not over: figures are to 31/03/2018")


def test_an_odd_outcome_on_a_closed_referral_is_named(tracker):
    tracker.add_contacts([_c("L-2017-0001", D(2017, 5, 1), R, D(2017, 5, 2), Outcome.ADVICE_GIVEN),
                          _c("L-2017-0002", D(2017, 5, 1), R, D(2017, 5, 2), None)])
    notes = lado_statistics(tracker.context, "2017-18", as_of=TODAY).reconciliation
    assert ("2017-18: 2 closed referral(s) have no allegation outcome (advice_given (1), none (1)), so outcomes "
            "sum to 0, not 2") in notes


def test_more_than_ten_contacts_closed_early_are_cut_at_ten(tracker):
    tracker.add_contacts([_c(f"L-2017-{i:04d}", D(2017, 5, 10), E, D(2017, 5, 1), Outcome.ADVICE_GIVEN)
                          for i in range(1, 12)])
    (note,) = [n for n in lado_statistics(tracker.context, "2017-18", as_of=TODAY).reconciliation if "closed before" in n]
    assert note == ("2017-18: 11 contact(s) are closed before they were received: "
                    + ", ".join(f"L-2017-{i:04d}" for i in range(1, 11)) + " ...")


def test_open_contacts_are_counted_in_the_still_open_note(tracker):
    tracker.add_contacts([_c("L-2017-0001", D(2017, 5, 1), E), _c("L-2017-0002", D(2017, 6, 1), E),
                          _c("L-2016-0001", D(2016, 5, 1), E, D(2016, 5, 2), Outcome.ADVICE_GIVEN)])
    notes = lado_statistics(tracker.context, "2017-18", as_of=TODAY).reconciliation
    assert notes == ("2017-18: 2 contact(s) were still open on 15/06/2018; their timescales are not final",)


def test_closed_referrals_without_an_outcome_are_counted_together(tracker):
    tracker.add_contacts([_c(f"L-2017-000{i}", D(2017, 5, 1), R, D(2017, 5, 2), None) for i in (1, 2, 3)])
    notes = lado_statistics(tracker.context, "2017-18", as_of=TODAY).reconciliation
    assert ("2017-18: 3 closed referral(s) have no allegation outcome (none (3)), so outcomes sum to 0, not 3"
            in notes)
