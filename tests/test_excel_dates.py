"""Excel's serial date numbers (issue 12): a date cell formatted as a number holds 43191 for 01/04/2018.

``parse_date`` reads a bare whole number as an Excel serial date in the 1900 date system (with
Excel's 29/02/1900, serial 60), only from 1920 to 2099 so that a typing mistake (12, 123) is still
refused; the contacts import reads such cells through the same rule, each distinct cell once.
"""

from __future__ import annotations

from datetime import date

import pytest

from safeguard_tracker import dates
from safeguard_tracker.dates import PLAUSIBLE_SERIALS, from_excel_serial, parse_date
from safeguard_tracker.errors import ImportFailed, ValidationError


@pytest.mark.parametrize("serial, day", [(1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (61, date(1900, 3, 1)),
                                         (43191, date(2018, 4, 1)), (45000, date(2023, 3, 15)),
                                         (43191.75, date(2018, 4, 1)), (2958465, date(9999, 12, 31))])
def test_excel_serials_in_the_1900_date_system(serial, day):
    assert from_excel_serial(serial) == day


@pytest.mark.parametrize("serial", [0, 60, 2958466, -1, True])
def test_serials_that_are_no_day(serial):
    # 60 is Excel's 29/02/1900, which never was; 0 and past 31/12/9999 are outside the system
    with pytest.raises(ValueError):
        from_excel_serial(serial)


@pytest.mark.parametrize("text, day", [("43191", date(2018, 4, 1)), ("43191.0", date(2018, 4, 1)),
                                       (" 45000 ", date(2023, 3, 15)), ("7306", date(1920, 1, 1)),
                                       ("73050", date(2099, 12, 31)), (43191, date(2018, 4, 1)),
                                       (43191.0, date(2018, 4, 1))])
def test_parse_date_reads_an_excel_serial_in_the_plausible_range(text, day):
    assert parse_date(text, "received") == day


@pytest.mark.parametrize("text", ["123", "12", "60", "61", "2018", "7305", "73051", "99999", "43191.5", "0"])
def test_parse_date_refuses_other_bare_numbers_and_says_excel_numbers_are_accepted(text):
    with pytest.raises(ValidationError) as err:
        parse_date(text, "received", row=4)
    message = str(err.value)
    assert "received" in message and text in message and "Excel date number" in message
    assert err.value.row == 4


def test_the_plausible_range_is_1920_to_2099():
    low, high = PLAUSIBLE_SERIALS
    assert from_excel_serial(low) == date(1920, 1, 1) and from_excel_serial(high) == date(2099, 12, 31)


@pytest.mark.parametrize("text, day", [("2018-04-01 09:30", date(2018, 4, 1)), ("2018-04-01T09:30:15", date(2018, 4, 1)),
                                       ("2018-04-12 00:00:00", date(2018, 4, 12))])
def test_a_spreadsheets_date_and_time_is_read_year_first(text, day):
    # dateutil's dayfirst would read 2018-04-01 09:30 as 4 January
    assert parse_date(text) == day


def test_what_was_read_before_is_read_the_same():
    assert parse_date("05/01/2018") == date(2018, 1, 5)
    assert parse_date("2018-01-05") == date(2018, 1, 5)
    assert parse_date("5 Jan 2018") == date(2018, 1, 5)
    assert parse_date("050118") == date(2018, 1, 5)              # six digits: not a serial, read as before
    assert parse_date("today", today=date(2018, 6, 15)) == date(2018, 6, 15)


CSV = ("reference,received,agency,category,summary,closed,outcome,employer_report_requested,"
       "employer_report_received\r\n"
       "L-2018-0001,43191,Police,enquiry,Shouted at a pupil,,,,\r\n"
       "L-2018-0002,43191.0,Police,consultation,Left a pupil alone,43230,unsubstantiated,43192,43220\r\n"
       "L-2018-0003,01/04/2018,Police,enquiry,Late to collect,,,,\r\n")


def test_a_contacts_csv_with_serial_dates_imports(tracker, tmp_path):
    path = tmp_path / "serials.csv"
    path.write_text(CSV, encoding="utf-8", newline="")
    result = tracker.import_contacts(path)
    assert len(result.added) == 3
    one, two, three = (tracker.get_contact(f"L-2018-000{i}") for i in (1, 2, 3))
    assert one.received_on == two.received_on == three.received_on == date(2018, 4, 1)
    assert two.closed_on == date(2018, 5, 10) and two.employer_report_received_on == date(2018, 4, 30)


def test_a_serial_typo_in_a_csv_is_refused_by_row(tracker, tmp_path):
    path = tmp_path / "typo.csv"
    path.write_text("received,agency,category\r\n4319,Police,enquiry\r\n43191,Police,enquiry\r\n",
                    encoding="utf-8", newline="")
    with pytest.raises(ImportFailed) as err:
        tracker.import_contacts(path)
    [problem] = err.value.problems
    assert problem.startswith("row 2: received '4319'") and "Excel date number" in problem
    assert tracker.contacts() == []


def test_the_import_converts_each_distinct_serial_once(tracker, tmp_path, monkeypatch):
    calls: list[str] = []
    real = dates._serial_date
    monkeypatch.setattr(dates, "_serial_date", lambda text: calls.append(text) or real(text))
    rows = "".join(f"{43191 + i % 3},Police,enquiry,Row {i}\r\n" for i in range(30))
    path = tmp_path / "many.csv"
    path.write_text("received,agency,category,summary\r\n" + rows, encoding="utf-8", newline="")
    tracker.import_contacts(path)
    assert len(tracker.contacts()) == 30
    assert sorted(calls) == ["43191", "43192", "43193"]
