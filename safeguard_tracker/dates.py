"""Every date rule in one place.

Working days skip weekends and England's bank holidays (the ``holidays``
package, which knows one-off days such as coronations).  Calendar periods use
``relativedelta`` ("3 months after" 31 January is 28/29 February).  Dates are
read day-first, as written in England: "05/01/2018" is 5 January.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from dateutil import parser as _dateparser
from dateutil.relativedelta import relativedelta

from .errors import ValidationError

DATE_HELP = "a date such as 05/01/2018 (day first), 2018-01-05, 'today' or 'yesterday'"
# What a date cell may hold besides: the number Excel stores a date as, when the cell is formatted as a number.
DATE_OR_SERIAL_HELP = DATE_HELP + ", or an Excel date number (43191 is 01/04/2018)"

# Excel's 1900 date system: serial 1 is 01/01/1900 and 2958465 is 31/12/9999; serial 60 is the
# 29/02/1900 that Lotus 1-2-3 invented and Excel kept, so serials from 61 on count from 30/12/1899.
EXCEL_SERIAL_MAX = 2958465
_EXCEL_EPOCH = date(1899, 12, 30)
# A bare number read as a date is an Excel serial only from 1920 to 2099; any other (12, 123, 2018)
# is a typing mistake, and is refused rather than guessed at.
PLAUSIBLE_SERIALS = (7306, 73050)            # 01/01/1920 .. 31/12/2099
_SERIAL = re.compile(r"^\d{1,5}(?:\.0*)?$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")


@lru_cache(maxsize=None)
def _england_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(d: date) -> bool:
    return d in _england_holidays(d.year)


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and not is_bank_holiday(d)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (start itself does not count)."""
    d = start
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        d += timedelta(days=step)
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    d = start
    while d < end:
        d += timedelta(days=1)
        if is_working_day(d):
            count += 1
    return count


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day (31 January + 1 -> 28/29 February)."""
    later: date = start + relativedelta(months=months)
    return later


_PERIOD = re.compile(
    r"^\s*(\d+)\s*(working\s+days?|work\s*days?|wd|days?|d|weeks?|w|months?|m|years?|y)\s*$",
    re.IGNORECASE,
)


def parse_period(text: str, field: str = "period") -> tuple[int, str]:
    """'5 working days' -> (5, 'working_days'); '3 months' -> (3, 'months')."""
    m = _PERIOD.match(str(text))
    if not m:
        raise ValidationError(field, text, "a period such as '5 working days', '28 days', '2 weeks', '3 months' or '1 year'")
    n, unit = int(m.group(1)), m.group(2).lower()
    if unit.startswith("w") and ("work" in unit or unit == "wd"):
        return n, "working_days"
    if unit.startswith("d"):
        return n, "days"
    if unit.startswith("w"):
        return n, "weeks"
    if unit.startswith("m"):
        return n, "months"
    return n, "years"


def add_period(start: date, period: str | tuple[int, str]) -> date:
    n, unit = parse_period(period) if isinstance(period, str) else period
    if unit == "working_days":
        return add_working_days(start, n)
    if unit == "days":
        return start + timedelta(days=n)
    if unit == "weeks":
        return start + timedelta(weeks=n)
    later: date = start + relativedelta(months=n) if unit == "months" else start + relativedelta(years=n)
    return later


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def from_excel_serial(serial: int | float) -> date:
    """The day an Excel serial date number stands for (the 1900 date system; a time of day, the
    fraction, is dropped).  ValueError for 60 (29/02/1900, a day that never was) and outside 1..2958465.

    >>> from_excel_serial(43191), from_excel_serial(61), from_excel_serial(59)
    (datetime.date(2018, 4, 1), datetime.date(1900, 3, 1), datetime.date(1900, 2, 28))
    """
    if isinstance(serial, bool) or not 1 <= serial < EXCEL_SERIAL_MAX + 1:
        raise ValueError(f"{serial} is not an Excel date number (1 to {EXCEL_SERIAL_MAX})")
    day = int(serial)
    if day == 60:
        raise ValueError("60 is Excel's 29/02/1900, a day that never was")
    return _EXCEL_EPOCH + timedelta(days=day + (1 if day < 60 else 0))


def _serial_date(text: str) -> date:
    """A whole number written as a date: an Excel serial date in the plausible range, else ValueError."""
    serial = int(float(text))
    low, high = PLAUSIBLE_SERIALS
    if not low <= serial <= high:
        raise ValueError(text)
    return from_excel_serial(serial)


def parse_date(value: object, field: str = "date", row: int | None = None,
               today: date | None = None, required: bool = True) -> date | None:
    """Read a date as an English user writes it.  Raises ValidationError naming the field.

    A bare whole number (43191, or 43191.0 as a spreadsheet may save it) is an Excel serial date
    when it falls from 1920 to 2099 (7306 to 73050), and refused otherwise: 12 or 123 in a date
    cell is a typing mistake, not a day to guess at.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, value if value is not None else "", f"a date is required: {DATE_HELP}", row=row)
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    lowered = text.lower()
    base = today or date.today()
    if lowered == "today":
        return base
    if lowered == "yesterday":
        return base - timedelta(days=1)
    if lowered == "tomorrow":
        return base + timedelta(days=1)
    try:
        if _ISO.match(text):
            return date.fromisoformat(text)
        if _SERIAL.match(text):
            return _serial_date(text)
        iso = _ISO_DATETIME.match(text)       # a spreadsheet's date and time: year first, whatever dayfirst says
        if iso:
            return date.fromisoformat(iso.group(1))
        if not re.search(r"\d", text):
            raise ValueError(text)
        parsed: datetime = _dateparser.parse(text, dayfirst=True, default=datetime(base.year, 1, 1))
    except (ValueError, OverflowError, TypeError):
        raise ValidationError(field, text, DATE_OR_SERIAL_HELP, row=row) from None
    return parsed.date()


# --- financial years ------------------------------------------------------------

_FY = re.compile(r"^\s*(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})\s*$")


def financial_year_of(d: date) -> str:
    """The financial year (1 April to 31 March) holding ``d``, written '2017-18'."""
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def financial_year_bounds(year: str, field: str = "year") -> tuple[date, date]:
    """'2017-18' -> (2017-04-01, 2018-03-31).  Also accepts '2017/18' and '2017-2018'."""
    m = _FY.match(str(year))
    if m:
        start = int(m.group(1))
        end = m.group(2)
        end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
        if end_year < start:
            end_year += 100
        if end_year == start + 1:
            return date(start, 4, 1), date(start + 1, 3, 31)
    raise ValidationError(field, year, "a financial year written like '2017-18' (1 April 2017 to 31 March 2018)")


def normalise_financial_year(year: str, field: str = "year") -> str:
    return financial_year_of(financial_year_bounds(year, field)[0])


def previous_financial_year(year: str) -> str:
    start, _ = financial_year_bounds(year)
    return financial_year_of(date(start.year - 1, 4, 1))


def fmt(d: date | None) -> str:
    """A date as an English reader expects it on screen: 05/01/2018."""
    return d.strftime("%d/%m/%Y") if d else ""
