"""Working days over England's bank holidays, counted both ways."""

from datetime import date, timedelta

import pytest

from safeguard_tracker.dates import add_working_days, working_days_between
from safeguard_tracker.errors import ValidationError


def test_working_days_between_skips_the_easter_weekend():
    # Thursday 29/03/2018 to Tuesday 03/04/2018: Good Friday, the weekend and Easter Monday do not count
    assert working_days_between(date(2018, 3, 29), date(2018, 4, 3)) == 1
    assert working_days_between(date(2018, 4, 3), date(2018, 3, 29)) == -1
    assert add_working_days(date(2018, 3, 29), 1) == date(2018, 4, 3)


# --- the ends of a count, and counting backwards (England's bank holidays: Easter 2018 is Good Friday
# 30/03/2018 and Easter Monday 02/04/2018; Christmas 2017 is Monday 25 and Tuesday 26/12/2017) -----------

THU_29_MAR, GOOD_FRIDAY, SAT_31_MAR = date(2018, 3, 29), date(2018, 3, 30), date(2018, 3, 31)
EASTER_MONDAY, TUE_3_APR = date(2018, 4, 2), date(2018, 4, 3)


def test_working_days_between_counts_the_end_day_and_not_the_start_day():
    # Friday 06/04/2018 to Monday 09/04/2018 over a weekend: only the Monday counts
    assert working_days_between(date(2018, 4, 6), date(2018, 4, 9)) == 1
    # starting on a non-working day (Saturday, then Good Friday, then Easter Monday): the start never counts
    assert working_days_between(SAT_31_MAR, TUE_3_APR) == 1
    assert working_days_between(GOOD_FRIDAY, TUE_3_APR) == 1
    assert working_days_between(EASTER_MONDAY, TUE_3_APR) == 1
    assert working_days_between(date(2018, 4, 7), date(2018, 4, 9)) == 1          # Saturday to Monday
    # ending on a non-working day: nothing after the last working day counts
    assert working_days_between(THU_29_MAR, GOOD_FRIDAY) == 0
    assert working_days_between(THU_29_MAR, EASTER_MONDAY) == 0
    assert working_days_between(date(2018, 3, 28), EASTER_MONDAY) == 1             # only Thursday 29
    assert working_days_between(date(2018, 4, 5), date(2018, 4, 7)) == 1           # Thursday to Saturday
    # over Christmas 2017: Friday 22/12 to Wednesday 27/12 is one working day (the 27th)
    assert working_days_between(date(2017, 12, 22), date(2017, 12, 27)) == 1
    assert working_days_between(date(2017, 12, 22), date(2017, 12, 26)) == 0


def test_working_days_between_the_same_day_is_zero_working_or_not():
    for d in (THU_29_MAR, GOOD_FRIDAY, SAT_31_MAR, EASTER_MONDAY, TUE_3_APR):
        assert working_days_between(d, d) == 0


def test_working_days_between_backwards_is_the_negative_of_forwards():
    days = [date(2018, 3, 24) + timedelta(days=i) for i in range(20)]      # Saturday 24/03 to Thursday 12/04
    for a in days:
        for b in days:
            assert working_days_between(a, b) == -working_days_between(b, a), (a, b)
    assert working_days_between(TUE_3_APR, SAT_31_MAR) == -1
    assert working_days_between(EASTER_MONDAY, THU_29_MAR) == 0


def test_working_days_between_agrees_with_a_plain_count_over_easter():
    days = [date(2018, 3, 24) + timedelta(days=i) for i in range(20)]
    holidays_2018 = {GOOD_FRIDAY, EASTER_MONDAY}
    for a in days:
        for b in days:
            if b < a:
                continue
            plain = sum(1 for i in range(1, (b - a).days + 1)
                        if (a + timedelta(days=i)).weekday() < 5 and a + timedelta(days=i) not in holidays_2018)
            assert working_days_between(a, b) == plain, (a, b)


def test_adding_n_working_days_is_n_working_days_between_from_any_start():
    for i in range(20):
        start = date(2018, 3, 24) + timedelta(days=i)
        for n in range(8):
            assert working_days_between(start, add_working_days(start, n)) == n, (start, n)
            if start.weekday() < 5 and start not in (GOOD_FRIDAY, EASTER_MONDAY):
                # backwards the count is of the days after the earlier date up to the start, so from a
                # working day only
                assert working_days_between(start, add_working_days(start, -n)) == -n, (start, -n)


