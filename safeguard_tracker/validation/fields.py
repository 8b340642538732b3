"""The field parsers every way in shares: the API, the CSV and JSON imports and the TUI's forms.

Each takes a value as a person or a file gives it (text, a number, a list, a
date) and returns the stored value, or raises ValidationError naming the field,
the value and what would be accepted.  One parser per kind of value, so the same
bad value gets the same message whichever way it came in.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Optional

from ..dates import DATE_HELP
from ..errors import ValidationError
from ..model import Threshold


def require_text(value: Any, field: str, what: str, row: Optional[int] = None) -> str:
    """Text that must not be blank: ``what`` names what is needed ("a reason for reopening")."""
    text = clean_text(value, field, row=row)
    if not text:
        raise ValidationError(field, value if value is not None else "", f"{what} is required", row=row)
    return text


def split_list(value: Any) -> tuple[str, ...]:
    """'neglect; voice of the child' or a list -> a tuple of trimmed, non-blank, de-duplicated items."""
    if value is None:
        return ()
    items = re.split(r"[;\n]", value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        text = " ".join(str(item).split())
        if text and text.casefold() not in (o.casefold() for o in out):
            out.append(text)
    return tuple(out)



TEXT_HELP = "text"
COUNT_HELP = "a whole number of children, 0 or more"
MAX_CHILDREN = 9999
AGES_HELP = "ages in whole years from 0 to 17, separated by ',' or ';'"
THRESHOLD_HELP = "limb numbers 1 to 4, or harmed, offence, risk, suitability"
_YES = frozenset(("y", "yes", "true", "1", "x"))
_NO = frozenset(("", "n", "no", "false", "0"))
YES_NO_HELP = "yes or no: one of yes, no, y, n, true, false, 1, 0, x (for yes) or blank (for no)"


def parse_yes_no(value: Any, field: str, row: Optional[int] = None) -> bool:
    """Yes or no, as people write it in a form, a spreadsheet or JSON; anything else is refused
    (a typo must not quietly become 'no')."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        key = value.strip().lower()
        if key in _YES:
            return True
        if key in _NO:
            return False
    raise ValidationError(field, value, YES_NO_HELP, row=row)


def clean_text(value: Any, field: str, row: Optional[int] = None) -> str:
    """Free text, trimmed.  A number is taken as its digits; a list, an object or true/false is refused
    rather than stored as its Python spelling."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValidationError(field, value, TEXT_HELP, row=row)


def date_value(value: Any, field: str) -> Any:
    """Only text or a date can be read as a date: 12 or [2018] would otherwise parse as some day."""
    if value is None or isinstance(value, (str, date)):
        return value
    raise ValidationError(field, value, DATE_HELP)


def _whole_number(value: Any) -> Optional[int]:
    """An int from an int, an integral float or a text of ASCII digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() else None
    return None


def _shown(value: Any) -> Any:
    """Numbers are quoted like text in messages, so a form, a spreadsheet and JSON word them alike."""
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def clean_count(value: Any, field: str) -> Optional[int]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    n = _whole_number(value)
    if n is None or n < 0:
        raise ValidationError(field, _shown(value), COUNT_HELP)
    if n > MAX_CHILDREN:
        raise ValidationError(field, _shown(value), f"{COUNT_HELP}, up to {MAX_CHILDREN}")
    return n


def clean_ages(value: Any, field: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [v for v in re.split(r"[;, ]+", value) if v]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValidationError(field, _shown(value), AGES_HELP)
    ages = []
    for v in items:
        age = _whole_number(v)
        if age is None or not 0 <= age <= 17:
            raise ValidationError(field, _shown(v), AGES_HELP)
        ages.append(age)
    return tuple(ages)


def clean_threshold(value: Any, field: str) -> tuple[Threshold, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = [v for v in re.split(r"[;,]", value) if v.strip()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise ValidationError(field, _shown(value), THRESHOLD_HELP)
    limbs = []
    for v in items:
        n = _whole_number(v) if not isinstance(v, float) else None
        if n is not None:
            if not 1 <= n <= 4:
                raise ValidationError(field, _shown(v), THRESHOLD_HELP)
            limbs.append(list(Threshold)[n - 1])
        else:
            limbs.append(Threshold.parse(v.strip() if isinstance(v, str) else v, field))
    return tuple(sorted(set(limbs), key=list(Threshold).index))


def text_value(value: Any, field: str, what: str, required: bool = True, row: Optional[int] = None) -> str:
    """Text, required (``what`` says what is needed) or optional."""
    return require_text(value, field, what, row=row) if required else clean_text(value, field, row=row)
