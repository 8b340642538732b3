"""Working days over England's bank holidays, counted both ways."""

from datetime import date

from safeguard_tracker.dates import add_working_days, working_days_between


def test_working_days_between_skips_the_easter_weekend():
    # Thursday 29/03/2018 to Tuesday 03/04/2018: Good Friday, the weekend and Easter Monday do not count
    assert working_days_between(date(2018, 3, 29), date(2018, 4, 3)) == 1
    assert working_days_between(date(2018, 4, 3), date(2018, 3, 29)) == -1
    assert add_working_days(date(2018, 3, 29), 1) == date(2018, 4, 3)