def test_a_negative_count_lands_before_the_start():
    assert add_working_days(TUE_3_APR, -1) == THU_29_MAR                  # back over Easter Monday and Good Friday
    assert add_working_days(TUE_3_APR, -2) == date(2018, 3, 28)
    assert add_working_days(date(2018, 4, 9), -1) == date(2018, 4, 6)     # Monday back to Friday
    assert add_working_days(date(2018, 4, 10), -2) == date(2018, 4, 6)
    # from a non-working day: the nearest working day before it is the first
    assert add_working_days(EASTER_MONDAY, -1) == THU_29_MAR
    assert add_working_days(SAT_31_MAR, -1) == THU_29_MAR
    assert add_working_days(date(2017, 12, 27), -1) == date(2017, 12, 22)  # back over Christmas
    for n in range(1, 12):
        assert add_working_days(TUE_3_APR, -n) < TUE_3_APR


def test_zero_working_days_is_the_start_itself_even_on_a_holiday():
    for d in (GOOD_FRIDAY, SAT_31_MAR, TUE_3_APR):
        assert add_working_days(d, 0) == d


def test_forward_and_back_again_returns_to_a_working_day():
    start = date(2018, 3, 20)
    for i in range(25):
        d = start + timedelta(days=i)
        if d.weekday() >= 5 or d in (GOOD_FRIDAY, EASTER_MONDAY):
            continue
        for n in range(1, 8):
            assert add_working_days(add_working_days(d, n), -n) == d, (d, n)
            assert add_working_days(add_working_days(d, -n), n) == d, (d, n)


# --- periods, reading dates, financial years -------------------------------------------------------------

def test_periods_are_read_in_every_unit():
    from safeguard_tracker.dates import parse_period
    assert parse_period("5 working days") == (5, "working_days")
    assert parse_period("1 working day") == (1, "working_days")
    assert parse_period("3 wd") == (3, "working_days")
    assert parse_period("28 days") == (28, "days") and parse_period("1d") == (1, "days")
    assert parse_period("2 weeks") == (2, "weeks") and parse_period("1 w") == (1, "weeks")
    assert parse_period("3 Months") == (3, "months") and parse_period("12m") == (12, "months")
    assert parse_period("1 year") == (1, "years") and parse_period("10 y") == (10, "years")


@pytest.mark.parametrize("text", ["", "five days", "3 fortnights", "-2 days", "2"])
def test_a_period_that_is_not_one_is_refused_naming_the_field(text):
    from safeguard_tracker.dates import parse_period
    with pytest.raises(ValidationError) as e:
        parse_period(text, "deadlines.jem")
    assert e.value.field == "deadlines.jem"


def test_add_period_in_every_unit():
    from safeguard_tracker.dates import add_months, add_period
    start = date(2018, 1, 31)
    assert add_period(start, "1 month") == date(2018, 2, 28)                 # the end of a shorter month
    assert add_period(start, (1, "months")) == date(2018, 2, 28)
    assert add_period(start, "3 months") == date(2018, 4, 30)
    assert add_period(start, "28 days") == date(2018, 2, 28)
    assert add_period(start, "2 weeks") == date(2018, 2, 14)
    assert add_period(date(2016, 2, 29), "1 year") == date(2017, 2, 28)
    assert add_period(THU_29_MAR, "1 working day") == TUE_3_APR
    assert add_period(THU_29_MAR, "0 days") == THU_29_MAR
    assert add_months(start, 1) == date(2018, 2, 28) and add_months(start, -2) == date(2017, 11, 30)


