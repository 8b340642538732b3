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


def parse_date(value: object, field: str = "date", row: int | None = None,
               today: date | None = None, required: bool = True) -> date | None:
    """Read a date as an English user writes it.  Raises ValidationError naming the field."""
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
        if not re.search(r"\d", text):
            raise ValueError(text)
        parsed: datetime = _dateparser.parse(text, dayfirst=True, default=datetime(base.year, 1, 1))
    except (ValueError, OverflowError, TypeError):
        raise ValidationError(field, text, DATE_HELP, row=row) from None
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