def test_dates_are_read_day_first_and_by_word():
    from safeguard_tracker.dates import parse_date
    today = date(2018, 6, 15)
    assert parse_date("05/01/2018") == date(2018, 1, 5)
    assert parse_date("2018-01-05") == date(2018, 1, 5)
    assert parse_date(" 2018-01-05 ") == date(2018, 1, 5)
    assert parse_date("5 Jan 2018") == date(2018, 1, 5)
    assert parse_date("today", today=today) == today
    assert parse_date("Yesterday", today=today) == date(2018, 6, 14)
    assert parse_date("tomorrow", today=today) == date(2018, 6, 16)
    assert parse_date(date(2018, 1, 5)) == date(2018, 1, 5)
    from datetime import datetime
    assert parse_date(datetime(2018, 1, 5, 23, 59)) == date(2018, 1, 5)
    assert parse_date("", required=False) is None and parse_date(None, required=False) is None
    # a date without a year is in today's year; a month and year alone is the first of the month
    assert parse_date("05/01", today=today) == date(2018, 1, 5)
    assert parse_date("March 2018", today=today) == date(2018, 3, 1)


@pytest.mark.parametrize("value", ["", None, "   ", "31/02/2018", "someday", "2018-02-31"])
def test_a_missing_or_impossible_date_is_refused_naming_the_field_and_row(value):
    from safeguard_tracker.dates import parse_date
    with pytest.raises(ValidationError) as e:
        parse_date(value, "received", row=7)
    assert (e.value.field, e.value.row) == ("received", 7)


def test_financial_years_run_from_april_to_march():
    from safeguard_tracker.dates import financial_year_bounds, financial_year_of
    assert financial_year_of(date(2018, 3, 31)) == "2017-18"
    assert financial_year_of(date(2018, 4, 1)) == "2018-19"
    assert financial_year_of(date(2017, 4, 1)) == "2017-18"
    assert financial_year_of(date(2017, 12, 31)) == "2017-18"
    assert financial_year_of(date(2000, 1, 1)) == "1999-00"
    assert financial_year_of(date(2009, 5, 1)) == "2009-10"
    assert financial_year_bounds("2017-18") == (date(2017, 4, 1), date(2018, 3, 31))
    assert financial_year_bounds("2017/18") == (date(2017, 4, 1), date(2018, 3, 31))
    assert financial_year_bounds("2017-2018") == (date(2017, 4, 1), date(2018, 3, 31))
    assert financial_year_bounds(" 2017 \u2013 18 ") == (date(2017, 4, 1), date(2018, 3, 31))
    assert financial_year_bounds("1999-00") == (date(1999, 4, 1), date(2000, 3, 31))
    assert financial_year_bounds("1999-2000") == (date(1999, 4, 1), date(2000, 3, 31))
    assert financial_year_bounds("1980-81") == (date(1980, 4, 1), date(1981, 3, 31))
    assert financial_year_bounds("2099-00") == (date(2099, 4, 1), date(2100, 3, 31))


@pytest.mark.parametrize("year", ["2017-17", "2017-19", "2017-2019", "2017", "17-18", "2017-16", "next year"])
def test_a_financial_year_that_is_not_one_is_refused(year):
    from safeguard_tracker.dates import financial_year_bounds
    with pytest.raises(ValidationError) as e:
        financial_year_bounds(year, "year")
    assert e.value.field == "year"


def test_financial_years_are_normalised_and_stepped_back():
    from safeguard_tracker.dates import (
        normalise_financial_year,
        previous_financial_year,
    )
    assert normalise_financial_year("2017/2018") == "2017-18"
    assert normalise_financial_year("1999-2000") == "1999-00"
    assert previous_financial_year("2017-18") == "2016-17"
    assert previous_financial_year("2000-01") == "1999-00"
    assert previous_financial_year("2018/19") == "2017-18"


def test_dates_are_shown_day_first():
    from safeguard_tracker.dates import fmt
    assert fmt(date(2018, 1, 5)) == "05/01/2018" and fmt(None) == ""


def test_bank_holidays_are_englands():
    from safeguard_tracker.dates import is_bank_holiday, is_working_day
    assert is_bank_holiday(GOOD_FRIDAY) and is_bank_holiday(EASTER_MONDAY)
    assert is_bank_holiday(date(2018, 8, 27))            # England's summer holiday, not Scotland's 06/08
    assert not is_bank_holiday(date(2018, 8, 6)) and not is_bank_holiday(date(2018, 3, 17))  # nor St Patrick's
    assert not is_working_day(GOOD_FRIDAY) and not is_working_day(SAT_31_MAR)
    assert not is_working_day(date(2018, 4, 1))          # a Sunday
    assert is_working_day(THU_29_MAR) and is_working_day(date(2018, 4, 6))   # a Friday
